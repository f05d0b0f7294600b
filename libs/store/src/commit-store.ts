/**
 * The encrypted mempool in Redis: commitments in arrival order per slot (position fixed at
 * commit time), the slot's published order, and the keys users reveal after it. Only
 * ciphertexts are stored before a reveal; nothing here can read them.
 */
import { CommitmentNotFoundError } from '@sealane/protocol';
import { RECORD_TTL_SEC, type Keys } from './names';
import type { SkipReason } from '@sealane/mempool';
import type { SealaneRedis } from './redis';
import { Scripts } from './scripts';

export interface StoredCommitment {
  commitment: string;
  sender: string;
  slot: number;
  /** 0x hex of the padded, encrypted signed transaction. */
  ciphertext: string;
  /** The plaintext fee transaction, executed whether or not the user reveals. */
  feeTx: string;
  feeTxHash: string;
  receivedAt: number;
}

export type CommitmentState = 'pending' | 'ordered' | 'revealed' | 'included' | 'skipped' | 'expired';

export interface CommitmentStatus {
  state: CommitmentState;
  slot: number;
  position: number;
  /** Why a revealed transaction was skipped, or why the commitment expired. */
  reason?: string;
  /** The skip reason's code (absent when expired, and in a status recorded by an older version). */
  code?: SkipReason;
  block?: number;
  /** Index of the revealed transaction in the block, and its hash. */
  index?: number;
  txHash?: string;
  feeTxHash?: string;
  feeTxIndex?: number;
}

/** The order of a slot's commitments, fixed and signed at the close, before any reveal. */
export interface PublishedOrder {
  slot: number;
  count: number;
  root: string;
  /** Commitment hashes in position order. */
  commitments: string[];
  /** Reveals are accepted until then (ms since the epoch, Redis' clock). */
  revealDeadlineMs: number;
  sequencer: string;
  signature: string;
}

export class CommitStore {
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: SealaneRedis,
    private readonly keys: Keys,
  ) {
    this.scripts = new Scripts(redis, keys);
  }

  /** Stores the commitment and returns its position in the slot's order. */
  async add(c: StoredCommitment, limit: number): Promise<number> {
    return this.scripts.addCommitment(c, limit);
  }

  /** Every commitment of a slot in position order (read after the slot closed, it is final). */
  async read(slot: number): Promise<StoredCommitment[]> {
    return (await this.redis.lrange(this.keys.slotCommitments(slot), 0, -1)).map(
      (j) => JSON.parse(j) as StoredCommitment,
    );
  }

  async at(slot: number, position: number): Promise<StoredCommitment | null> {
    const j = await this.redis.lindex(this.keys.slotCommitments(slot), position);
    return j ? (JSON.parse(j) as StoredCommitment) : null;
  }

  async publishOrder(order: PublishedOrder): Promise<void> {
    await this.redis.set(this.keys.slotOrder(order.slot), JSON.stringify(order), 'EX', RECORD_TTL_SEC, 'NX');
  }

  async order(slot: number): Promise<PublishedOrder | null> {
    const j = await this.redis.get(this.keys.slotOrder(slot));
    return j ? (JSON.parse(j) as PublishedOrder) : null;
  }

  /** Records a revealed key; refused before the order is published and after the deadline. */
  async reveal(slot: number, commitment: string, keyHex: string): Promise<void> {
    await this.scripts.revealCommitment(slot, commitment, keyHex);
  }

  /** The keys revealed so far (read only: published once the slot is sealed). */
  async revealedKeys(slot: number): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(this.keys.slotRevealedKeys(slot))));
  }

  /** The builder takes the slot's reveals: commitment -> key hex. None is accepted after. */
  async closeReveals(slot: number): Promise<Map<string, string>> {
    return this.scripts.closeReveals(slot);
  }

  async status(commitment: string): Promise<CommitmentStatus | null> {
    const j = await this.redis.get(this.keys.commitmentStatus(commitment));
    return j ? (JSON.parse(j) as CommitmentStatus) : null;
  }

  async mustStatus(commitment: string): Promise<CommitmentStatus> {
    const s = await this.status(commitment);
    if (!s) throw new CommitmentNotFoundError(`no commitment ${commitment}`);
    return s;
  }

  async setStatus(commitment: string, patch: Partial<CommitmentStatus>): Promise<void> {
    const cur = await this.status(commitment);
    if (!cur) return;
    await this.redis.set(
      this.keys.commitmentStatus(commitment),
      JSON.stringify({ ...cur, ...patch }),
      'EX',
      RECORD_TTL_SEC,
    );
  }
}
