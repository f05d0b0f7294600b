/**
 * The sealed-bid auction for the top of each L2 block (the MEV lane): validate and deduplicate the
 * bids, rank them, allocate the lane greedily, then price the winners by the slot's pricing rule.
 *
 * Pure: no I/O, no clock, no Nest, no Redis, no engine. It never sees a transaction, a signature
 * or a request, only the numbers and state keys the simulation produced (see `Bid`); whether
 * those are true is the simulator's business, and nothing here may try to find out.
 */
import { allocate, type Loser } from './allocate';
import { checkBids, dedupe, type Bid } from './bid';
import { PRICING_RULES } from './pricing/registry';
import { rank } from './rank';
import { checkRules, type AuctionRules } from './rules';

export interface Winner {
  readonly bid: Bid;
  /** What the winner pays under the slot's pricing rule: its value under first price. */
  readonly price: bigint;
  /** value - price, returned by the builder in the same block. */
  readonly refund: bigint;
  /** The bundle whose bid set the price (under critical pricing); null when the reserve or its own bid did. */
  readonly priceSetBy: string | null;
}

export interface AuctionResult {
  /** In allocation order, which is rank order: the order they go at the top of the block. */
  readonly winners: Winner[];
  /** In rank order, then the duplicates in input order. */
  readonly losers: Loser[];
  /** Sum of the winners' gasUsed. */
  readonly gasUsed: bigint;
}

/**
 * Clears one slot's auction (see allocate.ts for who wins, pricing/ for what they pay). Of two
 * bids with one bundleHash only the earliest received takes part; the others lose as 'duplicate'.
 *
 * Throws InvalidRulesError or InvalidBidError (malformed bundle hash, gasUsed <= 0 or beyond
 * 2^53, value outside uint256).
 */
export function clearAuction(allBids: readonly Bid[], rules: AuctionRules, seed: Uint8Array): AuctionResult {
  checkRules(rules);
  const { bids, duplicates } = dedupe(allBids);
  const ranked = rank(bids, checkBids(bids), rules.ranking === 'valuePerGas', seed);
  const allocation = allocate(ranked, Number(rules.gasBudget), rules.reservePrice);
  const prices = PRICING_RULES[rules.pricing].price(ranked, allocation, rules.reservePrice);

  let gasUsed = 0n;
  const winners = allocation.winners.map((p, a): Winner => {
    const bid = ranked.bids[p];
    gasUsed += bid.gasUsed;
    const { price, priceSetBy } = prices[a];
    return { bid, price, refund: bid.value - price, priceSetBy };
  });
  const losers = allocation.losers;
  for (const bid of duplicates) losers.push({ bid, code: 'duplicate', reason: 'duplicate bundleHash' });
  return { winners, losers, gasUsed };
}
