/**
 * The batch poster's state in Redis (one HASH at `keys.posterState()`): the next batch
 * sequence number, the next L2 block, and one field `inflight:<seq>` per batch on its way to
 * L1, written before its transaction is broadcast so that a crash at any point leaves enough
 * to rebroadcast it or adopt what landed. Its status (lag, in-flight count) is a JSON string
 * at `keys.posterStatus()`, for operators and the gateway. The poster's logic is in
 * @sealane/poster; this file only reads and writes.
 */
import type Redis from 'ioredis';
import type { Keys } from './names';

/** One batch on its way to L1. Fees are decimal strings (bigint in JSON). */
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
  /** Sequence number of the first batch not yet recorded as posted. */
  nextBatch: number;
  /** First L2 block of that batch. */
  nextBlock: number;
  /** The batches on their way to L1, by sequence number (from nextBatch, contiguous). */
  inFlight: InFlightBatch[];
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
    const inFlight: InFlightBatch[] = [];
    for (const [field, json] of Object.entries(h)) {
      // `pending` is the single in-flight record of posters before several were kept.
      if (field.startsWith(INFLIGHT) || field === 'pending') inFlight.push(JSON.parse(json) as InFlightBatch);
    }
    inFlight.sort((a, b) => a.seq - b.seq);
    return { nextBatch: Number(h.nextBatch), nextBlock: Number(h.nextBlock), inFlight };
  }

  /** The cursor alone (without reading the in-flight records), or null before any state. */
  async cursor(): Promise<{ nextBatch: number; nextBlock: number } | null> {
    const [nextBatch, nextBlock] = await this.redis.hmget(this.keys.posterState(), 'nextBatch', 'nextBlock');
    if (nextBatch === null || nextBlock === null) return null;
    return { nextBatch: Number(nextBatch), nextBlock: Number(nextBlock) };
  }

  /** Sets the cursor and clears every in-flight record. */
  async reset(nextBatch: number, nextBlock: number): Promise<void> {
    const fields = (await this.redis.hkeys(this.keys.posterState())).filter(
      (f) => f.startsWith(INFLIGHT) || f === 'pending',
    );
    const m = this.redis.multi().hset(this.keys.posterState(), { nextBatch, nextBlock });
    if (fields.length) m.hdel(this.keys.posterState(), ...fields);
    await m.exec();
  }

  /** Writes an in-flight record (before every broadcast of a new signed transaction). */
  async saveInFlight(p: InFlightBatch): Promise<void> {
    await this.redis.hset(this.keys.posterState(), inflightField(p.seq), JSON.stringify(p));
  }

  /** Removes in-flight records (their batches will be built again). */
  async dropInFlight(seqs: readonly number[]): Promise<void> {
    if (seqs.length) await this.redis.hdel(this.keys.posterState(), ...seqs.map(inflightField));
  }

  /** Records a batch found on L1, moves the cursor past it and drops its in-flight record, in one MULTI. */
  async recordPosted(b: PostedBatch): Promise<void> {
    await this.redis
      .multi()
      .set(this.keys.batch(b.sequenceNumber), JSON.stringify(b))
      .hset(this.keys.posterState(), { nextBatch: b.sequenceNumber + 1, nextBlock: b.lastBlock + 1 })
      .hdel(this.keys.posterState(), inflightField(b.sequenceNumber), 'pending')
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

  async writeStatus(s: PosterStatus): Promise<void> {
    await this.redis.set(this.keys.posterStatus(), JSON.stringify(s));
  }
}

const INFLIGHT = 'inflight:';
const inflightField = (seq: number): string => `${INFLIGHT}${seq}`;

/**
 * What the poster last reported about itself (`keys.posterStatus()`): how far L1 is behind the
 * sealed L2 head and what is on its way there.
 */
export interface PosterStatus {
  /** The L2 sealed head when the poster last looked. */
  sealedHead: number;
  /** Last L2 block in a batch recorded as posted (confirmed on L1); 0 before the first. */
  postedBlock: number;
  /** Last L2 block in a batch sent to L1 (posted or in flight). */
  sentBlock: number;
  /** sealedHead − postedBlock: blocks not yet final on L1. */
  lagBlocks: number;
  /** sealedHead − sentBlock: blocks not yet in any batch. */
  unsentBlocks: number;
  /** Batches in flight, and the limit. */
  inFlight: number;
  maxInFlight: number;
  /** Sequence number of the first batch not yet posted. */
  nextBatch: number;
  /** Nonces of the in-flight transactions, lowest and highest, or null when none. */
  nonces: [number, number] | null;
  /** What the last pass did. */
  activity: 'idle' | 'waiting' | 'sent' | 'error';
  /** Clock reading of the report. */
  updatedAtMs: number;
}

/** The poster's last status report, or null if no poster of this deployment ever wrote one. */
export async function readPosterStatus(redis: Redis, keys: Keys): Promise<PosterStatus | null> {
  const json = await redis.get(keys.posterStatus());
  return json ? (JSON.parse(json) as PosterStatus) : null;
}
