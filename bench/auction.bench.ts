/**
 * Auction clearing time: clearAuction alone (ranking, greedy allocation, pricing) over bids the
 * simulation has already produced, so simulation is excluded. Bids come from makeRandomBids
 * (DEX-arbitrage-like conflict density); the lane is the default MEV share of a 30M-gas block.
 */
import { randomBytes } from 'node:crypto';
import { clearAuction, makeRandomBids, type AuctionRules, type Bid, type Pricing } from '@sealane/auction';
import { DEFAULT_PARAMS } from '@sealane/params';
import { median, now, progress, type Row } from './support';

/** The target: 10,000 bids cleared in under this many ms. */
const TARGET_MS = 50;
const TARGET_BIDS = 10_000;
const SIZES = [1_000, 10_000];
const PRICINGS: Pricing[] = ['first', 'critical'];
const BLOCK_GAS = 30_000_000n;
/** mevLaneGasPercent's default (25%) of a 30M-gas block: 7.5M gas, a few dozen winners. */
const LANE_GAS = (BLOCK_GAS * BigInt(DEFAULT_PARAMS.mevLaneGasPercent)) / 100n;
/** Distinct bid sets per size, rotated so no single fixture's layout decides the figure. */
const FIXTURES = 3;
const WARMUP = 5;
const RUNS = 21;

function rulesFor(pricing: Pricing): AuctionRules {
  return { pricing, ranking: 'value', reservePrice: 0n, gasBudget: LANE_GAS };
}

export async function benchAuction(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of SIZES) {
    const sets: Bid[][] = Array.from({ length: FIXTURES }, (_, f) => makeRandomBids(n, 1000 * n + f));
    for (const pricing of PRICINGS) {
      const rules = rulesFor(pricing);
      let winners = 0;
      // Warm-up: JIT of the ranking, allocation and pricing paths at this size; not counted.
      for (let i = 0; i < WARMUP; i++) clearAuction(sets[i % FIXTURES], rules, randomBytes(32));
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const bids = sets[i % FIXTURES];
        // A fresh seed each run, as every slot reveals its own.
        const seed = randomBytes(32);
        const t0 = now();
        const r = clearAuction(bids, rules, seed);
        ms.push(now() - t0);
        winners += r.winners.length;
        if (r.winners.length + r.losers.length !== n) throw new Error('auction lost track of a bid');
      }
      const m = median(ms);
      progress(
        `auction ${n} bids, ${pricing}: median ${m.toFixed(2)} ms (max ${Math.max(...ms).toFixed(2)})`,
      );
      const isTarget = n === TARGET_BIDS;
      const verdict = isTarget
        ? `; ${m < TARGET_MS ? 'target reached' : 'target NOT reached'} (< ${TARGET_MS} ms)`
        : '';
      rows.push({
        name: `auction clearing: ${n.toLocaleString('en-US')} bids, ${pricing} price`,
        value: m,
        unit: 'ms',
        note:
          `median of ${RUNS} after ${WARMUP} warm-up (min ${Math.min(...ms).toFixed(2)}, max ${Math.max(...ms).toFixed(2)}); ` +
          `${(winners / RUNS).toFixed(0)} winners avg, lane ${Number(LANE_GAS) / 1e6}M gas${verdict}`,
      });
    }
  }
  const worst = Math.max(
    ...rows.filter((r) => r.name.includes(`${TARGET_BIDS.toLocaleString('en-US')} bids`)).map((r) => r.value),
  );
  rows.push({
    name: `auction clearing: ${TARGET_BIDS.toLocaleString('en-US')} bids, slower / target`,
    value: worst / TARGET_MS,
    unit: 'x',
    note: `${worst < TARGET_MS ? 'target reached' : 'target NOT reached'}: slower pricing's median against ${TARGET_MS} ms`,
  });
  return rows;
}
