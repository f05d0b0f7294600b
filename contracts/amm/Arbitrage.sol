// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "./IERC20.sol";
import {Pair} from "./Pair.sol";
import {AmmLibrary} from "./AmmLibrary.sol";

/// @title Two-pool arbitrage executor for searchers
/// @notice In one call: sells `amountIn` of `tokenIn` (pulled from the caller, who approved this
/// contract) on `buyPair`, sells what came out on `sellPair` back into `tokenIn`, and requires
/// the caller to end up at least `minProfit` richer in `tokenIn`. Only then does it pay the ETH
/// sent with the call to the block's fee recipient: a bundle's bid is a direct coinbase payment,
/// and an unprofitable (e.g. outbid or already taken) arbitrage reverts and pays nothing.
contract Arbitrage {
    error Unprofitable(uint256 amountIn, uint256 amountBack, uint256 minProfit);
    error BidPaymentFailed();

    event Arbitraged(address indexed searcher, uint256 amountIn, uint256 amountBack, uint256 bid);

    function arb(
        Pair buyPair,
        Pair sellPair,
        address tokenIn,
        uint256 amountIn,
        uint256 minProfit
    ) external payable returns (uint256 amountBack) {
        address tokenMid = buyPair.token0() == tokenIn ? buyPair.token1() : buyPair.token0();
        IERC20(tokenIn).transferFrom(msg.sender, address(buyPair), amountIn);
        uint256 mid = AmmLibrary.swapIn(buyPair, tokenIn, amountIn, address(sellPair));
        amountBack = AmmLibrary.swapIn(sellPair, tokenMid, mid, msg.sender);
        if (amountBack < amountIn + minProfit) revert Unprofitable(amountIn, amountBack, minProfit);
        if (msg.value > 0) {
            (bool ok, ) = block.coinbase.call{value: msg.value}("");
            if (!ok) revert BidPaymentFailed();
        }
        emit Arbitraged(msg.sender, amountIn, amountBack, msg.value);
    }
}
