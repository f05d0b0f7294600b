/** First price (`auctionPricing` 0): each winner pays its own bid, no refund. */
import type { PricingRule } from './pricing';

export const first: PricingRule = {
  param: 0,
  price: (ranked, allocation) =>
    allocation.winners.map((p) => ({ price: ranked.bids[p].value, priceSetBy: null })),
};
