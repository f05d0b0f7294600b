/**
 * Sealed bundles in Redis: accepted while their slot's auction is open, read once at the close.
 * Nothing here is readable by anyone but the builder until the slot's results are published:
 * the gateway answers a bundle's status only to the searcher that signed it.
 */
import { BundleNotFoundError, IntakePausedError, RateLimitedError, SlotClosedError } from '@sealane/protocol';
import type { Keys } from './names';
import type { SealaneRedis } from './redis';

/** Bundles and their records expire after this: long after any slot they target has sealed. */
const TTL_SEC = 3 * 24 * 3600;

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
  receivedAt: number;
}

export type BundleState = 'received' | 'replaced' | 'cancelled' | 'won' | 'lost' | 'included' | 'dropped';

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
    pricing: 'first' | 'critical';
    ranking: 'value' | 'valuePerGas';
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

export function entryOf(b: Pick<StoredBundle, 'searcher' | 'replacementUuid' | 'bundleHash'>): string {
  return b.replacementUuid ? `u:${b.searcher}:${b.replacementUuid.toLowerCase()}` : `h:${b.bundleHash}`;
}

export class BundleStore {
  constructor(
    private readonly redis: SealaneRedis,
    private readonly keys: Keys,
  ) {}

  /** Stores a bundle (replacing the searcher's bundle with the same uuid); returns the replaced one. */
  async add(b: StoredBundle, limit: number): Promise<StoredBundle | null> {
    const k = this.keys;
    const status: BundleStatus = {
      bundleHash: b.bundleHash,
      searcher: b.searcher,
      slot: b.slot,
      state: 'received',
      receivedAt: b.receivedAt,
    };
    const res = await this.redis.addBundle(
      k.slotClosed(b.slot),
      k.slotBundles(b.slot),
      k.searcherCount(b.slot, b.searcher),
      k.bundleStatus(b.bundleHash),
      k.intakePaused(),
      entryOf(b),
      JSON.stringify(b),
      limit,
      JSON.stringify(status),
      TTL_SEC,
    );
    if (res === -1) throw new SlotClosedError(`the auction for block ${b.slot} has closed`);
    if (res === -2) throw new RateLimitedError(`at most ${limit} bundles per searcher for one block`);
    if (res === -3) {
      const pause = JSON.parse((await this.redis.get(k.intakePaused())) ?? '{"paused":true}') as object;
      throw new IntakePausedError('bundle intake is paused by governance; try again once it is resumed', {
        data: pause,
      });
    }
    if (b.replacementUuid)
      await this.redis.set(k.replacementSlot(b.searcher, b.replacementUuid), String(b.slot), 'EX', TTL_SEC);
    if (typeof res !== 'string' || res === '') return null;
    const prev = JSON.parse(res) as StoredBundle;
    if (prev.bundleHash !== b.bundleHash)
      await this.setState(prev.bundleHash, 'replaced', { reason: `replaced by ${b.bundleHash}` });
    return prev;
  }

  /** Cancels the searcher's bundle with this uuid until its slot closes; returns its hash. */
  async cancel(searcher: string, uuid: string): Promise<string> {
    const slot = await this.redis.get(this.keys.replacementSlot(searcher, uuid));
    if (slot === null) throw new BundleNotFoundError(`no bundle with replacementUuid ${uuid}`);
    const entry = entryOf({ searcher, replacementUuid: uuid, bundleHash: '' });
    const res = await this.redis.cancelBundle(
      this.keys.slotClosed(Number(slot)),
      this.keys.slotBundles(Number(slot)),
      entry,
    );
    if (res === -1) throw new SlotClosedError(`the auction for block ${slot} has closed`);
    if (res === 0) throw new BundleNotFoundError(`no open bundle with replacementUuid ${uuid}`);
    const prev = JSON.parse(res as string) as StoredBundle;
    await this.setState(prev.bundleHash, 'cancelled');
    return prev.bundleHash;
  }

  /** Closes the slot's auction and returns every bundle in it. */
  async close(slot: number): Promise<StoredBundle[]> {
    const values = await this.redis.closeAuction(
      this.keys.slotClosed(slot),
      this.keys.slotBundles(slot),
      TTL_SEC,
    );
    return values.map((v) => JSON.parse(v) as StoredBundle);
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
      TTL_SEC,
    );
  }

  async saveResults(r: SlotResults): Promise<void> {
    await this.redis.set(this.keys.slotResults(r.slot), JSON.stringify(r), 'EX', TTL_SEC);
  }

  async results(slot: number): Promise<SlotResults | null> {
    const json = await this.redis.get(this.keys.slotResults(slot));
    return json ? (JSON.parse(json) as SlotResults) : null;
  }
}
