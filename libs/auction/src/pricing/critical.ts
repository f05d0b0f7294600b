/**
 * Critical value (`auctionPricing` 1; the second price when there is one winner): each winner
 * pays the least value with which it would still have been taken, everyone else's bids fixed,
 * never below the reserve. A bid equal in score to the one it must stay ahead of still wins when
 * its tie-break key is smaller, and then it pays that equal score; otherwise the next wei above.
 *
 * Cost: one partial re-run of the greedy per winner, which stops at the first bundle that would
 * push the winner out.
 */
import type { Allocation } from '../allocate';
import type { PricingRule } from './pricing';

export const critical: PricingRule = {
  param: 1,
  price(ranked, allocation, reservePrice) {
    return allocation.winners.map((p, a) => {
      const blocker = criticalBlocker(allocation, a);
      const least = blocker < 0 ? 0n : ranked.leastValueAhead(p, blocker);
      return least > reservePrice
        ? { price: least, priceSetBy: ranked.bids[blocker].bundleHash }
        : { price: reservePrice, priceSetBy: null };
    });
  },
};

/**
 * The rank position of the bundle winner `a` must stay ahead of to be taken, or -1 if it would be
 * taken even behind everyone.
 *
 * Inserted at position q among the others, the winner is taken iff it fits beside T(q), the set
 * the greedy takes from the first q others without it. T(q) only grows with q (and the gas left
 * only shrinks), so winning is monotone in position, and the bundle to stay ahead of is the first
 * one whose taking, in the greedy without the winner, leaves it no room. That greedy agrees with
 * the real one up to the winner's own position, so the re-run starts from the winners allocated
 * before `a` and scans on from there.
 */
function criticalBlocker({ lane, eligible, winners, budget }: Allocation, a: number): number {
  const pi = winners[a];
  lane.reset(budget);
  for (let b = 0; b < a; b++) lane.take(winners[b]);
  lane.markProbe(pi);
  const gasI = lane.gas[pi];
  for (let p = pi + 1; p < eligible.length; p++) {
    if (!eligible[p] || lane.gas[p] > lane.gasLeft || lane.conflictWith(p) >= 0) continue;
    lane.take(p);
    if (gasI > lane.gasLeft || lane.conflictsWithProbe(p)) return p;
  }
  return -1;
}
