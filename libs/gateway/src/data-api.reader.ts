/**
 * What the public data API reads, in as few round trips as it can: block records, slot results,
 * the bids and commitments of sealed slots with their statuses, posted batches, and a sealed
 * block's gas from the L2 engine and a batch's L1 block time from L1 (both kept, being final).
 * Read only: it writes nothing anywhere. Callers pass only slots at or below the sealed head.
 */
import type { EngineBlock, EngineClient, L2Engine } from '@sealane/engine';
import {
  ChainStore,
  PosterStore,
  type BundleStatus,
  type CommitmentStatus,
  type Keys,
  type ParamsStore,
  type PostedBatch,
  type SealaneRedis,
  type SealedBlock,
  type SlotResults,
  type StoredBundle,
  type StoredCommitment,
} from '@sealane/store';

export interface DataReaderDeps {
  redis: SealaneRedis;
  keys: Keys;
  params: ParamsStore;
  engine: L2Engine;
  /** L1, for the time of a batch's block; null when there is none to ask. */
  l1: EngineClient | null;
}

/** Keys per MGET. */
const CHUNK = 200;
/** Final values kept (sealed blocks' gas, L1 blocks' times), each map at most this many. */
const CACHE_MAX = 4096;
/** After L1 failed to answer, how long it is not asked again. */
const L1_BACKOFF_MS = 5000;

const parse = <T>(j: string | null): T | null => (j ? (JSON.parse(j) as T) : null);

function remember<K, V>(m: Map<K, V>, k: K, v: V): void {
  if (m.size >= CACHE_MAX) m.delete(m.keys().next().value as K);
  m.set(k, v);
}

export interface BlockGas {
  gasUsed: number;
  gasLimit: number;
}

export class DataReader {
  readonly chain: ChainStore;
  readonly poster: PosterStore;
  private readonly gasCache = new Map<string, BlockGas>();
  private readonly l1Cache = new Map<number, number>();
  private l1DownUntil = 0;

  constructor(private readonly d: DataReaderDeps) {
    this.chain = new ChainStore(d.redis, d.keys);
    this.poster = new PosterStore(d.redis, d.keys);
  }

  private async mget<T>(keys: string[]): Promise<(T | null)[]> {
    const out: (T | null)[] = [];
    for (let i = 0; i < keys.length; i += CHUNK) {
      const part = keys.slice(i, i + CHUNK);
      if (part.length) out.push(...(await this.d.redis.mget(part)).map((j) => parse<T>(j)));
    }
    return out;
  }

  /** One pipelined read per key (HVALS or LRANGE), answered in key order. */
  private async lists(keys: string[], op: 'hvals' | 'lrange'): Promise<string[][]> {
    if (keys.length === 0) return [];
    const p = this.d.redis.pipeline();
    for (const k of keys) {
      if (op === 'hvals') p.hvals(k);
      else p.lrange(k, 0, -1);
    }
    const res = (await p.exec()) ?? [];
    return res.map(([err, v]) => {
      if (err) throw err;
      return v as string[];
    });
  }

  sealedHead(): Promise<number> {
    return this.chain.sealedHead();
  }

  blocks(slots: readonly number[]): Promise<(SealedBlock | null)[]> {
    return this.chain.blocks(slots);
  }

  results(slots: readonly number[]): Promise<(SlotResults | null)[]> {
    return this.mget<SlotResults>(slots.map((s) => this.d.keys.slotResults(s)));
  }

  async slotMs(paramsVersion: number): Promise<number> {
    return (await this.d.params.version(paramsVersion)).values.slotMs;
  }

  /** The statuses of every bundle each slot received (its HASH stays as the close left it). */
  async bidStatuses(slots: readonly number[]): Promise<(BundleStatus | null)[][]> {
    const lists = await this.lists(
      slots.map((s) => this.d.keys.slotBundles(s)),
      'hvals',
    );
    const hashes = lists.map((l) => l.map((j) => (JSON.parse(j) as StoredBundle).bundleHash));
    const flat = await this.mget<BundleStatus>(hashes.flat().map((h) => this.d.keys.bundleStatus(h)));
    let at = 0;
    return hashes.map((hs) => flat.slice(at, (at += hs.length)));
  }

  /** Each slot's commitments in position order, with their statuses. */
  async commitments(
    slots: readonly number[],
  ): Promise<{ stored: StoredCommitment[]; statuses: (CommitmentStatus | null)[] }[]> {
    const lists = await this.lists(
      slots.map((s) => this.d.keys.slotCommitments(s)),
      'lrange',
    );
    const stored = lists.map((l) => l.map((j) => JSON.parse(j) as StoredCommitment));
    const flat = await this.mget<CommitmentStatus>(
      stored.flat().map((c) => this.d.keys.commitmentStatus(c.commitment)),
    );
    let at = 0;
    return stored.map((s) => ({ stored: s, statuses: flat.slice(at, (at += s.length)) }));
  }

  batches(seqs: readonly number[]): Promise<(PostedBatch | null)[]> {
    return this.mget<PostedBatch>(seqs.map((s) => this.d.keys.batch(s)));
  }

  /**
   * gasUsed and gasLimit of sealed blocks as the L2 engine has them; null for a block the engine
   * does not have with the recorded hash (being rebuilt, say) or when it cannot be reached.
   */
  async gas(blocks: readonly SealedBlock[]): Promise<(BlockGas | null)[]> {
    const missing = blocks.filter((b) => !this.gasCache.has(b.hash));
    if (missing.length) {
      try {
        const res = await this.d.engine.batch(
          missing.map((b) => ['eth_getBlockByNumber', ['0x' + b.number.toString(16), false]]),
        );
        res.forEach((r, i) => {
          const e = r.ok ? (r.result as EngineBlock | null) : null;
          if (e && e.hash === missing[i].hash)
            remember(this.gasCache, e.hash, { gasUsed: Number(e.gasUsed), gasLimit: Number(e.gasLimit) });
        });
      } catch {
        // The engine is down or restarting: the gas is unknown for now.
      }
    }
    return blocks.map((b) => this.gasCache.get(b.hash) ?? null);
  }

  /** The times (ms, whole seconds) of L1 blocks; null where L1 did not answer. */
  async l1Times(numbers: readonly number[]): Promise<(number | null)[]> {
    const l1 = this.d.l1;
    const missing = [...new Set(numbers.filter((n) => !this.l1Cache.has(n)))];
    if (l1 && missing.length && Date.now() >= this.l1DownUntil) {
      try {
        const res = await l1.batch(
          missing.map((n) => ['eth_getBlockByNumber', ['0x' + n.toString(16), false]]),
        );
        res.forEach((r, i) => {
          const b = r.ok ? (r.result as { timestamp?: string } | null) : null;
          if (b?.timestamp) remember(this.l1Cache, missing[i], Number(b.timestamp) * 1000);
        });
      } catch {
        this.l1DownUntil = Date.now() + L1_BACKOFF_MS;
      }
    }
    return numbers.map((n) => this.l1Cache.get(n) ?? null);
  }
}
