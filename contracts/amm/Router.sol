// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "./IERC20.sol";
import {Pair} from "./Pair.sol";
import {AmmLibrary} from "./AmmLibrary.sol";

/// @title Minimal router
/// @notice One-transaction liquidity and exact-input swaps on a single pair, pulling the
/// caller's tokens with transferFrom (so the caller approves this router first).
contract Router {
    error TooLittleReceived(uint256 amountOut, uint256 minOut);

    function addLiquidity(Pair pair, uint256 amount0, uint256 amount1, address to) external returns (uint256) {
        IERC20(pair.token0()).transferFrom(msg.sender, address(pair), amount0);
        IERC20(pair.token1()).transferFrom(msg.sender, address(pair), amount1);
        return pair.mint(to);
    }

    function swapExactIn(
        Pair pair,
        address tokenIn,
        uint256 amountIn,
        uint256 minOut,
        address to
    ) external returns (uint256 out) {
        IERC20(tokenIn).transferFrom(msg.sender, address(pair), amountIn);
        out = AmmLibrary.swapIn(pair, tokenIn, amountIn, to);
        if (out < minOut) revert TooLittleReceived(out, minOut);
    }
}
