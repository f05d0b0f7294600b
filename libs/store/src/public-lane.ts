/**
 * The public lane in Redis: transactions anyone sent with eth_sendRawTransaction, kept in
 * arrival order until the builder includes or skips them. One round trip per accepted tx, in
 * which the lane refuses what a node's pool refuses (geth's rules), against the engine's account
 * state the caller passes in plus the sender's waiting transactions.
 */
import { InsufficientFundsError, maxCost, type DecodedTx } from '@sealane/protocol';
import type { Accepted, EngineAccount, LaneLimits } from './lane-rules';
import { includedStatus, type Keys, type TxStatus } from './names';
import type { SealaneRedis } from './redis';
import { Scripts } from './scripts';

export interface PoolEntry {
  hash: string;
  from: string;
  raw: string;
  seq: number;
}

export class PublicLane {
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: SealaneRedis,
    private readonly keys: Keys,
  ) {
    this.scripts = new Scripts(redis, keys);
  }

  /**
   * Stores the transaction durably, or refuses it as geth would: already known, nonce too low,
   * nonce too high (beyond the window), replacement underpriced, insufficient funds for it and
   * the sender's other waiting transactions, or pool full.
   */
  async add(tx: DecodedTx, rawHex: string, account: EngineAccount, limits: LaneLimits): Promise<Accepted> {
    const cost = maxCost(tx);
    if (cost > account.balance)
      throw new InsufficientFundsError(
        `insufficient funds for gas * price + value: balance ${account.balance}, tx cost ${cost}, overshot ${cost - account.balance}`,
      );
    return this.scripts.addPublicTx(tx, rawHex, account, limits, cost);
  }

  /** The oldest `limit` waiting transactions, in arrival order. */
  async peek(limit: number): Promise<PoolEntry[]> {
    return this.entries(await this.order(limit));
  }

  /** The hashes and arrival numbers of the oldest `limit` waiting transactions (no bodies). */
  async order(limit: number): Promise<{ hash: string; seq: number }[]> {
    const flat = await this.redis.zrange(this.keys.publicPool(), '0', String(limit - 1), 'WITHSCORES');
    const out: { hash: string; seq: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ hash: flat[i], seq: Number(flat[i + 1]) });
    return out;
  }

  /** Like order(), for the transactions that arrived after arrival number `seq` only. */
  async orderAfter(seq: number, limit: number): Promise<{ hash: string; seq: number }[]> {
    if (limit <= 0) return [];
    const flat = await this.redis.zrangebyscore(
      this.keys.publicPool(),
      `(${seq}`,
      '+inf',
      'WITHSCORES',
      'LIMIT',
      0,
      limit,
    );
    const out: { hash: string; seq: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ hash: flat[i], seq: Number(flat[i + 1]) });
    return out;
  }

  /** How many waiting transactions arrived at or before arrival number `seq`. */
  countUpTo(seq: number): Promise<number> {
    return this.redis.zcount(this.keys.publicPool(), '-inf', seq);
  }

  /** The bodies of `refs` (from order()); one that left the lane meanwhile is left out. */
  async entries(refs: readonly { hash: string; seq: number }[]): Promise<PoolEntry[]> {
    if (refs.length === 0) return [];
    const values = await this.redis.hmget(this.keys.publicTxs(), ...refs.map((r) => r.hash));
    const out: PoolEntry[] = [];
    values.forEach((v, i) => {
      // sender ‖ meta ‖ ';' ‖ raw; a value stored before meta existed is sender ‖ raw.
      if (v)
        out.push({
          hash: refs[i].hash,
          from: v.slice(0, 42),
          raw: '0x' + v.slice(v.indexOf(';') + 1 || 42),
          seq: refs[i].seq,
        });
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
    const [included, json, seq] = await Promise.all([
      this.redis.hget(this.keys.txIncluded(), hash.toLowerCase()),
      this.redis.get(this.keys.txStatus(hash)),
      this.redis.zscore(this.keys.publicPool(), hash.toLowerCase()),
    ]);
    // The chain has the last word; then what the lane said (skipped, replaced; or included, as
    // an older version recorded it).
    if (included) return includedStatus(included);
    if (json) return JSON.parse(json) as TxStatus;
    if (seq !== null) return { status: 'pending', seq: Number(seq) };
    return null;
  }
}
