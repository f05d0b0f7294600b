/**
 * What a pricing rule is: given the allocation and the ranked bids, the price each winner pays
 * and whose bid set it. A rule never changes who wins, only what they pay; it is chosen by the
 * governed `auctionPricing` parameter through the registry in ./registry.ts.
 */
import type { Allocation } from '../allocate';
import type { RankedBids } from '../rank';

export interface Price {
  /** What the winner pays: at least the reserve price, at most its value. */
  readonly price: bigint;
  /** The bundle whose bid set the price; null when the winner's own bid or the reserve did. */
  readonly priceSetBy: string | null;
}

export interface PricingRule {
  /** The value of the `auctionPricing` parameter that selects this rule. */
  readonly param: number;
  /** One price per winner, in allocation order. */
  price(ranked: RankedBids, allocation: Allocation, reservePrice: bigint): Price[];
}
