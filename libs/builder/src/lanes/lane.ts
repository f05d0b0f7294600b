/**
 * A lane: one source of a block's transactions. The plan phase asks each lane in block order
 * for its transactions over one account book, submits the block, and hands every transaction
 * the engine refuses back to the lane that planned it, which decides what goes instead (drop
 * its bundle, skip its transaction, fail its commitment) before the block is planned again.
 */
import type { AccountBook, Account } from '@sealane/protocol';
import type { PlannedTx, SlotPlan } from '../phases/record';

/** What a lane may place in this round. */
export interface Room {
  /** Block gas left after the lanes before it, less what the lanes after it reserve. */
  gasLeft: bigint;
  /** Hashes the lanes before it placed: a transaction goes in once. */
  placed: ReadonlySet<string>;
}

export interface LanePlan {
  txs: PlannedTx[];
  /** The block gas these take. */
  gas: bigint;
}

export interface Lane {
  /** Reads what the lane holds for the slot; answers the senders whose accounts it needs. */
  prepare?(): Promise<string[]>;
  /** The accounts on the parent state, once read, before the first round. */
  onParentState?(parent: ReadonlyMap<string, Account>): Promise<void>;
  /** Gas kept back for this lane while the lanes before it plan. */
  reserve?(): bigint;
  /** This round's transactions, checked against and taken from `book`. */
  plan(book: AccountBook, room: Room): Promise<LanePlan>;
  /** The engine refused `tx`, one this lane planned, with `reason`. */
  onRefused(tx: PlannedTx, reason: string): void;
  /** The slot seals empty after too many refused rounds: the lane gives up all it holds. */
  giveUp?(reason: string): void;
  /** Writes the lane's part of the plan of the round the engine took. */
  record?(plan: SlotPlan): void;
}
