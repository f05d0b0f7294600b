/**
 * The sealed chain as Sealane records it: the sealed head, each block's record, a slot's plan
 * (saved before its block is mined) and the one fenced, idempotent write of a sealed slot.
 * Every reader of the head or of block records goes through here.
 */
import type { BundleStatus, SlotResults } from './bundle-store';
import type { CommitmentStatus } from './commit-store';
import type { Keys, SealedBlock, TxStatus } from './names';
import type { ParamsStore } from './params-store';
import type { SealaneRedis } from './redis';
import { draftRecord, type RecordDraft } from './record-pack';
import { Scripts } from './scripts';
import { BlockRecordMissingError } from './store.error';

/** Everything a sealed slot leaves behind, written all or nothing. */
export interface SlotRecord {
  block: SealedBlock;
  txs: { hash: string; from: string; status: TxStatus }[];
  bundles: { bundleHash: string; patch: Partial<BundleStatus> }[];
  commitments: { commitment: string; patch: Partial<CommitmentStatus> }[];
  results: SlotResults | null;
}

export type RecordResult = 'recorded' | 'already recorded';

/** The L2 engine as the builder last found it: rebuilding from the records, or in step with them. */
export type EngineStatus =
  | { state: 'rebuilding'; from: number; to: number; done: number; sinceMs: number }
  | { state: 'ok'; lastRebuild?: { from: number; to: number; ms: number; atMs: number } };

export class ChainStore {
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: SealaneRedis,
    private readonly keys: Keys,
  ) {
    this.scripts = new Scripts(redis, keys);
  }

  /** The highest block recorded as sealed (0 before the first). */
  async sealedHead(): Promise<number> {
    return Number((await this.redis.get(this.keys.sealedHead())) ?? 0);
  }

  async block(n: number): Promise<SealedBlock | null> {
    const json = await this.redis.get(this.keys.block(n));
    return json ? (JSON.parse(json) as SealedBlock) : null;
  }

  /** Block records in one round trip; null where a block has no record. */
  async blocks(numbers: readonly number[]): Promise<(SealedBlock | null)[]> {
    if (numbers.length === 0) return [];
    const jsons = await this.redis.mget(numbers.map((n) => this.keys.block(n)));
    return jsons.map((j) => (j ? (JSON.parse(j) as SealedBlock) : null));
  }

  /**
   * What waits for the top of `slot`'s block besides the public lane: bundles sent for it,
   * commitments made for it, forced transactions queued. While all are zero the public lane is
   * the whole block (the builder may stream it into the engine ahead of the seal).
   */
  async topOfBlockWaiting(slot: number): Promise<{ bundles: number; commitments: number; forced: number }> {
    const [bundles, commitments, forced] = await Promise.all([
      this.redis.hlen(this.keys.slotBundles(slot)),
      this.redis.llen(this.keys.slotCommitments(slot)),
      this.redis.hlen(this.keys.forcedQueue()),
    ]);
    return { bundles, commitments, forced };
  }

  /**
   * When slot `head` ended: its start plus its slot length, by the parameters in force at it;
   * slot 0 (the genesis block) ends at the genesis timestamp.
   */
  async slotEndMs(
    head: number,
    params: Pick<ParamsStore, 'snapshot'>,
    genesisMs: () => Promise<number>,
  ): Promise<number> {
    if (head === 0) return genesisMs();
    const prev = await this.block(head);
    if (!prev) throw new BlockRecordMissingError(`sealed block ${head} has no record`);
    return prev.startMs + (await params.snapshot(head)).values.slotMs;
  }

  async engineStatus(): Promise<EngineStatus> {
    const json = await this.redis.get(this.keys.engineStatus());
    return json ? (JSON.parse(json) as EngineStatus) : { state: 'ok' };
  }

  async setEngineStatus(s: EngineStatus): Promise<void> {
    await this.redis.set(this.keys.engineStatus(), JSON.stringify(s));
  }

  /** The builder that holds the lease, if any. */
  async leader(): Promise<string | null> {
    return this.redis.get(this.keys.lease('builder'));
  }

  /**
   * Writes the slot's record in one fenced, idempotent Lua call; with `draft` (draftRecord of
   * the same transactions, made while the engine mined), only the block's header is added.
   */
  recordSealed(
    token: string,
    r: SlotRecord,
    statusTtlSec: number,
    draft?: RecordDraft,
  ): Promise<RecordResult> {
    return this.scripts.recordSealed(token, draft ?? draftRecord(this.keys, r), r.block, statusTtlSec);
  }

  /**
   * Serializes a slot's record ahead of its block's header: a builder drafts it from its plan
   * while the engine mines, then passes it to recordSealed once the block is read back.
   */
  draftRecord(r: SlotRecord): RecordDraft {
    return draftRecord(this.keys, r);
  }

  /** Stores a slot's plan before its block is mined, fenced by the lease. */
  savePlan(token: string, slot: number, plan: unknown): Promise<void> {
    return this.scripts.savePlan(token, slot, plan);
  }

  async loadPlan<T>(slot: number): Promise<T | null> {
    const json = await this.redis.get(this.keys.slotPlan(slot));
    return json ? (JSON.parse(json) as T) : null;
  }
}

/** A named lease in Redis: PX-expiring, renewed and released only by its holder's token. */
export class LeaseStore {
  private readonly scripts: Scripts;

  constructor(redis: SealaneRedis) {
    this.scripts = new Scripts(redis);
  }

  /** [1, ttl] held by this token now, or [0, ms the other holder has left]. */
  renew(key: string, token: string, ttlMs: number): Promise<[number, number]> {
    return this.scripts.renewLease(key, token, ttlMs);
  }

  release(key: string, token: string): Promise<void> {
    return this.scripts.releaseLease(key, token);
  }
}
