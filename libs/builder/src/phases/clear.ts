/**
 * The clear phase: runs a slot's auction at its close. Reads every sealed bundle (after which
 * none can be added, replaced or cancelled), simulates the admitted ones at the top of the
 * slot, clears the auction with the slot's rules and a seed drawn at the close, and records
 * each bundle's outcome (visible only to its searcher) and the Merkle leaves over every bid.
 */
import { randomBytes } from 'node:crypto';
import {
  bidLeaf,
  bidsMerkleRoot,
  clearAuction,
  EMPTY_BIDS_ROOT,
  rulesOf,
  type AuctionRules,
  type Bid,
} from '@sealane/auction';
import type { Params } from '@sealane/params';
import { toHex } from '@sealane/protocol';
import type { BundleStore, StoredBundle } from '@sealane/store';
import { simBundle, type BundleOutcome, type BundleSimulatorPort, type SimContext } from '../ports';
import {
  admit,
  decodeAll,
  simulationOrder,
  uniqueBundles,
  SIMULATION_BUDGET_TXS,
  type ClearOptions,
} from './admit';

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

export interface AuctionRunnerOptions {
  /** Most transactions simulated per slot (default SIMULATION_BUDGET_TXS). */
  simulationBudgetTxs?: number;
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
    const candidates = await admit(this.simulator, uniqueBundles(received), ctx, opts, failed);
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
