/** How a builder is configured and what it tells the rest of the system. */
import type { Wallet } from 'ethers';
import type { L2Engine } from '@sealane/engine';
import type {
  BundleStore,
  ChainStore,
  CommitStore,
  ForcedStore,
  ParamsStore,
  PublicLane,
  SlotRecord,
} from '@sealane/store';
import type { LogEvent, SlotPhase } from '@sealane/observe';
import type { Clock } from './clock';
import type { Lease } from './lease';
import type { MempoolRunner } from './mempool.runner';
import type { AuctionRunner } from './phases/clear';
import type { BundleSimulatorPort } from './ports';

export interface BuilderLogger {
  log(msg: string | LogEvent): void;
  warn(msg: string | LogEvent): void;
  error(msg: string): void;
}

export interface BuilderHooks {
  slotClosed?(slot: number, closedAtMs: number): Promise<void> | void;
  /** The slot's plan is stored; its block is about to be mined. */
  planned?(slot: number): Promise<void> | void;
  /** The engine mined the slot's block; its record comes next. */
  mined?(slot: number): Promise<void> | void;
  /**
   * The slot is recorded (once per block, by whichever builder recorded it); `endMs`, when this
   * builder ran the slot, is when the slot ended and `slotMs` its length.
   */
  sealed?(
    record: SlotRecord,
    skipped: number,
    timing?: { endMs: number; slotMs: number },
  ): Promise<void> | void;
  /** A plan went into the engine on top of what the stream sent (`prefilled`) or whole; `sent` at the seal. */
  submitted?(path: 'prefilled' | 'whole', sent: number): void;
  /** The stream sent `n` public transactions into the engine while the slot was open. */
  streamed?(n: number): void;
  /** This builder took (true) or lost (false) the lease. */
  leadership?(leads: boolean): void;
  /** A phase of a slot took `ms` (close, clear, plan with the submit, seal, record). */
  phase?(phase: SlotPhase, ms: number): void;
}

/** What the builder needs to run the auction: without it, blocks hold the public lane only. */
export interface BuilderAuction {
  runner: AuctionRunner;
  simulator: BundleSimulatorPort;
  bundles: BundleStore;
  /** The sequencer's account: the blocks' fee recipient, which pays the refunds. */
  feeRecipient: Wallet;
  chainId: number;
}

/** The encrypted mempool: committed transactions go right after the auction winners. */
export interface BuilderMempool {
  runner: MempoolRunner;
  store: CommitStore;
}

/** Transactions forced through the Inbox: they go first in the block (lanes/forced.ts). */
export interface BuilderForced {
  store: ForcedStore;
  chainId: bigint;
}

export interface BuilderOptions {
  id: string;
  auction?: BuilderAuction;
  mempool?: BuilderMempool;
  forced?: BuilderForced;
  leaseTtlMs: number;
  blockGasLimit: bigint;
  /** How long a transaction's status is kept after it leaves the lane. */
  statusTtlSec?: number;
}

/** Everything a slot's phases read and call. */
export interface SlotEnv {
  chain: ChainStore;
  lane: PublicLane;
  params: ParamsStore;
  engine: L2Engine;
  clock: Clock;
  lease: Lease;
  opts: BuilderOptions;
  hooks: BuilderHooks;
  logger: BuilderLogger;
}
