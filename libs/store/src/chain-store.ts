/**
 * The sealed chain as Sealane records it: the sealed head, each block's record, a slot's plan
 * (saved before its block is mined) and the one fenced, idempotent write of a sealed slot.
 * Every reader of the head or of block records goes through here.
 */
import { NotLeaderError } from '@sealane/protocol';
import type { BundleStatus } from './bundle-store';
import type { CommitmentStatus } from './commit-store';
import type { SlotResults } from './bundle-store';
import type { Keys, SealedBlock, TxStatus } from './names';
import type { SealaneRedis } from './redis';

/** Everything a sealed slot leaves behind, written all or nothing. */
export interface SlotRecord {
  block: SealedBlock;
  txs: { hash: string; from: string; status: TxStatus }[];
  bundles: { bundleHash: string; patch: Partial<BundleStatus> }[];
  commitments: { commitment: string; patch: Partial<CommitmentStatus> }[];
  results: SlotResults | null;
}

export type RecordResult = 'recorded' | 'already recorded';

/** How long block records and slot plans are kept. */
export const RECORD_TTL_SEC = 3 * 24 * 3600;

export class ChainStore {
  constructor(
    private readonly redis: SealaneRedis,
    private readonly keys: Keys,
  ) {}

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

  /** The builder that holds the lease, if any. */
  async leader(): Promise<string | null> {
    return this.redis.get(this.keys.lease('builder'));
  }

  /** Writes the slot's record in one fenced, idempotent Lua call. */
  async recordSealed(token: string, r: SlotRecord, statusTtlSec: number): Promise<RecordResult> {
    const keys = this.keys;
    const retire: (string | number)[] = [];
    for (const t of r.txs)
      retire.push(
        t.hash,
        keys.publicSender(t.from),
        keys.txStatus(t.hash),
        JSON.stringify(t.status),
        t.status.status === 'included' ? 'i' : 's',
      );
    const patches: string[] = [];
    for (const b of r.bundles) patches.push(keys.bundleStatus(b.bundleHash), JSON.stringify(b.patch));
    for (const c of r.commitments) patches.push(keys.commitmentStatus(c.commitment), JSON.stringify(c.patch));
    const sets: string[] = [];
    if (r.results) sets.push(keys.slotResults(r.results.slot), JSON.stringify(r.results));
    const n = r.block.number;
    const res = await this.redis.recordSealed(
      keys.lease('builder'),
      keys.sealedHead(),
      keys.publicPool(),
      keys.publicTxs(),
      token,
      n,
      keys.block(n),
      JSON.stringify(r.block),
      r.block.hash,
      statusTtlSec,
      RECORD_TTL_SEC,
      r.txs.length,
      patches.length / 2,
      sets.length / 2,
      keys.slotPlan(n),
      ...retire,
      ...patches,
      ...sets,
    );
    if (res === 1) return 'recorded';
    if (res === 0) return 'already recorded';
    if (res === -1) throw new NotLeaderError(`builder ${token} lost the lease before recording block ${n}`);
    if (res === -2) throw new Error(`block ${n} is not the next block to record`);
    throw new Error(`another block is already recorded at number ${n}`);
  }

  /** Stores a slot's plan before its block is mined, fenced by the lease. */
  async savePlan(token: string, slot: number, plan: unknown): Promise<void> {
    const res = await this.redis.savePlan(
      this.keys.lease('builder'),
      this.keys.slotPlan(slot),
      token,
      JSON.stringify(plan),
      RECORD_TTL_SEC,
    );
    if (res === -1)
      throw new NotLeaderError(`builder ${token} no longer holds the lease to plan slot ${slot}`);
  }

  async loadPlan<T>(slot: number): Promise<T | null> {
    const json = await this.redis.get(this.keys.slotPlan(slot));
    return json ? (JSON.parse(json) as T) : null;
  }
}

/** A named lease in Redis: PX-expiring, renewed and released only by its holder's token. */
export class LeaseStore {
  constructor(private readonly redis: SealaneRedis) {}

  /** [1, ttl] held by this token now, or [0, ms the other holder has left]. */
  renew(key: string, token: string, ttlMs: number): Promise<[number, number]> {
    return this.redis.renewLease(key, token, ttlMs);
  }

  async release(key: string, token: string): Promise<void> {
    await this.redis.releaseLease(key, token);
  }
}
