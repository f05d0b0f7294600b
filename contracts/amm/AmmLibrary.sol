// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Pair} from "./Pair.sol";

/// Pricing helpers shared by the router and the arbitrage executor (Uniswap V2 formulas).
library AmmLibrary {
    /// Output for `amountIn` against reserves (in, out) after the 0.3% fee.
    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) internal pure returns (uint256) {
        uint256 inWithFee = amountIn * 997;
        return (inWithFee * reserveOut) / (reserveIn * 1000 + inWithFee);
    }

    /// Reserves of `pair` ordered as (reserve of tokenIn, reserve of the other token).
    function reservesFor(Pair pair, address tokenIn) internal view returns (uint256 rIn, uint256 rOut, bool zeroIn) {
        (uint112 r0, uint112 r1, ) = pair.getReserves();
        zeroIn = pair.token0() == tokenIn;
        (rIn, rOut) = zeroIn ? (uint256(r0), uint256(r1)) : (uint256(r1), uint256(r0));
    }

    /// Swaps the tokenIn already sent to `pair` for the other token, delivered to `to`.
    function swapIn(Pair pair, address tokenIn, uint256 amountIn, address to) internal returns (uint256 out) {
        (uint256 rIn, uint256 rOut, bool zeroIn) = reservesFor(pair, tokenIn);
        out = getAmountOut(amountIn, rIn, rOut);
        if (zeroIn) pair.swap(0, out, to);
        else pair.swap(out, 0, to);
    }
}
