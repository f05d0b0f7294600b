/**
 * The builder: while it holds the lease it leads and runs one slot after another (slot.ts);
 * otherwise it stands by and takes the lease the moment it expires. The lease is renewed ten
 * times per TTL on a timer of its own, so a long slot never lets it lapse.
 */
import { logEvent } from '@sealane/observe';
import type { L2Engine } from '@sealane/engine';
import type { ParamsSnapshot } from '@sealane/params';
import {
  ChainStore,
  LeaseStore,
  type Keys,
  type ParamsStore,
  type PublicLane,
  type SealaneRedis,
  type SealedBlock,
  type StoredCommitment,
} from '@sealane/store';
import type { Clock } from './clock';
import { Lease } from './lease';
import type { BuilderHooks, BuilderLogger, BuilderOptions } from './options';
import type { AuctionOutcome } from './phases/clear';
import { SlotRunner, type SlotWaiter } from './slot';

export class Builder implements SlotWaiter {
  readonly lease: Lease;
  private readonly chain: ChainStore;
  private readonly slots: SlotRunner;
  private running = false;
  private stopped = false;
  private loopDone: Promise<void> = Promise.resolve();
  private renewTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    redis: SealaneRedis,
    keys: Keys,
    lane: PublicLane,
    params: ParamsStore,
    engine: L2Engine,
    private readonly clock: Clock,
    private readonly opts: BuilderOptions,
    private readonly hooks: BuilderHooks = {},
    private readonly logger: BuilderLogger = console,
  ) {
    this.chain = new ChainStore(redis, keys);
    this.lease = new Lease(new LeaseStore(redis), keys.lease('builder'), opts.id, opts.leaseTtlMs, clock);
    this.slots = new SlotRunner({
      chain: this.chain,
      lane,
      params,
      engine,
      clock,
      lease: this.lease,
      opts,
      hooks,
      logger,
    });
  }

  get stopping(): boolean {
    return this.stopped;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    clearInterval(this.renewTimer);
    this.wake?.();
    await this.loopDone;
    if (this.lease.held) await this.lease.release().catch(() => undefined);
  }

  /** One slot (see SlotRunner.step). */
  step(): Promise<void> {
    return this.slots.step(this);
  }

  /** Plans, seals and records `slot` now (see SlotRunner.seal). */
  seal(
    slot: number,
    startMs: number,
    snap: ParamsSnapshot,
    outcome?: AuctionOutcome,
    committed?: StoredCommitment[],
  ): Promise<SealedBlock> {
    return this.slots.seal(slot, startMs, snap, outcome, committed);
  }

  /** One look at open `slot`'s public lane, streamed into the engine (see SlotRunner.prefill). */
  prefill(slot: number, startMs: number, snap: ParamsSnapshot): Promise<void> {
    return this.slots.prefill(slot, startMs, snap);
  }

  record(n: number): Promise<SealedBlock | null> {
    return this.chain.block(n);
  }

  async sleepUntil(ms: number): Promise<void> {
    while (!this.stopped && this.clock.now() < ms) await this.sleep(Math.min(ms - this.clock.now(), 100));
  }

  private async sleep(ms: number): Promise<void> {
    await Promise.race([this.clock.sleep(ms), new Promise<void>((r) => (this.wake = r))]);
  }

  private async loop(): Promise<void> {
    let wasLeader = false;
    // One log line per kind of failure, however often it repeats (an engine down for a minute
    // would otherwise log five lines a second), and one when steps succeed again.
    let failing = null as { message: string; times: number } | null;
    while (this.running) {
      try {
        if (!this.lease.held && !(await this.lease.tryAcquire())) {
          if (wasLeader) {
            this.logger.warn(
              logEvent('leader.lost', `builder ${this.opts.id} lost the lease; standing by`, {
                builder: this.opts.id,
              }),
            );
            this.hooks.leadership?.(false);
          }
          wasLeader = false;
          await this.sleep(this.lease.retryInMs());
          continue;
        }
        if (!wasLeader) {
          this.logger.log(
            logEvent('leader.took', `builder ${this.opts.id} leads`, { builder: this.opts.id }),
          );
          this.hooks.leadership?.(true);
          wasLeader = true;
          clearInterval(this.renewTimer);
          this.renewTimer = setInterval(() => {
            this.lease
              .tryAcquire()
              .catch((e: unknown) => this.logger.warn(`lease renewal failed: ${String(e)}`));
          }, this.lease.renewEveryMs);
        }
        await this.step();
        if (failing) this.logger.log(`builder steps succeed again (after ${failing.times} failed)`);
        failing = null;
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (failing?.message !== message) {
          this.logger.error(`builder step failed: ${e instanceof Error ? e.stack : String(e)}`);
          failing = { message, times: 0 };
        }
        failing.times++;
        await this.sleep(200);
      }
    }
  }
}
