/**
 * The auction rules of a slot, from the governed parameters in force at that slot: the one place
 * that maps parameter values to pricing, ranking, reserve price and the MEV lane's gas budget.
 */
import type { Params } from '@sealane/params';
import type { AuctionRules } from './auction';

const GWEI = 10n ** 9n;

export function rulesOf(p: Params, blockGasLimit: bigint): AuctionRules {
  return {
    pricing: p.auctionPricing === 1 ? 'critical' : 'first',
    ranking: p.auctionRanking === 1 ? 'valuePerGas' : 'value',
    reservePrice: BigInt(p.reservePriceGwei) * GWEI,
    gasBudget: (blockGasLimit * BigInt(p.mevLaneGasPercent)) / 100n,
  };
}
