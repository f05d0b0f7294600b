/**
 * The batch poster: takes sealed L2 blocks from Redis in order, batches them (batch-builder)
 * and appends them to the L1 Inbox, with up to `maxInFlight` batches on their way at once
 * (in-flight, over the transaction manager in txmgr/).
 *
 * It must never lose, skip, duplicate or re-order a batch. The Inbox refuses a wrong sequence
 * number or block range, so L1 itself cannot hold a gap or a duplicate; the poster's part is to
 * give consecutive batches consecutive nonces (L1 mines an account's transactions in nonce
 * order) and to keep its Redis records in step with L1 across crashes, restarts, fee bumps,
 * reverts and reorgs:
 * - each in-flight transaction is written to Redis before its broadcast;
 * - on start (and after any error) it re-reads the Inbox's batchCount/nextBlock and its nonce
 *   from L1 (reconcile), keeps or drops the in-flight records accordingly, adopts batches Redis
 *   missed and rebroadcasts what the L1 node does not hold;
 * - a batch counts as posted only once its BatchAppended event has `confirmations` blocks.
 * No @nestjs/* here: the Nest module around it only wires settings, the queue and a timer.
 */
import { isError, type Contract, type Provider, type Wallet } from 'ethers';
import { inboxContract } from '@sealane/contracts';
import type { ParamsStore } from '@sealane/store';
import { ChainStore, type BatchPostedEvent, type Keys, type SealaneRedis } from '@sealane/store';
import { appendBatchGasLimit, BatchBuilder } from './batch-builder';
import { MIN_FEE_BUMP_PERCENT } from './fees';
import { InFlight, type InFlightHooks } from './in-flight';
import { PosterStore, type PostedBatch, type PosterStatus } from './poster.state';
import { L1Inbox, reconcile } from './reconcile';
import { describeError, L1TxManager } from './txmgr/tx-manager';

export interface Clock {
  now(): number;
}

export interface PosterLogger {
  log(message: string): void;
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

const GAS_MARGIN_PERCENT = 20n;

export class Poster {
  private readonly provider: Provider;
  private readonly inbox: Contract;
  private readonly l1: L1Inbox;
  private readonly tx: L1TxManager;
  private readonly store: PosterStore;
  private readonly inFlight: InFlight;
  private readonly builder: BatchBuilder;
  readonly maxInFlight: number;
  private needsSync = true;
  private windowFull = false;
  private running: Promise<TickResult> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private started = false;

  constructor(private readonly o: PosterOptions) {
    if (!o.wallet.provider) throw new Error('the poster wallet must be connected to an L1 provider');
    if (!Number.isInteger(o.feeBumpPercent) || o.feeBumpPercent < MIN_FEE_BUMP_PERCENT) {
      throw new RangeError(
        `feeBumpPercent must be an integer >= ${MIN_FEE_BUMP_PERCENT}, got ${o.feeBumpPercent}`,
      );
    }
    this.maxInFlight = o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) {
      throw new RangeError(`maxInFlight must be a positive integer, got ${o.maxInFlight}`);
    }
    this.provider = o.wallet.provider;
    this.inbox = inboxContract(o.inboxAddress, this.provider);
    this.l1 = new L1Inbox(this.inbox, this.provider);
    this.tx = new L1TxManager(o.wallet, o.inboxAddress, o.feeBumpPercent);
    this.store = new PosterStore(o.redis, o.keys);
    this.inFlight = new InFlight({
      tx: this.tx,
      inbox: this.l1,
      store: {
        save: (b) => this.store.saveInFlight(b),
        drop: (seqs) => this.store.dropInFlight(seqs),
        confirm: (rec) => this.store.recordPosted(rec),
      },
      now: () => o.clock.now(),
      logger: o.logger,
      confirmations: o.confirmations,
      resubmitMs: o.resubmitMs,
      hooks: o.hooks,
    });
    this.builder = new BatchBuilder({
      chain: new ChainStore(o.redis, o.keys),
      params: o.params,
      inbox: this.inbox.interface,
      maxLevel: o.compressionLevel,
      now: () => o.clock.now(),
    });
  }

  get address(): string {
    return this.o.wallet.address;
  }

  /** Ticks every pollMs until stop(). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const loop = async () => {
      await this.tick();
      if (this.started) this.timer = setTimeout(() => void loop(), this.o.pollMs);
    };
    this.timer = setTimeout(() => void loop(), 0);
  }

  /** Stops the timer and waits for a running tick; state stays in Redis for the next start. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * One pass of work; never throws. Concurrent calls (queue jobs and the timer) share the
   * running tick and cause one more pass after it, so passes never interleave.
   */
  tick(): Promise<TickResult> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<TickResult> => {
      let result: TickResult;
      do {
        this.again = false;
        result = await this.pass();
      } while (this.again && result.state !== 'error');
      return result;
    };
    this.running = run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Reconcile if needed, move the in-flight batches on, then fill the window with new ones. */
  private async pass(): Promise<TickResult> {
    const posted: number[] = [];
    try {
      if (this.needsSync) {
        await this.sync();
        this.needsSync = false;
      }
      const pr = await this.inFlight.progress();
      let sent = pr.sent;
      const head = pr.confirmed.length ? await this.builder.sealedHead() : 0;
      for (const rec of pr.confirmed) {
        posted.push(rec.sequenceNumber);
        this.o.logger.log(
          `posted batch ${rec.sequenceNumber}: blocks ${rec.firstBlock}..${rec.lastBlock}, ${rec.compressedBytes} bytes ` +
            `(${rec.rawBytes} raw), L1 block ${rec.l1BlockNumber}, tx ${rec.l1TxHash}; ` +
            `lag ${Math.max(0, head - rec.lastBlock)} blocks, ${this.inFlight.size} in flight`,
        );
        await this.notify(rec);
      }
      if (pr.resync) {
        this.needsSync = true;
      } else {
        sent += await this.fill(pr.l1BatchCount);
      }
      const state: PosterActivity = sent > 0 ? 'sent' : this.inFlight.size > 0 ? 'waiting' : 'idle';
      await this.report(state);
      return { state, posted, inFlight: this.seqs() };
    } catch (e: unknown) {
      // Whatever failed, L1 is the truth: re-read it (batch count, nonce) before the next pass.
      this.needsSync = true;
      this.o.logger.error(`poster step failed, will resync with L1: ${describeError(e)}`);
      await this.report('error').catch(() => undefined);
      return { state: 'error', posted, inFlight: this.seqs() };
    }
  }

  /** Reconciles Redis with the Inbox on L1 (on start and after errors). */
  private async sync(): Promise<void> {
    const r = await reconcile({
      inbox: this.l1,
      tx: this.tx,
      store: this.store,
      logger: this.o.logger,
      logFromBlock: this.o.logFromBlock ?? 0,
      onAdopted: (rec) => this.notify(rec),
    });
    this.inFlight.reset(r.kept, r.nextNonce, r.dropped);
    await this.inFlight.rebroadcast(r.batchCount);
  }

  /**
   * Builds and sends new batches while the window has room. A batch that is not full (it goes
   * because its oldest block is old) may take only the first half of the window: while L1
   * stalls, small batches would otherwise fill every slot and the backlog behind them would
   * wait for the slots to free up instead of going out in full batches.
   */
  private async fill(l1BatchCount: number | null): Promise<number> {
    const st = await this.store.cursor();
    const tail = this.inFlight.tail;
    let cursor = tail
      ? { seq: tail.seq + 1, block: tail.lastBlock + 1 }
      : st
        ? { seq: st.nextBatch, block: st.nextBlock }
        : null;
    if (!cursor) {
      this.needsSync = true;
      return 0;
    }
    if (l1BatchCount !== null && cursor.seq < l1BatchCount) {
      // L1 holds batches past everything we have in flight (Redis lost records): adopt them first.
      this.needsSync = true;
      return 0;
    }
    const partialSlots = Math.max(1, Math.floor(this.maxInFlight / 2));
    let sent = 0;
    while (this.inFlight.size < this.maxInFlight) {
      const built = await this.builder.next(cursor, this.inFlight.size < partialSlots);
      if (!built) break;
      let gasLimit: bigint;
      if (this.inFlight.size === 0) {
        // Alone in flight, the chain as it is can price it, and says if the Inbox would refuse it.
        try {
          const gas = await this.provider.estimateGas({
            from: this.address,
            to: this.o.inboxAddress,
            data: built.calldata,
          });
          gasLimit = (gas * (100n + GAS_MARGIN_PERCENT)) / 100n;
        } catch (e: unknown) {
          if (isError(e, 'CALL_EXCEPTION')) {
            const why = e.data ? this.inbox.interface.parseError(e.data)?.name : undefined;
            this.o.logger.warn(
              `batch ${built.seq}: the Inbox would refuse it (${why ?? e.shortMessage}); re-reading L1`,
            );
            this.needsSync = true;
            break;
          }
          throw e;
        }
      } else {
        gasLimit = appendBatchGasLimit(built.calldata);
      }
      const l1FromBlock = await this.l1.head();
      const { batch, result } = await this.inFlight.add({ ...built, gasLimit, l1FromBlock });
      sent++;
      this.o.logger.log(
        `sending batch ${batch.seq}: blocks ${batch.firstBlock}..${batch.lastBlock} (${built.reason}), ` +
          `${batch.compressedBytes} bytes at Brotli ${built.level}, nonce ${batch.nonce}, tx ${batch.hash} ` +
          `(${this.inFlight.size}/${this.maxInFlight} in flight)`,
      );
      // A refused broadcast is progress()'s to settle; do not pile more nonces behind it.
      if (result !== 'sent') break;
      cursor = { seq: batch.seq + 1, block: batch.lastBlock + 1 };
    }
    const full = this.inFlight.size >= this.maxInFlight;
    if (full && !this.windowFull) {
      const waiting = (await this.builder.sealedHead()) - (this.inFlight.tail?.lastBlock ?? 0);
      this.o.logger.warn(
        `all ${this.maxInFlight} in-flight slots taken (L1 slow?); ${Math.max(0, waiting)} sealed blocks wait for a slot`,
      );
    }
    this.windowFull = full;
    return sent;
  }

  /** The lag, for operators and the gateway: written to Redis after every pass. */
  private async report(activity: PosterActivity): Promise<PosterStatus> {
    const [st, sealedHead] = await Promise.all([this.store.cursor(), this.builder.sealedHead()]);
    const batches = this.inFlight.batches;
    const postedBlock = Math.max(0, (st?.nextBlock ?? 1) - 1);
    const sentBlock = batches.at(-1)?.lastBlock ?? postedBlock;
    const status: PosterStatus = {
      sealedHead,
      postedBlock,
      sentBlock,
      lagBlocks: Math.max(0, sealedHead - postedBlock),
      unsentBlocks: Math.max(0, sealedHead - sentBlock),
      inFlight: batches.length,
      maxInFlight: this.maxInFlight,
      nextBatch: st?.nextBatch ?? 0,
      nonces: batches.length ? [batches[0].nonce, batches.at(-1)!.nonce] : null,
      activity,
      updatedAtMs: this.o.clock.now(),
    };
    await this.store.writeStatus(status);
    return status;
  }

  private seqs(): number[] {
    return this.inFlight.batches.map((b) => b.seq);
  }

  private async notify(rec: PostedBatch): Promise<void> {
    try {
      await this.o.onPosted?.({
        prefix: this.o.keys.prefix,
        sequenceNumber: rec.sequenceNumber,
        firstBlock: rec.firstBlock,
        lastBlock: rec.lastBlock,
        l1TxHash: rec.l1TxHash,
        rawBytes: rec.rawBytes,
        compressedBytes: rec.compressedBytes,
      });
    } catch (e: unknown) {
      this.o.logger.warn(`onPosted failed for batch ${rec.sequenceNumber}: ${describeError(e)}`);
    }
  }
}
