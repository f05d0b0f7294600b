/**
 * Greedy allocation of the MEV lane: in rank order, take each bundle that pays at least the
 * reserve, fits the gas left in the lane, and conflicts with no bundle already taken. O(n).
 *
 * Two bundles conflict when one writes a state key the other reads or writes, when they share a
 * transaction hash, or when any sender appears in both. The sender rule is deliberately coarser
 * than "same (sender, nonce)": two bundles from one sender with different nonces are valid only
 * in one order (and a nonce gap may make the second fail), so the simplest safe rule is that a
 * sender's transactions come from at most one winning bundle.
 */
import type { Bid } from './bid';
import type { RankedBids } from './rank';

export type LossCode =
  | 'below-reserve'
  | 'exceeds-gas-budget'
  | 'exceeds-remaining-gas'
  | 'conflict'
  /** The same bundleHash as an earlier-received bid, which alone takes part. */
  | 'duplicate';

export interface Loser {
  readonly bid: Bid;
  readonly code: LossCode;
  /**
   * Stable text: 'below reserve', 'exceeds gas budget', 'exceeds remaining gas',
   * 'conflicts with 0x..', 'duplicate bundleHash'.
   */
  readonly reason: string;
  /**
   * For 'conflict': the winner holding the first item found shared, checking the loser's writes,
   * reads, senders, then transaction hashes, each in its own iteration order.
   */
  readonly conflictsWith?: string;
}

export interface Allocation {
  /** Rank positions of the winners, in allocation order (which is rank order). */
  readonly winners: readonly number[];
  /** The losers in rank order. */
  readonly losers: Loser[];
  /** 1 at each rank position that pays the reserve and fits an empty lane: the only ones that can be taken. */
  readonly eligible: Uint8Array;
  /** The lane gas budget, as a double. */
  readonly budget: number;
  /** The lane the winners were taken into, for pricing rules that re-run part of the greedy. */
  readonly lane: Lane;
}

export function allocate(ranked: RankedBids, budget: number, reserve: bigint): Allocation {
  const n = ranked.bids.length;
  const lane = new Lane(ranked.bids, ranked.gas);
  const winners: number[] = [];
  const losers: Loser[] = [];
  const eligible = new Uint8Array(n);
  lane.reset(budget);
  for (let p = 0; p < n; p++) {
    const bid = ranked.bids[p];
    const gas = ranked.gas[p];
    if (bid.value < reserve) {
      losers.push({ bid, code: 'below-reserve', reason: 'below reserve' });
      continue;
    }
    if (gas > budget) {
      losers.push({ bid, code: 'exceeds-gas-budget', reason: 'exceeds gas budget' });
      continue;
    }
    eligible[p] = 1;
    if (gas > lane.gasLeft) {
      losers.push({ bid, code: 'exceeds-remaining-gas', reason: 'exceeds remaining gas' });
      continue;
    }
    const c = lane.conflictWith(p);
    if (c >= 0) {
      const other = ranked.bids[lane.taken[c]].bundleHash;
      losers.push({ bid, code: 'conflict', reason: `conflicts with ${other}`, conflictsWith: other });
      continue;
    }
    lane.take(p);
    winners.push(p);
  }
  return { winners, losers, eligible, budget, lane };
}

/**
 * The lane being filled, by rank position: which taken bundle holds each state key, sender and
 * transaction hash, and the gas left. Owners are allocation indices (order of taking). Checks
 * stop at the first conflict found, so a typical loser costs one or two Map lookups.
 */
export class Lane {
  readonly taken: number[] = [];
  gasLeft = 0;
  private readonly writer = new Map<string, number>();
  private readonly reader = new Map<string, number>();
  private readonly sender = new Map<string, number>();
  private readonly tx = new Map<string, number>();
  /** The probe (a winner being priced): its senders and transaction hashes. */
  private probe: Bid | undefined;
  private probeSenders = new Set<string>();
  private probeTxs = new Set<string>();

  constructor(
    private readonly ranked: readonly Bid[],
    readonly gas: Float64Array,
  ) {}

  /** Empties the lane and sets the gas left. */
  reset(budget: number): void {
    this.taken.length = 0;
    this.writer.clear();
    this.reader.clear();
    this.sender.clear();
    this.tx.clear();
    this.gasLeft = budget;
  }

  take(p: number): void {
    const a = this.taken.length;
    const bid = this.ranked[p];
    this.taken.push(p);
    this.gasLeft -= this.gas[p];
    for (const k of bid.writes) this.writer.set(k, a);
    for (const k of bid.reads) this.reader.set(k, a);
    for (const u of bid.nonces) this.sender.set(u.sender, a);
    for (const h of bid.txHashes) this.tx.set(h, a);
  }

  /**
   * The allocation index of a taken bundle that bundle p conflicts with, or -1: the holder of the
   * first shared item found, checking p's writes, reads, senders, then transaction hashes.
   */
  conflictWith(p: number): number {
    const bid = this.ranked[p];
    let a: number | undefined;
    for (const k of bid.writes) {
      if ((a = this.writer.get(k) ?? this.reader.get(k)) !== undefined) return a;
    }
    for (const k of bid.reads) if ((a = this.writer.get(k)) !== undefined) return a;
    for (const u of bid.nonces) if ((a = this.sender.get(u.sender)) !== undefined) return a;
    for (const h of bid.txHashes) if ((a = this.tx.get(h)) !== undefined) return a;
    return -1;
  }

  /** Makes bundle p the probe that conflictsWithProbe tests against. */
  markProbe(p: number): void {
    const bid = this.ranked[p];
    this.probe = bid;
    this.probeSenders = new Set(bid.nonces.map((u) => u.sender));
    this.probeTxs = new Set(bid.txHashes);
  }

  /** Whether bundle p conflicts with the probe. */
  conflictsWithProbe(p: number): boolean {
    const bid = this.ranked[p];
    const probe = this.probe!;
    for (const k of bid.writes) if (probe.writes.has(k) || probe.reads.has(k)) return true;
    for (const k of bid.reads) if (probe.writes.has(k)) return true;
    for (const u of bid.nonces) if (this.probeSenders.has(u.sender)) return true;
    for (const h of bid.txHashes) if (this.probeTxs.has(h)) return true;
    return false;
  }
}
