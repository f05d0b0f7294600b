/**
 * The public lane in Redis: transactions anyone sent with eth_sendRawTransaction, kept in
 * arrival order until the builder includes or skips them. One round trip per accepted tx.
 */
import { AlreadyKnownError, PoolFullError, type DecodedTx } from '@sealane/protocol';
import type { Keys, TxStatus } from './names';
import type { SealaneRedis } from './redis';

export interface PoolEntry {
  hash: string;
  from: string;
  raw: string;
  seq: number;
}

export class PublicLane {
  constructor(
    private readonly redis: SealaneRedis,
    private readonly keys: Keys,
  ) {}

  /** Stores the transaction durably; returns its arrival sequence number. */
  async add(tx: DecodedTx, rawHex: string, capacity: number): Promise<number> {
    const k = this.keys;
    const seq = await this.redis.addPublicTx(
      k.publicPool(),
      k.publicTxs(),
      k.publicSeq(),
      k.publicSender(tx.from),
      tx.hash,
      tx.from + rawHex.slice(2),
      capacity,
      tx.nonce,
    );
    if (seq === -1) throw new AlreadyKnownError('already known');
    if (seq === -2)
      throw new PoolFullError(`the public lane is full (${capacity} transactions); try again later`);
    return seq;
  }

  /** The oldest `limit` waiting transactions, in arrival order. */
  async peek(limit: number): Promise<PoolEntry[]> {
    const flat = await this.redis.zrange(this.keys.publicPool(), '0', String(limit - 1), 'WITHSCORES');
    if (flat.length === 0) return [];
    const hashes: string[] = [];
    const seqs: number[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      hashes.push(flat[i]);
      seqs.push(Number(flat[i + 1]));
    }
    const values = await this.redis.hmget(this.keys.publicTxs(), ...hashes);
    const out: PoolEntry[] = [];
    values.forEach((v, i) => {
      if (v) out.push({ hash: hashes[i], from: v.slice(0, 42), raw: '0x' + v.slice(42), seq: seqs[i] });
    });
    return out;
  }

  async size(): Promise<number> {
    return this.redis.zcard(this.keys.publicPool());
  }

  /** The next nonce for `address` counting its waiting transactions, given the engine's nonce. */
  async pendingNonce(address: string, latest: number): Promise<number> {
    const nonces = (await this.redis.zrange(this.keys.publicSender(address), '0', '-1', 'WITHSCORES'))
      .filter((_, i) => i % 2 === 1)
      .map(Number);
    const waiting = new Set(nonces);
    let n = latest;
    while (waiting.has(n)) n++;
    return n;
  }

  async status(hash: string): Promise<TxStatus | null> {
    const [json, seq] = await Promise.all([
      this.redis.get(this.keys.txStatus(hash)),
      this.redis.zscore(this.keys.publicPool(), hash.toLowerCase()),
    ]);
    if (json) return JSON.parse(json) as TxStatus;
    if (seq !== null) return { status: 'pending', seq: Number(seq) };
    return null;
  }
}
