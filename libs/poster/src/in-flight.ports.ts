/**
 * What the in-flight set needs besides the transaction manager: a view of the Inbox on L1,
 * the durable store of its entries, a logger and the test hooks. The poster wires the real
 * ones (reconcile.ts, @sealane/store); the unit spec fakes them.
 */
import type { InFlightBatch, PostedBatch } from '@sealane/store';

/** A BatchAppended event on the canonical chain. */
export interface AppendedLog {
  seq: number;
  firstBlock: number;
  lastBlock: number;
  dataHash: string;
  txHash: string;
  blockNumber: number;
  blockHash: string;
}

/** What the poster reads from the Inbox on L1. */
export interface InboxView {
  head(): Promise<number>;
  batchCount(): Promise<number>;
  appended(seq: number, fromBlock: number): Promise<AppendedLog | null>;
  /** The transaction is (still) in this block of the canonical chain. */
  isCanonical(txHash: string, blockHash: string): Promise<boolean>;
  /** The record of a landed batch built from its L1 transaction alone (one not sent by us). */
  recordFromL1(log: AppendedLog): Promise<PostedBatch>;
}

export interface InFlightStore {
  /** Writes an entry (before every broadcast of a newly signed transaction). */
  save(b: InFlightBatch): Promise<void>;
  /** Removes entries that will be built again. */
  drop(seqs: readonly number[]): Promise<void>;
  /** Records a batch as posted, removes its entry and moves the cursor past it, atomically. */
  confirm(rec: PostedBatch): Promise<void>;
}

export interface InFlightLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Test seams: a hook that throws stands for the process dying at that point. */
export interface InFlightHooks {
  /** The entry is in the store; the transaction is not broadcast yet. */
  afterPersist?(p: InFlightBatch): void | Promise<void>;
  /** The transaction was handed to the L1 node. */
  afterBroadcast?(p: InFlightBatch): void | Promise<void>;
}
