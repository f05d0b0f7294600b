/**
 * Senders' (nonce, balance) on the L2 engine, for the public lane's send-time checks. The engine
 * seals only when the builder mines, so an account read at head N is exact until head N + 1: a
 * cache keyed by the head, and the reads of one event-loop turn batched into one engine request
 * (one head check plus the misses), keep the ingest fast.
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

  constructor(private readonly engine: EngineBatch) {}

  get(address: string): Promise<EngineAccount> {
    const a = address.toLowerCase();
    return new Promise((resolve, reject) => {
      this.queue.push({ address: a, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    try {
      const found = await this.read([...new Set(queue.map((w) => w.address))]);
      for (const w of queue) w.resolve(found.get(w.address)!);
    } catch (e) {
      for (const w of queue) w.reject(e);
    }
  }

  /** One engine batch per round: the head before and after, and every address not cached at it. */
  private async read(addresses: string[]): Promise<Map<string, EngineAccount>> {
    const out = new Map<string, EngineAccount>();
    let todo = addresses;
    for (let round = 0; todo.length > 0; round++) {
      const misses = todo.filter((a) => !this.cache.has(a));
      const calls: RpcCall[] = [['eth_blockNumber', []]];
      for (const a of misses)
        calls.push(['eth_getTransactionCount', [a, 'latest']], ['eth_getBalance', [a, 'latest']]);
      calls.push(['eth_blockNumber', []]);
      const res = (await this.engine.batch(calls)).map((r) => {
        if (!r.ok) throw r.error;
        return r.result;
      });
      const before = Number(res[0]);
      const after = Number(res[res.length - 1]);
      if (before !== this.head) {
        // A new block: every cached account may have changed.
        this.head = before;
        this.cache = new Map();
      }
      misses.forEach((a, i) => {
        const acc = { nonce: Number(res[1 + 2 * i]), balance: BigInt(res[2 + 2 * i] as string) };
        out.set(a, acc);
        // Read across a seal: right for this answer, but not known to belong to either head.
        if (after === before && this.cache.size < MAX_CACHED) this.cache.set(a, acc);
      });
      // Hits are read after the head check of this round, so they belong to it.
      const retry: string[] = [];
      for (const a of todo) {
        if (out.has(a)) continue;
        const hit = this.cache.get(a);
        if (hit) out.set(a, hit);
        else retry.push(a);
      }
      todo = retry;
      if (round > 8) throw new Error('the L2 engine head keeps moving while reading accounts');
    }
    return out;
  }
}
