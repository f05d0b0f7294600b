/**
 * The public lane in Redis: transactions anyone sent with eth_sendRawTransaction, kept in
 * arrival order until the builder includes or skips them. One round trip per accepted tx, in
 * which the lane refuses what a node's pool refuses (geth's rules), against the engine's account
 * state the caller passes in plus the sender's waiting transactions.
 */
import {
  AlreadyKnownError,
  InsufficientFundsError,
  maxCost,
  NonceTooHighError,
  NonceTooLowError,
  PoolFullError,
  ReplacementUnderpricedError,
  type DecodedTx,
} from '@sealane/protocol';
import type { Keys, TxStatus } from './names';
import type { SealaneRedis } from './redis';

export interface PoolEntry {
  hash: string;
  from: string;
  raw: string;
  seq: number;
}

/** The sender's account on the engine at the last sealed block. */
export interface EngineAccount {
  nonce: number;
  balance: bigint;
}

export interface LaneLimits {
  /** Most transactions waiting in the lane. */
  capacity: number;
  /**
   * A nonce must be below the engine nonce + this: bounds both a sender's waiting transactions
   * and the gap ahead of its nonce (geth queues at most 64 per account).
   */
  nonceWindow: number;
  /** How long the status of a replaced transaction, and a sender's cost index, are kept. */
  statusTtlSec: number;
}

export const DEFAULT_NONCE_WINDOW = 64;
/** geth's default price bump: a replacement pays at least 10% more, on both fee caps. */
export const PRICE_BUMP_PERCENT = 110n;

/** The least fee a replacement must offer: 10% more, and strictly more (geth's rule). */
export function bumped(fee: bigint): bigint {
  const t = (fee * PRICE_BUMP_PERCENT) / 100n;
  return t > fee ? t : fee + 1n;
}

export interface Accepted {
  seq: number;
  /** The waiting transaction of the same nonce this one replaced. */
  replaced?: string;
}

export class PublicLane {
  constructor(
    private readonly redis: SealaneRedis,
    private readonly keys: Keys,
  ) {}

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
    const k = this.keys;
    const meta = `${bumped(tx.maxFeePerGas)},${bumped(tx.maxPriorityFeePerGas)},${cost}`;
    const [code, detail] = await this.redis.addPublicTx(
      k.publicPool(),
      k.publicTxs(),
      k.publicSeq(),
      k.publicSender(tx.from),
      k.txStatus(tx.hash),
      k.publicSenderCosts(tx.from),
      tx.hash,
      `${tx.from}${meta};${rawHex.slice(2)}`,
      limits.capacity,
      tx.nonce,
      account.nonce,
      account.balance.toString(),
      cost.toString(),
      tx.maxFeePerGas.toString(),
      tx.maxPriorityFeePerGas.toString(),
      limits.nonceWindow,
      k.txStatus(''),
      limits.statusTtlSec,
      limits.statusTtlSec,
    );
    switch (code) {
      case -1:
        throw new AlreadyKnownError('already known');
      case -2:
        throw new PoolFullError(`the public lane is full (${limits.capacity} transactions); try again later`);
      case -3: {
        const st = detail ? (JSON.parse(detail) as TxStatus) : null;
        throw new NonceTooLowError(
          st?.status === 'included'
            ? `nonce too low: transaction already included in block ${st.block}`
            : `nonce too low: next nonce ${account.nonce}, tx nonce ${tx.nonce}`,
        );
      }
      case -4:
        throw new ReplacementUnderpricedError('replacement transaction underpriced', {
          data: { minBumpPercent: Number(PRICE_BUMP_PERCENT - 100n) },
        });
      case -5: {
        const queued = BigInt(detail ?? '0');
        throw new InsufficientFundsError(
          `insufficient funds for gas * price + value: balance ${account.balance}, queued cost ${queued}, tx cost ${cost}, overshot ${queued + cost - account.balance}`,
        );
      }
      case -6:
        throw new NonceTooHighError(
          `nonce too high: next nonce ${account.nonce}, tx nonce ${tx.nonce}; at most ${limits.nonceWindow} nonces ahead wait per sender`,
          { data: { nonceWindow: limits.nonceWindow } },
        );
    }
    return detail ? { seq: code, replaced: detail } : { seq: code };
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
      // sender ‖ meta ‖ ';' ‖ raw; a value stored before meta existed is sender ‖ raw.
      if (v)
        out.push({
          hash: hashes[i],
          from: v.slice(0, 42),
          raw: '0x' + v.slice(v.indexOf(';') + 1 || 42),
          seq: seqs[i],
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
    const [json, seq] = await Promise.all([
      this.redis.get(this.keys.txStatus(hash)),
      this.redis.zscore(this.keys.publicPool(), hash.toLowerCase()),
    ]);
    if (json) return JSON.parse(json) as TxStatus;
    if (seq !== null) return { status: 'pending', seq: Number(seq) };
    return null;
  }
}
