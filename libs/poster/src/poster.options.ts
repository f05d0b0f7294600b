/**
 * The poster's settings (checked once, when it is built) and what one pass of its loop returns.
 */
import type { Wallet } from 'ethers';
import type { DaFormatName } from '@sealane/batch';
import type { ParamsStore } from '@sealane/store';
import type { BatchPostedEvent, Keys, SealaneRedis } from '@sealane/store';
import type { InFlightHooks } from './in-flight.ports';
import { MIN_FEE_BUMP_PERCENT } from './txmgr/fees';

import type { LogEvent, SealaneMetrics } from '@sealane/observe';

export interface Clock {
  now(): number;
}

export interface PosterLogger {
  log(message: string | LogEvent): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Test seams: a hook that throws stands for the process dying at that point. */
export type PosterHooks = InFlightHooks;

/**
 * Batches in flight by default. Geth keeps 16 executable transactions per account in its pool
 * whatever the pressure from others (txpool.accountslots), so 16 never get evicted for being
 * too many; at the 120 KB batchMaxBytes ceiling they are ~2 MB of calldata, about two L1
 * blocks of gas: a backlog of that size goes out in a couple of L1 blocks.
 */
export const DEFAULT_MAX_IN_FLIGHT = 16;

export interface PosterOptions {
  redis: SealaneRedis;
  keys: Keys;
  params: ParamsStore;
  /**
   * The poster's key, connected to the L1 provider. Create that provider with
   * `cacheTimeout: -1`: ethers otherwise replays answers up to 250 ms old, and the poster's
   * reasoning (nonce used, then batch count) relies on reads in order.
   */
  wallet: Wallet;
  inboxAddress: string;
  /** How batches travel in L1 transactions (default DEFAULT_DA_FORMAT). */
  daFormat?: DaFormatName;
  /** Blocks on top of the one holding the batch before it counts as posted (0 is taken as 1). */
  confirmations: number;
  /** Period of the timer started by start(). */
  pollMs: number;
  /** Re-sign with higher fees when the transaction is not mined after this long. */
  resubmitMs: number;
  /** At least 10 (see bumpFees). */
  feeBumpPercent: number;
  /** Most batches on their way to L1 at once (default DEFAULT_MAX_IN_FLIGHT). */
  maxInFlight?: number;
  /** Brotli level while the poster keeps up (default 11); lowered as a backlog grows. */
  compressionLevel?: number;
  /** L1 block to search Inbox events from when nothing narrower is known (default 0). */
  logFromBlock?: number;
  clock: Clock;
  logger: PosterLogger;
  onPosted?: (ev: BatchPostedEvent) => void | Promise<void>;
  hooks?: PosterHooks;
  /** Prometheus series of the batcher (sealane_batcher_…). */
  metrics?: SealaneMetrics;
}

export type PosterActivity = 'idle' | 'waiting' | 'sent' | 'error';

export interface TickResult {
  /** Nothing to post yet; batches are in flight on L1; a transaction was just sent; or a step failed (retried next tick). */
  state: PosterActivity;
  /** Sequence numbers of the batches recorded as posted during this tick. */
  posted: number[];
  /** Sequence numbers of the batches in flight after this tick, in order. */
  inFlight: number[];
}

/** The in-flight limit of these settings; a bad fee bump or limit is refused here. */
export function checkedMaxInFlight(o: Pick<PosterOptions, 'feeBumpPercent' | 'maxInFlight'>): number {
  if (!Number.isInteger(o.feeBumpPercent) || o.feeBumpPercent < MIN_FEE_BUMP_PERCENT) {
    throw new RangeError(
      `feeBumpPercent must be an integer >= ${MIN_FEE_BUMP_PERCENT}, got ${o.feeBumpPercent}`,
    );
  }
  const maxInFlight = o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError(`maxInFlight must be a positive integer, got ${o.maxInFlight}`);
  }
  return maxInFlight;
}
