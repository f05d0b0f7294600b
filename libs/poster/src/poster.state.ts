/**
 * The poster's durable state in Redis (one HASH at `keys.posterState()`): the next batch
 * sequence number, the next L2 block, and the in-flight L1 transaction, written before it is
 * broadcast so that a crash at any point leaves enough to rebroadcast it or adopt what landed.
 */
import type Redis from 'ioredis';
import type { Keys } from '@sealane/store';

/** The one batch on its way to L1. Fees are decimal strings (bigint in JSON). */
export interface InFlightBatch {
  seq: number;
  firstBlock: number;
  lastBlock: number;
  /** keccak256 of the batch data, as the Inbox's event will carry it. */
  dataHash: string;
  rawBytes: number;
  compressedBytes: number;
  nonce: number;
  gasLimit: string;
  /** The newest signed transaction: what a rebroadcast sends. */
  raw: string;
  hash: string;
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
  /** Clock reading when the newest attempt was signed; starts the resubmission timer. */
  sentAtMs: number;
  /** Hashes of every signed attempt (same nonce, rising fees): any one of them may land. */
  attempts: string[];
  /** L1 head when the batch was first signed: its event cannot be older. */
  l1FromBlock: number;
  /** Where its event was last seen, to tell a reorg that removed it from "not mined yet". */
  minedIn?: { blockNumber: number; blockHash: string; txHash: string };
}

export interface PosterState {
  nextBatch: number;
  nextBlock: number;
  pending: InFlightBatch | null;
}

/** What `keys.batch(seq)` holds for each batch on L1. */
export interface PostedBatch {
  sequenceNumber: number;
  firstBlock: number;
  lastBlock: number;
  l1TxHash: string;
  l1BlockNumber: number;
  rawBytes: number;
  compressedBytes: number;
  dataHash: string;
}

export class PosterStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** The state, or null if this deployment's poster never wrote any. */
  async load(): Promise<PosterState | null> {
    const h = await this.redis.hgetall(this.keys.posterState());
    if (h.nextBatch === undefined || h.nextBlock === undefined) return null;
    return {
      nextBatch: Number(h.nextBatch),
      nextBlock: Number(h.nextBlock),
      pending: h.pending ? (JSON.parse(h.pending) as InFlightBatch) : null,
    };
  }

  /** Sets the cursor and clears any in-flight record. */
  async reset(nextBatch: number, nextBlock: number): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.posterState(), { nextBatch, nextBlock })
      .hdel(this.keys.posterState(), 'pending')
      .exec();
  }

  /** Writes the in-flight record (before every broadcast of a new signed transaction). */
  async savePending(p: InFlightBatch): Promise<void> {
    await this.redis.hset(this.keys.posterState(), {
      nextBatch: p.seq,
      nextBlock: p.firstBlock,
      pending: JSON.stringify(p),
    });
  }

  /** Records a batch found on L1 and moves the cursor past it, in one MULTI. */
  async recordPosted(b: PostedBatch): Promise<void> {
    await this.redis
      .multi()
      .set(this.keys.batch(b.sequenceNumber), JSON.stringify(b))
      .hset(this.keys.posterState(), { nextBatch: b.sequenceNumber + 1, nextBlock: b.lastBlock + 1 })
      .hdel(this.keys.posterState(), 'pending')
      .exec();
  }

  /** Records a batch found on L1 without touching the cursor (adopting what Redis missed). */
  async recordAdopted(b: PostedBatch): Promise<void> {
    await this.redis.set(this.keys.batch(b.sequenceNumber), JSON.stringify(b));
  }

  async posted(seq: number): Promise<PostedBatch | null> {
    const json = await this.redis.get(this.keys.batch(seq));
    return json ? (JSON.parse(json) as PostedBatch) : null;
  }
}
