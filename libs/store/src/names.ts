/**
 * Every Redis key, BullMQ queue, job and event name Sealane uses, in one place.
 * Keys all carry the deployment prefix so several deployments (or tests) share one Redis.
 */
export class Keys {
  constructor(readonly prefix: string) {}
  private k(...parts: (string | number)[]): string {
    return [this.prefix, ...parts].join(':');
  }
  /** ZSET tx hash -> arrival sequence number (public lane, arrival order). */
  publicPool(): string {
    return this.k('pool', 'public');
  }
  /** HASH tx hash -> sender (42 chars) ‖ raw tx hex (public lane). */
  publicTxs(): string {
    return this.k('pool', 'public', 'raw');
  }
  /** Counter giving each accepted public tx its arrival sequence number. */
  publicSeq(): string {
    return this.k('pool', 'public', 'seq');
  }
  /** ZSET tx hash -> nonce: one sender's transactions waiting in the public lane. */
  publicSender(address: string): string {
    return this.publicSenderPrefix() + address.toLowerCase();
  }
  /** What every publicSender key starts with (scripts build them from it). */
  publicSenderPrefix(): string {
    return this.k('pool', 'sender', '');
  }
  /** HASH tx hash -> max cost (decimal), plus `_spent`: their sum; one sender's waiting transactions. */
  publicSenderCosts(address: string): string {
    return this.k('pool', 'sender', address.toLowerCase(), 'costs');
  }
  /** HASH index -> JSON ForcedEntry: transactions forced through the Inbox, not yet resolved. */
  forcedQueue(): string {
    return this.k('forced', 'queue');
  }
  /** LIST JSON SignedDkgMessage: the keypers' bulletin board of one key generation (eon). */
  keyperBoard(eon: string): string {
    return this.k('keyper', 'board', eon.toLowerCase());
  }
  /** HASH keyper index -> share hex: the shares of one slot's key the keypers released. */
  slotKeyShares(slot: number): string {
    return this.k('keyper', 'shares', slot);
  }
  /** STRING hex of one slot's key as the builder combined and checked it. */
  slotKey(slot: number): string {
    return this.k('keyper', 'key', slot);
  }
  /** Pub/sub channel: the slot number, each time a slot's commitment order is published. */
  orderChannel(): string {
    return this.k('events', 'order');
  }
  /** STRING JSON EngineStatus: whether the builder is rebuilding the L2 engine, and the last rebuild. */
  engineStatus(): string {
    return this.k('engine', 'status');
  }
  /** STRING: the L1 block up to which the Inbox's ForcedInclusion events are in the queue. */
  forcedCursor(): string {
    return this.k('forced', 'cursor');
  }
  /** STRING JSON ForcedOutcome of forced transaction `index` (included or dropped). */
  forcedOutcome(index: number): string {
    return this.k('forced', 'outcome', index);
  }
  /** STRING JSON TxStatus of a transaction (skipped with a reason, included in block N). */
  txStatus(hash: string): string {
    return this.txStatusPrefix() + hash.toLowerCase();
  }
  /** What every txStatus key starts with (scripts build them from it). */
  txStatusPrefix(): string {
    return this.k('tx', '');
  }
  /**
   * HASH tx hash -> "block:index": every transaction of the recorded blocks (one HSET a block
   * rather than a key each); kept for the status TTL by the record's own pruning, block by block.
   */
  txIncluded(): string {
    return this.k('txs', 'included');
  }
  /** STRING "timestamp|hashes" of block N's txIncluded fields, until they are pruned. */
  txIncludedIndex(n: number): string {
    return this.txIncludedIndexPrefix() + n;
  }
  /** What every txIncludedIndex key starts with (scripts build them from it). */
  txIncludedIndexPrefix(): string {
    return this.k('txs', 'included', 'block', '');
  }
  /** STRING the last block whose txIncluded fields are pruned (or need none). */
  txIncludedPruned(): string {
    return this.k('txs', 'included', 'pruned');
  }
  /** STRING JSON SealedBlock by L2 block number. */
  block(n: number): string {
    return this.k('block', n);
  }
  /** STRING the highest L2 block number recorded as sealed. */
  sealedHead(): string {
    return this.k('sealed', 'head');
  }
  /** STRING token of the current builder leader, with a TTL. */
  lease(name: string): string {
    return this.k('lease', name);
  }
  /** ZSET version -> activation slot of the parameter sets. */
  paramsVersions(): string {
    return this.k('params', 'versions');
  }
  /** STRING JSON of one parameter set version. */
  paramsVersion(v: number): string {
    return this.k('params', 'v', v);
  }
  /** Counter giving each new parameter set version its number (genesis is 0). */
  paramsNextVersion(): string {
    return this.k('params', 'next');
  }
  /** STRING JSON IntakePause while governance has paused bundle intake; absent otherwise. */
  intakePaused(): string {
    return this.k('gov', 'paused');
  }
  /** STRING random 32-byte id of this deployment, bound into the governance EIP-712 domain. */
  govDeploymentId(): string {
    return this.k('gov', 'deployment');
  }
  /** STRING the next governance nonce: a proposal's nonce must be at least this. */
  govNonce(): string {
    return this.k('gov', 'nonce');
  }
  /** HASH nonce -> proposal id that used it. */
  govNonces(): string {
    return this.k('gov', 'nonces');
  }
  /** HASH proposal id -> JSON of the proposal (immutable). */
  govProposals(): string {
    return this.k('gov', 'proposals');
  }
  /** HASH proposal id -> status: pending | scheduled | executed | cancelled. */
  govStatus(): string {
    return this.k('gov', 'status');
  }
  /** HASH member address -> JSON {signature, at}: the signatures collected for one proposal. */
  govSignatures(id: string): string {
    return this.k('gov', 'sigs', id.toLowerCase());
  }
  /** ZSET proposal id -> activation slot of every scheduled (not cancelled) parameter change. */
  govSchedule(): string {
    return this.k('gov', 'schedule');
  }
  /** Counter bumped by every change to the schedule (optimistic concurrency for re-composing). */
  govRevision(): string {
    return this.k('gov', 'rev');
  }
  /** LIST JSON history entries: every decision, with its signatures. */
  govHistory(): string {
    return this.k('gov', 'history');
  }
  /** HASH poster state: nextBatch, nextBlock, inflight:<seq> (JSON of each in-flight L1 tx). */
  posterState(): string {
    return this.k('poster', 'state');
  }
  /** STRING JSON PosterStatus: the poster's lag and in-flight count, rewritten every pass. */
  posterStatus(): string {
    return this.k('poster', 'status');
  }
  /** STRING JSON PostedBatch by sequence number. */
  batch(seq: number): string {
    return this.k('batch', seq);
  }
  /** HASH entry -> bundle JSON: the sealed bids for one slot (entry = replacement uuid or hash). */
  slotBundles(slot: number): string {
    return this.k('auction', slot, 'bundles');
  }
  /** Set once the auction of a slot has closed: no bundle is accepted or cancelled after. */
  slotClosed(slot: number): string {
    return this.k('auction', slot, 'closed');
  }
  /** Counter of one searcher's submissions for one slot (the rate limit). */
  searcherCount(slot: number, searcher: string): string {
    return this.k('auction', slot, 'count', searcher.toLowerCase());
  }
  /** STRING slot of a searcher's bundle with a replacement uuid (for eth_cancelBundle). */
  replacementSlot(searcher: string, uuid: string): string {
    return this.k('auction', 'uuid', searcher.toLowerCase(), uuid.toLowerCase());
  }
  /** HASH bundle hash -> "searcher entry" of the one entry holding it in the slot (duplicates are refused). */
  slotBundleHashes(slot: number): string {
    return this.k('auction', slot, 'hashes');
  }
  /** HASH of a searcher's replacement uuid: `n` the highest replacementNonce, `b:<request id>` each request seen. */
  replacementRecord(searcher: string, uuid: string): string {
    return this.k('auction', 'uuid', searcher.toLowerCase(), uuid.toLowerCase(), 'seen');
  }
  /** SET of the hashes of the fee transactions committed for a slot (no bundle may carry one). */
  slotFeeTxs(slot: number): string {
    return this.k('mempool', slot, 'fee-txs');
  }
  /** STRING JSON BundleStatus, readable only by its searcher through the API. */
  bundleStatus(bundleHash: string): string {
    return this.k('bundle', bundleHash.toLowerCase());
  }
  /** STRING JSON SlotResults, published once the slot's block is sealed. */
  slotResults(slot: number): string {
    return this.k('auction', slot, 'results');
  }
  /** LIST of a slot's commitments (JSON), in position order: position = index. */
  slotCommitments(slot: number): string {
    return this.k('mempool', slot, 'commitments');
  }
  /** Counter of one sender's commitments for one slot. */
  commitmentCount(slot: number, sender: string): string {
    return this.k('mempool', slot, 'count', sender.toLowerCase());
  }
  /** STRING JSON CommitmentStatus by commitment hash. */
  commitmentStatus(commitment: string): string {
    return this.k('commitment', commitment.toLowerCase());
  }
  /** STRING JSON of the slot's published, signed commitment order. */
  slotOrder(slot: number): string {
    return this.k('mempool', slot, 'order');
  }
  /** HASH commitment -> revealed key (hex), accepted between the order and the deadline. */
  slotRevealedKeys(slot: number): string {
    return this.k('mempool', slot, 'keys');
  }
  /** Set when the builder takes the reveals of a slot: later reveals are refused. */
  slotRevealsClosed(slot: number): string {
    return this.k('mempool', slot, 'reveals-closed');
  }
  /** STRING JSON SlotPlan: what the builder is about to seal for a slot, written before the mine. */
  slotPlan(slot: number): string {
    return this.k('builder', slot, 'plan');
  }
  /** BullMQ's own key prefix for this deployment. */
  bullPrefix(): string {
    return this.k('bull');
  }
}

/** The field of a slot's bundles HASH that holds a bundle: its searcher's uuid, or its hash. */
export function entryOf(b: { searcher: string; replacementUuid?: string; bundleHash: string }): string {
  return b.replacementUuid ? `u:${b.searcher}:${b.replacementUuid.toLowerCase()}` : `h:${b.bundleHash}`;
}

/**
 * How long block records, slot plans, bundles and commitments are kept: long after any slot
 * they belong to has sealed.
 */
export const RECORD_TTL_SEC = 3 * 24 * 3600;

export const QUEUES = {
  /** Work for the poster: one job per sealed L2 block. */
  post: 'post',
} as const;

export const JOBS = {
  sealedBlock: 'sealed-block',
} as const;

export interface SealedBlockJob {
  number: number;
}

/** Events on the @nestjs/microservices Redis transport. Payloads carry the key prefix. */
export const EVENTS = {
  slotClosed: 'slot.closed',
  blockSealed: 'block.sealed',
  batchPosted: 'batch.posted',
} as const;

export interface SlotClosedEvent {
  prefix: string;
  slot: number;
  closedAtMs: number;
}

export interface BlockSealedEvent {
  prefix: string;
  number: number;
  hash: string;
  timestamp: number;
  txCount: number;
  skipped: number;
}

export interface BatchPostedEvent {
  prefix: string;
  sequenceNumber: number;
  firstBlock: number;
  lastBlock: number;
  l1TxHash: string;
  rawBytes: number;
  compressedBytes: number;
}

/** A sealed L2 block as the builder recorded it: what the poster batches and `verify` checks. */
export interface SealedBlock {
  number: number;
  hash: string;
  parentHash: string;
  /** Block timestamp in seconds (the slot start, rounded down). */
  timestamp: number;
  /** Slot start in milliseconds. */
  startMs: number;
  /** Raw signed transactions, 0x hex, in block order. */
  txs: string[];
  txHashes: string[];
  paramsVersion: number;
  /** Id of the builder that sealed it. */
  builder?: string;
  /** State root after the block, and its coinbase, as the engine sealed it. */
  stateRoot: string;
  feeRecipient: string;
  /** Root of the commitment order published at the close (ZeroHash for a slot without one). */
  orderRoot: string;
  /** Merkle root over the slot's bids (ZeroHash for a slot without an auction). */
  bidsRoot: string;
  /** forceInclusionDelaySlots in force at the slot. */
  forceInclusionDelaySlots: number;
}

/** A txIncluded value ("block:index") as the status it stands for. */
export function includedStatus(value: string): TxStatus {
  const [block, index] = value.split(':').map(Number);
  return { status: 'included', block, index };
}

/** Why a public transaction was skipped. */
export type TxSkipCode =
  | 'undecodable'
  | 'nonce-too-low'
  | 'fee-cap-below-base-fee'
  | 'insufficient-funds'
  | 'duplicate-nonce'
  | 'engine-refused';

export type TxStatus =
  | { status: 'pending'; seq: number }
  | { status: 'included'; block: number; index: number }
  /** `code` says why in one word (absent in a status recorded by an older version). */
  | { status: 'skipped'; slot: number; reason: string; code?: TxSkipCode }
  /** Left the lane for a transaction of the same sender and nonce with a fee bump. */
  | { status: 'replaced'; by: string };
