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
  type AuctionRules,
  type Bid,
} from '@sealane/auction';
import type { Params } from '@sealane/params';
import { decodeTransaction, fromHex, toHex } from '@sealane/protocol';
import type { BundleStore, StoredBundle } from '@sealane/store';

/** The block a bundle is simulated in: state after `parentNumber`, this block's environment. */
export interface SimContext {
  parentNumber: number;
  number: number;
  timestamp: number;
  feeRecipient: string;
  baseFee: bigint;
  gasLimit: bigint;
}

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

/** A bundle as the simulator takes it: each transaction with its sender when intake recovered it. */
export interface SimBundle {
  txs: (string | { raw: string; from: string })[];
  revertingTxHashes: string[];
}

export function simBundle(b: Pick<StoredBundle, 'txs' | 'senders' | 'revertingTxHashes'>): SimBundle {
  const senders = b.senders;
  return {
    txs: senders ? b.txs.map((raw, i) => ({ raw, from: senders[i] })) : b.txs,
    revertingTxHashes: b.revertingTxHashes,
  };
}

/** What the builder needs from a bundle simulator (@sealane/simulator provides it). */
export interface BundleSimulatorPort {
  /** Each bundle on its own at the top of the block. */
  simulateMany(bundles: SimBundle[], ctx: SimContext): Promise<BundleOutcome[]>;
  /** The bundles one after another in one block, each measured in place. */
  simulateSequence(bundles: SimBundle[], ctx: SimContext): Promise<BundleOutcome[]>;
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

const GWEI = 10n ** 9n;

export function rulesOf(p: Params, blockGasLimit: bigint): AuctionRules {
  return {
    pricing: p.auctionPricing === 1 ? 'critical' : 'first',
    ranking: p.auctionRanking === 1 ? 'valuePerGas' : 'value',
    reservePrice: BigInt(p.reservePriceGwei) * GWEI,
    gasBudget: (blockGasLimit * BigInt(p.mevLaneGasPercent)) / 100n,
  };
}

function withinTime(b: StoredBundle, timestamp: number): string | null {
  if (b.minTimestamp && timestamp < b.minTimestamp)
    return `block timestamp ${timestamp} is before minTimestamp ${b.minTimestamp}`;
  if (b.maxTimestamp && timestamp > b.maxTimestamp)
    return `block timestamp ${timestamp} is after maxTimestamp ${b.maxTimestamp}`;
  return null;
}

export class AuctionRunner {
  constructor(
    private readonly store: BundleStore,
    private readonly simulator: BundleSimulatorPort,
  ) {}

  /** Closes the slot (bundles and commitments alike) and returns every bundle received. */
  closeIntake(slot: number): Promise<StoredBundle[]> {
    return this.store.close(slot);
  }

  /** Simulates the bundles received and clears the auction. */
  async clear(
    slot: number,
    received: StoredBundle[],
    params: Params,
    ctx: SimContext,
  ): Promise<AuctionOutcome> {
    const rules = rulesOf(params, ctx.gasLimit);
    const seed = new Uint8Array(randomBytes(32));
    const base = { slot, seed, rules, bids: received.length };
    if (received.length === 0) return { ...base, leaves: [], bidsRoot: toHex(EMPTY_BIDS_ROOT), winners: [] };

    const failed = new Map<string, string>();
    const timely = received.filter((b) => {
      const why = withinTime(b, ctx.timestamp);
      if (why) failed.set(b.bundleHash, why);
      return !why;
    });
    let sims = await this.simulator.simulateMany(timely.map(simBundle), ctx);
    // A failing transaction the searcher allowed to be dropped goes; the rest is tried again once.
    const retry = timely
      .map((b, i) => ({ b, i, s: sims[i] }))
      .filter(
        ({ b, s }) => !s.ok && s.failedTx && b.droppingTxHashes.includes(s.failedTx) && b.txs.length > 1,
      );
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
      const again = await this.simulator.simulateMany(trimmed.map(simBundle), ctx);
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
      const decoded = b.txs.map((raw, j) => decodeTransaction(fromHex(raw), { knownSender: b.senders?.[j] }));
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
}
