/**
 * Senders' (nonce, balance) on the L2 engine, for the public lane's send-time checks. The engine
 * changes state only when the builder seals a block, so an account read at sealed head N is
 * exact until the builder records head N + 1: a cache keyed by the recorded head (one Redis
 * read per event-loop turn), with the engine reads of one turn batched into one request, keeps
 * the ingest fast. A block mined but not yet recorded still has its transactions in the lane,
 * so the lane itself answers for them meanwhile (already known, or a replacement).
 */
import type { BatchResult, RpcCall } from '@sealane/engine';
import type { EngineAccount } from '@sealane/store';

export interface EngineBatch {
  batch(calls: RpcCall[]): Promise<BatchResult[]>;
}

/** Bounds the cache between two heads (an entry is ~100 bytes). */
const MAX_CACHED = 100_000;

interface Waiter {
  address: string;
  resolve: (a: EngineAccount) => void;
  reject: (e: unknown) => void;
}

export class EngineAccounts {
  private head = -1;
  private cache = new Map<string, EngineAccount>();
  /** In call order: answers go out in the same order, so the lane keeps arrival order. */
  private queue: Waiter[] = [];
  private scheduled = false;
  /** Settles once every turn flushed so far has been answered. */
  private answered: Promise<void> = Promise.resolve();

  constructor(
    private readonly engine: EngineBatch,
    /** The highest block recorded as sealed. */
    private readonly sealedHead: () => Promise<number>,
  ) {}

  get(address: string): Promise<EngineAccount> {
    const a = address.toLowerCase();
    return new Promise((resolve, reject) => {
      this.queue.push({ address: a, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    const reading = this.read([...new Set(queue.map((w) => w.address))]).then(
      (found) => ({ found }),
      (error: unknown) => ({ error }),
    );
    // Reads overlap, answers do not: a later turn (all cache hits, say) never overtakes an
    // earlier one, so senders reach the lane in the order they called.
    const previous = this.answered;
    this.answered = (async () => {
      const r = await reading;
      await previous;
      for (const w of queue) {
        if ('found' in r) w.resolve(r.found.get(w.address)!);
        else w.reject(r.error);
      }
    })();
  }

  /** Per round: the head, the accounts not cached at it (one engine batch), the head again. */
  private async read(addresses: string[]): Promise<Map<string, EngineAccount>> {
    const out = new Map<string, EngineAccount>();
    let todo = addresses;
    for (let round = 0; todo.length > 0; round++) {
      if (round > 8) throw new Error('the sealed head keeps moving while reading accounts');
      const before = await this.sealedHead();
      if (before !== this.head) {
        // A new block: every cached account may have changed.
        this.head = before;
        this.cache = new Map();
      }
      const misses: string[] = [];
      for (const a of todo) {
        const hit = this.cache.get(a);
        if (hit) out.set(a, hit);
        else misses.push(a);
      }
      if (misses.length === 0) break;
      const calls: RpcCall[] = misses.flatMap((a) => [
        ['eth_getTransactionCount', [a, 'latest']] as RpcCall,
        ['eth_getBalance', [a, 'latest']] as RpcCall,
      ]);
      const res = (await this.engine.batch(calls)).map((r) => {
        if (!r.ok) throw r.error;
        return r.result;
      });
      const after = await this.sealedHead();
      // Read across a recorded seal: not known to belong to either head, so read again.
      if (after !== before) {
        todo = misses;
        continue;
      }
      misses.forEach((a, i) => {
        const acc = { nonce: Number(res[2 * i]), balance: BigInt(res[2 * i + 1] as string) };
        out.set(a, acc);
        if (this.cache.size < MAX_CACHED) this.cache.set(a, acc);
      });
      todo = [];
    }
    return out;
  }
}
