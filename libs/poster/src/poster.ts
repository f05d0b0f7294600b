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
import { logEvent } from '@sealane/observe';
import { isError, type Contract } from 'ethers';
import { DA_FORMATS, DEFAULT_DA_FORMAT, type DaFormat } from '@sealane/batch';
import { inboxContract } from '@sealane/contracts';
import { ChainStore, PosterStore, type PostedBatch, type PosterStatus } from '@sealane/store';
import { BatchBuilder, type BuiltBatch } from './batch-builder';
import { InFlight } from './in-flight';
import {
  checkedMaxInFlight,
  type PosterActivity,
  type PosterOptions,
  type TickResult,
} from './poster.options';
import { L1Inbox, reconcile } from './reconcile';
import { describeError, L1TxManager } from './txmgr/tx-manager';

export class Poster {
  private readonly inbox: Contract;
  private readonly da: DaFormat;
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
    this.maxInFlight = checkedMaxInFlight(o);
    this.inbox = inboxContract(o.inboxAddress, o.wallet.provider);
    this.da = DA_FORMATS[o.daFormat ?? DEFAULT_DA_FORMAT];
    this.l1 = new L1Inbox(this.inbox, o.wallet.provider);
    this.tx = new L1TxManager(o.wallet, o.feeBumpPercent);
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
      onFeeBump: () => o.metrics?.feeBump(),
    });
    this.builder = new BatchBuilder({
      chain: new ChainStore(o.redis, o.keys),
      params: o.params,
      da: this.da,
      inboxAddress: o.inboxAddress,
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
        const lagBlocks = Math.max(0, head - rec.lastBlock);
        this.o.metrics?.batchPosted({
          blocks: rec.lastBlock - rec.firstBlock + 1,
          rawBytes: rec.rawBytes,
          compressedBytes: rec.compressedBytes,
          lagBlocks,
        });
        this.o.logger.log(
          logEvent(
            'batch.posted',
            `posted batch ${rec.sequenceNumber}: blocks ${rec.firstBlock}..${rec.lastBlock}, ${rec.compressedBytes} bytes ` +
              `(${rec.rawBytes} raw), L1 block ${rec.l1BlockNumber}, tx ${rec.l1TxHash}; ` +
              `lag ${lagBlocks} blocks, ${this.inFlight.size} in flight`,
            {
              batch: rec.sequenceNumber,
              firstBlock: rec.firstBlock,
              lastBlock: rec.lastBlock,
              rawBytes: rec.rawBytes,
              compressedBytes: rec.compressedBytes,
              l1Block: rec.l1BlockNumber,
              l1TxHash: rec.l1TxHash,
              lagBlocks,
              inFlight: this.inFlight.size,
            },
          ),
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
      const gasLimit = await this.gasLimit(built);
      if (gasLimit === null) {
        this.needsSync = true;
        break;
      }
      const l1FromBlock = await this.l1.head();
      const { batch, result } = await this.inFlight.add({
        ...built,
        tx: { ...built.tx, gasLimit },
        l1FromBlock,
      });
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

  /**
   * Alone in flight, the chain as it is can price a batch, and says if the Inbox would refuse
   * it (null); behind others, its format's bound.
   */
  private async gasLimit(built: BuiltBatch): Promise<bigint | null> {
    if (this.inFlight.size > 0) return this.da.gasLimit(built.tx);
    try {
      return await this.tx.estimateGas(built.tx);
    } catch (e: unknown) {
      if (!isError(e, 'CALL_EXCEPTION')) throw e;
      const why = e.data ? this.inbox.interface.parseError(e.data)?.name : undefined;
      this.o.logger.warn(
        `batch ${built.seq}: the Inbox would refuse it (${why ?? e.shortMessage}); re-reading L1`,
      );
      return null;
    }
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
    this.o.metrics?.posterStatus(status);
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
