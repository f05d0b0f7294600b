/**
 * The transactions forced through `Inbox.forceInclude`, as the sequencer tracks them: the
 * poster's watcher queues each ForcedInclusion event (idempotently, with the L1 block scanned up
 * to), the builder's forced lane reads the queue each slot, fixes each one's arrival block once,
 * and resolves it (included in a block, or dropped at its deadline) after the slot is recorded.
 */
import type { SealaneRedis } from './redis';
import type { Keys } from './names';

/** A ForcedInclusion event (the fields of @sealane/derive's ForcedTx) and its arrival once known. */
export interface ForcedEntry {
  index: number;
  raw: string;
  hash: string;
  l1Sender: string;
  l1Timestamp: number;
  l1Block: number;
  /** The first L2 block whose timestamp reaches l1Timestamp, and the deadline it gives. */
  arrival?: number;
  deadline?: number;
}

/** A forced transaction's outcome, with the deadline it had (when its arrival was known). */
export type ForcedOutcome = { deadline?: number } & (
  | { state: 'included'; block: number; txIndex: number }
  | { state: 'dropped'; block: number; code: string; reason: string }
);

const OUTCOME_TTL_SEC = 30 * 24 * 3600;

export class ForcedStore {
  constructor(
    private readonly redis: SealaneRedis,
    private readonly keys: Keys,
  ) {}

  /** Queues events (one already queued or resolved is left as it is) and moves the cursor. */
  async add(entries: readonly ForcedEntry[], scannedTo: number): Promise<void> {
    const m = this.redis.multi();
    for (const e of entries) {
      m.hsetnx(this.keys.forcedQueue(), String(e.index), JSON.stringify(e));
    }
    m.set(this.keys.forcedCursor(), String(scannedTo));
    await m.exec();
    // An event re-read after its outcome was written must not come back as pending.
    const resolved = await this.outcomes(entries.map((e) => e.index));
    const back = entries.filter((_, i) => resolved[i] !== null).map((e) => String(e.index));
    if (back.length) await this.redis.hdel(this.keys.forcedQueue(), ...back);
  }

  /** The L1 block the queue is complete up to (-1 before the first scan). */
  async cursor(): Promise<number> {
    const v = await this.redis.get(this.keys.forcedCursor());
    return v === null ? -1 : Number(v);
  }

  /** Unresolved forced transactions, in index order. */
  async pending(): Promise<ForcedEntry[]> {
    const all = await this.redis.hvals(this.keys.forcedQueue());
    return all.map((j) => JSON.parse(j) as ForcedEntry).sort((a, b) => a.index - b.index);
  }

  async setArrival(e: ForcedEntry): Promise<void> {
    // Only while still queued: a resolved entry is not brought back.
    const script =
      "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end";
    await this.redis.eval(script, 1, this.keys.forcedQueue(), String(e.index), JSON.stringify(e));
  }

  /** Writes outcomes and takes the entries out of the queue; an outcome is never changed. */
  async resolve(outcomes: readonly { index: number; outcome: ForcedOutcome }[]): Promise<void> {
    if (outcomes.length === 0) return;
    const m = this.redis.multi();
    for (const o of outcomes) {
      m.set(this.keys.forcedOutcome(o.index), JSON.stringify(o.outcome), 'EX', OUTCOME_TTL_SEC, 'NX');
      m.hdel(this.keys.forcedQueue(), String(o.index));
    }
    await m.exec();
  }

  async outcomes(indexes: readonly number[]): Promise<(ForcedOutcome | null)[]> {
    if (indexes.length === 0) return [];
    const v = await this.redis.mget(indexes.map((i) => this.keys.forcedOutcome(i)));
    return v.map((j) => (j ? (JSON.parse(j) as ForcedOutcome) : null));
  }

  /** What the sequencer knows of forced transaction `index`: queued (with its entry) or resolved. */
  async status(index: number): Promise<{ entry: ForcedEntry | null; outcome: ForcedOutcome | null }> {
    const [entry, [outcome]] = await Promise.all([
      this.redis.hget(this.keys.forcedQueue(), String(index)),
      this.outcomes([index]),
    ]);
    return { entry: entry ? (JSON.parse(entry) as ForcedEntry) : null, outcome };
  }
}
