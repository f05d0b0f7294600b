/**
 * Runs a slot's auction at its close: reads every sealed bundle (after which none can be added,
 * replaced or cancelled), simulates each at the top of the slot, clears the auction with the
 * slot's rules and a seed drawn at the close, and records each bundle's outcome (visible only
 * to its searcher) and the Merkle leaves over every bid received.
 */
import { randomBytes } from 'node:crypto';
import {
  bidLeaf,
  bidsMerkleRoot,
  clearAuction,
  EMPTY_BIDS_ROOT,
  rulesOf,
  tieBreakKey,
  type AuctionRules,
  type Bid,
} from '@sealane/auction';
import type { Params } from '@sealane/params';
import { decodeTransaction, fromHex, maxCost, toHex, type DecodedTx } from '@sealane/protocol';
import type { BundleStore, StoredBundle } from '@sealane/store';
import type { AccountRead, BundleInput, SimulationContext } from '@sealane/simulator';

/** The block a bundle is simulated in, with its number always set. */
export type SimContext = SimulationContext & { number: number };

export interface BundleOutcome {
  ok: boolean;
  /** Why the bundle is invalid, naming the transaction. */
  error?: string;
  /** The transaction that failed, if one did. */
  failedTx?: string;
  /** What the fee recipient gained: priority fees plus direct payments. */
  coinbaseDiff: bigint;
  totalGasUsed: bigint;
  reads: ReadonlySet<string>;
  writes: ReadonlySet<string>;
}

export function simBundle(b: Pick<StoredBundle, 'txs' | 'senders' | 'revertingTxHashes'>): BundleInput {
  const senders = b.senders;
  return {
    txs: senders ? b.txs.map((raw, i) => ({ raw, from: senders[i] })) : b.txs,
    revertingTxHashes: b.revertingTxHashes,
  };
}

/** What the builder needs from a bundle simulator (@sealane/simulator provides it). */
export interface BundleSimulatorPort {
  /**
   * Each bundle on its own at the top of the block. A bundle the engine cannot simulate comes
   * back not ok with the reason; a rejection means the engine could not be reached at all.
   */
  simulateMany(bundles: BundleInput[], ctx: SimContext): Promise<BundleOutcome[]>;
  /** The bundles one after another in one block, each measured in place. */
  simulateSequence(bundles: BundleInput[], ctx: SimContext): Promise<BundleOutcome[]>;
  /** Nonce and balance after block `parentNumber`, in one batched read; unknown accounts left out. */
  accounts(addresses: string[], parentNumber: number): Promise<Map<string, AccountRead>>;
}

export interface AuctionWinner {
  bundle: StoredBundle;
  bid: Bid;
  price: bigint;
  refund: bigint;
  priceSetBy: string | null;
}

export interface AuctionOutcome {
  slot: number;
  seed: Uint8Array;
  rules: AuctionRules;
  bids: number;
  leaves: string[];
  bidsRoot: string;
  winners: AuctionWinner[];
}

function withinTime(b: StoredBundle, timestamp: number): string | null {
  if (b.minTimestamp && timestamp < b.minTimestamp)
    return `block timestamp ${timestamp} is before minTimestamp ${b.minTimestamp}`;
  if (b.maxTimestamp && timestamp > b.maxTimestamp)
    return `block timestamp ${timestamp} is after maxTimestamp ${b.maxTimestamp}`;
  return null;
}

/**
 * Most transactions simulated at one slot's close. Each costs the engine one eth_simulateV1
 * position (plus ⌈log2 n⌉ prefix runs for a refused bundle of n, and two traces for a valid
 * one), so this bounds the close's work whatever searchers send: 4,000 is 40 bundles of 100
 * transactions, or a thousand small ones.
 */
export const SIMULATION_BUDGET_TXS = 4_000;

export interface AuctionRunnerOptions {
  /** Most transactions simulated per slot (default SIMULATION_BUDGET_TXS). */
  simulationBudgetTxs?: number;
}

export interface ClearOptions {
  /**
   * The fee transactions of the slot's commitments, by hash, with their commitment: a bundle
   * carrying one would execute it on top of the block and so skip the transaction it pays for.
   */
  feeTxs?: ReadonlyMap<string, string>;
}

/** A bundle that passed the cheap checks and waits for its turn to be simulated. */
export interface SimulationCandidate {
  b: StoredBundle;
  /** Sender of the first transaction: the account the pre-check found funded. */
  payer: string;
}

export class AuctionRunner {
  private readonly budget: number;

  constructor(
    private readonly store: BundleStore,
    private readonly simulator: BundleSimulatorPort,
    opts: AuctionRunnerOptions = {},
  ) {
    this.budget = opts.simulationBudgetTxs ?? SIMULATION_BUDGET_TXS;
  }

  /** Closes the slot (bundles and commitments alike) and returns every bundle received. */
  closeIntake(slot: number): Promise<StoredBundle[]> {
    return this.store.close(slot);
  }

  /**
   * Simulates the bundles received and clears the auction. Never fails because of what was
   * sent: a bundle that cannot take part (a duplicate, out of its time window, carrying a
   * committed fee transaction, a first transaction that cannot execute, beyond the simulation
   * budget, failing simulation) loses with its reason, and the rest clear. It rejects only when
   * the engine or Redis cannot be reached.
   */
  async clear(
    slot: number,
    received: StoredBundle[],
    params: Params,
    ctx: SimContext,
    opts: ClearOptions = {},
  ): Promise<AuctionOutcome> {
    const rules = rulesOf(params, ctx.gasLimit);
    const seed = new Uint8Array(randomBytes(32));
    const base = { slot, seed, rules, bids: received.length };
    if (received.length === 0) return { ...base, leaves: [], bidsRoot: toHex(EMPTY_BIDS_ROOT), winners: [] };

    const failed = new Map<string, string>();
    const candidates = await this.admit(uniqueBundles(received), ctx, opts, failed);
    const ordered = simulationOrder(candidates, seed);
    let left = this.budget;
    const timely: StoredBundle[] = [];
    for (const b of ordered) {
      if (b.txs.length > left) failed.set(b.bundleHash, 'simulation budget exhausted');
      else {
        left -= b.txs.length;
        timely.push(b);
      }
    }
    let sims = await this.simulate(timely, ctx);
    // A failing transaction the searcher allowed to be dropped goes; the rest is tried again once.
    const retry = timely
      .map((b, i) => ({ b, i, s: sims[i] }))
      .filter(
        ({ b, s }) => !s.ok && s.failedTx && b.droppingTxHashes.includes(s.failedTx) && b.txs.length > 1,
      )
      .filter(({ b }) => {
        // The retry is simulated work too: it runs only within what the budget has left.
        if (b.txs.length - 1 > left) return false;
        left -= b.txs.length - 1;
        return true;
      });
    if (retry.length) {
      const trimmed = retry.map(({ b, s }) => {
        const keep = b.txHashes.map((h, j) => (h === s.failedTx ? -1 : j)).filter((j) => j >= 0);
        return {
          ...b,
          txs: keep.map((j) => b.txs[j]),
          txHashes: keep.map((j) => b.txHashes[j]),
          senders: b.senders && keep.map((j) => b.senders![j]),
        };
      });
      const again = await this.simulate(trimmed, ctx);
      sims = [...sims];
      retry.forEach(({ i }, k) => {
        timely[i] = trimmed[k];
        sims[i] = again[k];
      });
    }

    const bids: Bid[] = [];
    const byHash = new Map<string, StoredBundle>();
    const simulatedAt = Date.now();
    const value = new Map<string, { value: bigint; gasUsed: bigint }>();
    timely.forEach((b, i) => {
      const s = sims[i];
      value.set(b.bundleHash, { value: s.ok ? s.coinbaseDiff : 0n, gasUsed: s.ok ? s.totalGasUsed : 0n });
      if (!s.ok) return void failed.set(b.bundleHash, `simulation failed: ${s.error ?? 'invalid'}`);
      // Only a transaction sent by the fee recipient can lower its balance: not a bid.
      if (s.coinbaseDiff < 0n)
        return void failed.set(b.bundleHash, `pays the fee recipient ${s.coinbaseDiff} (negative)`);
      const decoded = decodeAll(b);
      if (typeof decoded === 'string') return void failed.set(b.bundleHash, decoded);
      byHash.set(b.bundleHash, b);
      bids.push({
        bundleHash: b.bundleHash,
        searcher: b.searcher,
        value: s.coinbaseDiff,
        gasUsed: s.totalGasUsed > 0n ? s.totalGasUsed : 1n,
        txHashes: b.txHashes,
        reads: s.reads,
        writes: s.writes,
        nonces: decoded.map((t) => ({ sender: t.from, nonce: t.nonce })),
        receivedAt: b.receivedAt,
      });
    });

    const cleared = clearAuction(bids, rules, seed);
    const winners: AuctionWinner[] = cleared.winners.map((w) => ({
      bundle: byHash.get(w.bid.bundleHash)!,
      bid: w.bid,
      price: w.price,
      refund: w.refund,
      priceSetBy: w.priceSetBy,
    }));

    const v = (h: string) => value.get(h) ?? { value: 0n, gasUsed: 0n };
    const record = (h: string) => ({
      simulatedAt,
      value: v(h).value.toString(),
      gasUsed: Number(v(h).gasUsed),
    });
    await Promise.all([
      ...winners.map((w) =>
        this.store.setState(w.bid.bundleHash, 'won', {
          ...record(w.bid.bundleHash),
          price: w.price.toString(),
          refund: w.refund.toString(),
        }),
      ),
      ...cleared.losers.map((l) =>
        this.store.setState(l.bid.bundleHash, 'lost', { ...record(l.bid.bundleHash), reason: l.reason }),
      ),
      ...[...failed].map(([h, reason]) => this.store.setState(h, 'lost', { ...record(h), reason })),
    ]);

    const leaves = received.map((b) =>
      bidLeaf(slot, { bundleHash: b.bundleHash, searcher: b.searcher, ...v(b.bundleHash) }),
    );
    return { ...base, leaves: leaves.map((l) => toHex(l)), bidsRoot: toHex(bidsMerkleRoot(leaves)), winners };
  }

  /**
   * The checks that cost no simulation: time window, committed fee transactions, and the
   * pre-check of each first transaction against the parent state (one batched read of nonce and
   * balance per distinct sender). A first transaction the searcher allowed to be dropped is not
   * checked: the simulation finds it and the bundle is tried without it.
   */
  private async admit(
    bundles: StoredBundle[],
    ctx: SimContext,
    opts: ClearOptions,
    failed: Map<string, string>,
  ): Promise<SimulationCandidate[]> {
    const firsts: { b: StoredBundle; tx: DecodedTx }[] = [];
    for (const b of bundles) {
      const why = withinTime(b, ctx.timestamp) ?? carriesFeeTx(b, opts.feeTxs);
      if (why) {
        failed.set(b.bundleHash, why);
        continue;
      }
      try {
        if (b.txs.length === 0) throw new Error('no transactions');
        firsts.push({ b, tx: decodeTransaction(fromHex(b.txs[0]), { knownSender: b.senders?.[0] }) });
      } catch (e) {
        failed.set(
          b.bundleHash,
          `transaction 0 does not decode: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    const senders = [...new Set(firsts.map((f) => f.tx.from))];
    const accounts = senders.length ? await this.simulator.accounts(senders, ctx.parentNumber) : new Map();
    const out: SimulationCandidate[] = [];
    for (const { b, tx } of firsts) {
      const acc = accounts.get(tx.from);
      const why =
        acc && !b.droppingTxHashes.includes(b.txHashes[0]) ? cannotExecute(tx, acc, ctx.baseFee) : null;
      if (why) failed.set(b.bundleHash, `first transaction ${b.txHashes[0]} cannot execute: ${why}`);
      else out.push({ b, payer: tx.from });
    }
    return out;
  }

  /**
   * The port's simulateMany, and if it fails as a whole, each bundle on its own: a bundle whose
   * own simulation fails then loses with the reason, and the others are unaffected.
   */
  private async simulate(bundles: StoredBundle[], ctx: SimContext): Promise<BundleOutcome[]> {
    if (bundles.length === 0) return [];
    try {
      return await this.simulator.simulateMany(bundles.map(simBundle), ctx);
    } catch {
      return Promise.all(
        bundles.map((b) =>
          this.simulator.simulateMany([simBundle(b)], ctx).then(
            ([r]) => r,
            (e: unknown): BundleOutcome => ({
              ok: false,
              error: e instanceof Error ? e.message : String(e),
              coinbaseDiff: 0n,
              totalGasUsed: 0n,
              reads: new Set(),
              writes: new Set(),
            }),
          ),
        ),
      );
    }
  }
}

/**
 * The earliest received bundle of each bundleHash. A copy (the same transactions under another
 * replacementUuid, or from another searcher) shares the original's status record and leaf, so
 * it simply takes no part: intake should have refused it.
 */
function uniqueBundles(received: StoredBundle[]): StoredBundle[] {
  const first = new Map<string, StoredBundle>();
  for (const b of received) {
    const seen = first.get(b.bundleHash);
    if (!seen || b.receivedAt < seen.receivedAt) first.set(b.bundleHash, b);
  }
  return [...first.values()];
}

function carriesFeeTx(b: StoredBundle, feeTxs: ReadonlyMap<string, string> | undefined): string | null {
  if (!feeTxs || feeTxs.size === 0) return null;
  for (const h of b.txHashes) {
    const c = feeTxs.get(h.toLowerCase());
    if (c) return `carries ${h}, the fee transaction of commitment ${c}`;
  }
  return null;
}

function cannotExecute(tx: DecodedTx, acc: AccountRead, baseFee: bigint): string | null {
  if (tx.nonce !== acc.nonce) return `nonce ${tx.nonce} is not the sender's next nonce ${acc.nonce}`;
  if (tx.maxFeePerGas < baseFee) return `max fee per gas ${tx.maxFeePerGas} below the base fee ${baseFee}`;
  if (maxCost(tx) > acc.balance)
    return `insufficient funds: balance ${acc.balance} < max cost ${maxCost(tx)}`;
  return null;
}

function decodeAll(b: StoredBundle): DecodedTx[] | string {
  const out: DecodedTx[] = [];
  for (let j = 0; j < b.txs.length; j++) {
    try {
      out.push(decodeTransaction(fromHex(b.txs[j]), { knownSender: b.senders?.[j] }));
    } catch (e) {
      return `transaction ${j} does not decode: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return out;
}

/**
 * The order bundles are simulated in, so that the budget goes first where junk cannot crowd
 * out: round-robin over the first transaction's sender (the pre-check found it funded, so one
 * account is one turn however many searcher identities send its bundles), smaller bundles
 * first within a round (a bundle of 100 junk transfers costs 100 times a one-transaction
 * one), then a key from the slot's seed, drawn at the close, that nobody can aim for.
 */
export function simulationOrder(
  candidates: readonly SimulationCandidate[],
  seed: Uint8Array,
): StoredBundle[] {
  const keyed = candidates.map((c) => ({
    ...c,
    size: c.b.txs.length,
    key: toHex(tieBreakKey(seed, c.b.bundleHash)),
  }));
  const bySize = (x: (typeof keyed)[number], y: (typeof keyed)[number]) =>
    x.size - y.size || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
  const groups = new Map<string, typeof keyed>();
  for (const c of keyed) {
    const g = groups.get(c.payer);
    if (g) g.push(c);
    else groups.set(c.payer, [c]);
  }
  const queues = [...groups.values()].map((g) => g.sort(bySize));
  const out: StoredBundle[] = [];
  for (let round = 0; out.length < keyed.length; round++) {
    const turn = queues.filter((q) => q.length > round).map((q) => q[round]);
    out.push(...turn.sort(bySize).map((c) => c.b));
  }
  return out;
}
