/**
 * Sealed bundles in Redis: accepted while their slot's auction is open, read once at the close.
 * Nothing here is readable by anyone but the builder until the slot's results are published:
 * the gateway answers a bundle's status only to the searcher that signed it.
 */
import {
  BundleNotFoundError,
  CommittedFeeTxError,
  DuplicateBundleError,
  IntakePausedError,
  RateLimitedError,
  ReplacementNonceTooLowError,
  SlotClosedError,
} from '@sealane/protocol';
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

  /**
   * Stores a bundle (replacing the searcher's bundle with the same uuid); returns the replaced one.
   * Refused atomically: a bundle already held in the slot by another entry or searcher, one that
   * carries a committed fee transaction of the slot, and a replacement not newer than the last.
   */
  async add(b: StoredBundle, limit: number, guard: ReplacementGuard = {}): Promise<StoredBundle | null> {
    const k = this.keys;
    const status: BundleStatus = {
      bundleHash: b.bundleHash,
      searcher: b.searcher,
      slot: b.slot,
      state: 'received',
      receivedAt: b.receivedAt,
    };
    const uuid = b.replacementUuid ?? '-';
    const nonce = guard.replacementNonce ?? b.replacementNonce;
    const res = await this.redis.addBundle(
      k.slotClosed(b.slot),
      k.slotBundles(b.slot),
      k.searcherCount(b.slot, b.searcher),
      k.bundleStatus(b.bundleHash),
      k.intakePaused(),
      k.slotBundleHashes(b.slot),
      k.replacementRecord(b.searcher, uuid),
      k.slotFeeTxs(b.slot),
      k.replacementSlot(b.searcher, uuid),
      entryOf(b),
      JSON.stringify(b),
      limit,
      JSON.stringify(status),
      TTL_SEC,
      b.searcher.toLowerCase(),
      b.bundleHash,
      b.replacementUuid ? '1' : '0',
      nonce === undefined ? '' : String(nonce),
      guard.requestId ?? '',
      b.slot,
      ...b.txHashes.map((h) => h.toLowerCase()),
    );
    if (res === -1) throw new SlotClosedError(`the auction for block ${b.slot} has closed`);
    if (res === -2) throw new RateLimitedError(`at most ${limit} bundles per searcher for one block`);
    if (res === -3) {
      const pause = JSON.parse((await this.redis.get(k.intakePaused())) ?? '{"paused":true}') as object;
      throw new IntakePausedError('bundle intake is paused by governance; try again once it is resumed', {
        data: pause,
      });
    }
    if (res === -4)
      throw new DuplicateBundleError(
        `bundle ${b.bundleHash} is already in block ${b.slot} under another entry: the same transactions are accepted once per block`,
        { data: { bundleHash: b.bundleHash, blockNumber: b.slot } },
      );
    if (typeof res === 'number' && res <= -100) {
      const i = -100 - res;
      throw new CommittedFeeTxError(
        `txs[${i}] (${b.txHashes[i]}) is the fee transaction of a commitment for block ${b.slot}: a bundle may not carry it`,
        { data: { txIndex: i, txHash: b.txHashes[i] } },
      );
    }
    if (typeof res === 'number' && res < 0) await this.refuseReplacement(res, b.searcher, uuid, nonce);
    if (typeof res !== 'string' || res === '') return null;
    const prev = JSON.parse(res) as StoredBundle;
    if (prev.bundleHash !== b.bundleHash)
      await this.setState(prev.bundleHash, 'replaced', { reason: `replaced by ${b.bundleHash}` });
    return prev;
  }

  /** Throws the error for a replacement or cancel the Lua found not newer (codes -5, -6, -7). */
  private async refuseReplacement(
    code: number,
    searcher: string,
    uuid: string,
    nonce?: number,
  ): Promise<never> {
    const stored = await this.redis.hget(this.keys.replacementRecord(searcher, uuid), 'n');
    const data = { replacementUuid: uuid, ...(stored === null ? {} : { replacementNonce: Number(stored) }) };
    if (code === -5)
      throw new ReplacementNonceTooLowError(
        `this exact request was already accepted for replacementUuid ${uuid}: a replay is refused`,
        { data },
      );
    if (code === -6)
      throw new ReplacementNonceTooLowError(
        `replacementNonce ${nonce} is not above ${stored}, the last one accepted for replacementUuid ${uuid}`,
        { data },
      );
    if (code === -7)
      throw new ReplacementNonceTooLowError(
        `replacementUuid ${uuid} is ordered by replacementNonce: send one above ${stored}`,
        { data },
      );
    throw new Error(`bundle intake answered ${code}`);
  }

  /** Cancels the searcher's bundle with this uuid until its slot closes; returns its hash. */
  async cancel(searcher: string, uuid: string, guard: ReplacementGuard = {}): Promise<string> {
    const slot = await this.redis.get(this.keys.replacementSlot(searcher, uuid));
    if (slot === null) throw new BundleNotFoundError(`no bundle with replacementUuid ${uuid}`);
    const entry = entryOf({ searcher, replacementUuid: uuid, bundleHash: '' });
    const res = await this.redis.cancelBundle(
      this.keys.slotClosed(Number(slot)),
      this.keys.slotBundles(Number(slot)),
      this.keys.slotBundleHashes(Number(slot)),
      this.keys.replacementRecord(searcher, uuid),
      entry,
      searcher.toLowerCase(),
      guard.replacementNonce === undefined ? '' : String(guard.replacementNonce),
      guard.requestId ?? '',
      TTL_SEC,
    );
    if (res === -1) throw new SlotClosedError(`the auction for block ${slot} has closed`);
    if (res === 0) throw new BundleNotFoundError(`no open bundle with replacementUuid ${uuid}`);
    if (typeof res === 'number') await this.refuseReplacement(res, searcher, uuid, guard.replacementNonce);
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
