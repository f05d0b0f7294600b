/**
 * Sealed bundles in Redis: accepted while their slot's auction is open, read once at the close.
 * Nothing here is readable by anyone but the builder until the slot's results are published:
 * the gateway answers a bundle's status only to the searcher that signed it.
 */
import type { Pricing, Ranking } from '@sealane/auction';
import { BundleNotFoundError } from '@sealane/protocol';
import { RECORD_TTL_SEC, type Keys } from './names';
import type { SealaneRedis } from './redis';
import { Scripts } from './scripts';

export interface StoredBundle {
  bundleHash: string;
  searcher: string;
  slot: number;
  txs: string[];
  txHashes: string[];
  /**
   * Each transaction's sender, recovered at intake, so that the close does not recover them again.
   * Absent from bundles stored by a gateway older than this field (their senders are recovered).
   */
  senders?: string[];
  revertingTxHashes: string[];
  droppingTxHashes: string[];
  minTimestamp?: number;
  maxTimestamp?: number;
  replacementUuid?: string;
  /** BuilderNet's ordering of a uuid's replacements and cancels: each must be above the last. */
  replacementNonce?: number;
  receivedAt: number;
}

/**
 * What makes a request to replace or cancel a uuid's bundle newer than the last one: its
 * replacementNonce if it has one, and its request id (keccak of the signed body and its place in
 * a batch), never accepted twice for one uuid, so a replayed (header, body) pair is refused.
 */
export interface ReplacementGuard {
  replacementNonce?: number;
  requestId?: string;
}

export type BundleState = 'received' | 'replaced' | 'cancelled' | 'won' | 'lost' | 'included' | 'dropped';

/** Why an auction winner was dropped from its block. */
export type DropCode =
  'fails-in-place' | 'below-price' | 'engine-refused' | 'refund-refused' | 'block-refused';

export interface BundleStatus {
  bundleHash: string;
  searcher: string;
  slot: number;
  state: BundleState;
  receivedAt: number;
  simulatedAt?: number;
  /** Decimal wei strings, once simulated / cleared. */
  value?: string;
  price?: string;
  refund?: string;
  gasUsed?: number;
  refundTxHash?: string;
  block?: number;
  reason?: string;
  /** Why a winner was dropped, in one word (absent in a status recorded by an older version). */
  code?: DropCode;
}

export interface SlotWinner {
  bundleHash: string;
  searcher: string;
  value: string;
  price: string;
  refund: string;
  gasUsed: number;
  refundTxHash?: string;
  priceSetBy: string | null;
}

/** What a slot's auction did, public once its block is sealed. */
export interface SlotResults {
  slot: number;
  block: number;
  paramsVersion: number;
  rules: {
    pricing: Pricing;
    ranking: Ranking;
    reservePrice: string;
    gasBudget: number;
  };
  /** Revealed at the close; ties were broken by keccak256(seed ‖ bundle hash). */
  seed: string;
  bids: number;
  /** Merkle root over every bid received (sorted-pair keccak tree). */
  bidsRoot: string;
  /** Leaves of that tree, so anyone can recompute the root and each searcher check its proof. */
  leaves: string[];
  winners: SlotWinner[];
  /** Winners dropped when re-simulated in place, with the reason. */
  dropped: { bundleHash: string; reason: string }[];
}

export class BundleStore {
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: SealaneRedis,
    private readonly keys: Keys,
  ) {
    this.scripts = new Scripts(redis, keys);
  }

  /**
   * Stores a bundle (replacing the searcher's bundle with the same uuid); returns the replaced one.
   * Refused atomically: a bundle already held in the slot by another entry or searcher, one that
   * carries a committed fee transaction of the slot, and a replacement not newer than the last.
   */
  async add(b: StoredBundle, limit: number, guard: ReplacementGuard = {}): Promise<StoredBundle | null> {
    const prev = await this.scripts.addBundle(b, limit, guard);
    if (prev && prev.bundleHash !== b.bundleHash)
      await this.setState(prev.bundleHash, 'replaced', { reason: `replaced by ${b.bundleHash}` });
    return prev;
  }

  /** Cancels the searcher's bundle with this uuid until its slot closes; returns its hash. */
  async cancel(searcher: string, uuid: string, guard: ReplacementGuard = {}): Promise<string> {
    const slot = await this.redis.get(this.keys.replacementSlot(searcher, uuid));
    if (slot === null) throw new BundleNotFoundError(`no bundle with replacementUuid ${uuid}`);
    const prev = await this.scripts.cancelBundle(searcher, uuid, slot, guard);
    await this.setState(prev.bundleHash, 'cancelled');
    return prev.bundleHash;
  }

  /** Closes the slot's auction and returns every bundle in it. */
  async close(slot: number): Promise<StoredBundle[]> {
    return this.scripts.closeAuction(slot);
  }

  async isClosed(slot: number): Promise<boolean> {
    return (await this.redis.exists(this.keys.slotClosed(slot))) === 1;
  }

  async status(bundleHash: string): Promise<BundleStatus | null> {
    const json = await this.redis.get(this.keys.bundleStatus(bundleHash));
    return json ? (JSON.parse(json) as BundleStatus) : null;
  }

  async setState(bundleHash: string, state: BundleState, extra: Partial<BundleStatus> = {}): Promise<void> {
    const cur = await this.status(bundleHash);
    if (!cur) return;
    await this.redis.set(
      this.keys.bundleStatus(bundleHash),
      JSON.stringify({ ...cur, ...extra, state }),
      'EX',
      RECORD_TTL_SEC,
    );
  }

  async saveResults(r: SlotResults): Promise<void> {
    await this.redis.set(this.keys.slotResults(r.slot), JSON.stringify(r), 'EX', RECORD_TTL_SEC);
  }

  async results(slot: number): Promise<SlotResults | null> {
    const json = await this.redis.get(this.keys.slotResults(slot));
    return json ? (JSON.parse(json) as SlotResults) : null;
  }
}
