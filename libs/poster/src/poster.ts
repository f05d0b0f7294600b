/**
 * The batch poster: takes sealed L2 blocks from Redis in order, batches them (@sealane/batch)
 * and appends them to the L1 Inbox, one batch in flight at a time.
 *
 * It must never lose, skip or duplicate a batch. The Inbox refuses a wrong sequence number or
 * block range, so L1 itself cannot hold a gap or a duplicate; the poster's part is to keep its
 * Redis records in step with L1 across crashes, restarts, fee bumps and reorgs:
 * - the in-flight transaction is written to Redis before each broadcast;
 * - on start (and after any error) it re-reads the Inbox's batchCount/nextBlock and its nonce
 *   from L1, keeps or drops the in-flight record accordingly and adopts batches Redis missed;
 * - a batch counts as posted only once its BatchAppended event has `confirmations` blocks.
 * No @nestjs/* here: the Nest module around it only wires settings, the queue and a timer.
 */
import {
  getBytes,
  isError,
  keccak256,
  Transaction,
  type Contract,
  type Provider,
  type Wallet,
  type EventLog,
  type Log,
} from 'ethers';
import {
  compressionLevel,
  estimateBacklog,
  inflateBatch,
  MAX_BROTLI_LEVEL,
  selectBatch,
  type PendingBlock,
} from '@sealane/batch';
import { inboxContract } from '@sealane/contracts';
import type { ParamsStore } from '@sealane/params';
import type { BatchPostedEvent, Keys, SealaneRedis, SealedBlock } from '@sealane/store';
import { bumpFees, eip1559Fees, MIN_FEE_BUMP_PERCENT, type Eip1559Fees } from './fees';
import { PosterStateError, SealedBlockMissingError } from './poster.error';
import { PosterStore, type InFlightBatch, type PostedBatch, type PosterState } from './poster.state';

export interface Clock {
  now(): number;
}

export interface PosterLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Test seams: a hook that throws stands for the process dying at that point. */
export interface PosterHooks {
  /** The in-flight record is in Redis; the transaction is not broadcast yet. */
  afterPersist?(p: InFlightBatch): void | Promise<void>;
  /** The transaction was handed to the L1 node; nothing recorded yet. */
  afterBroadcast?(p: InFlightBatch): void | Promise<void>;
}

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
  /** Nothing to post yet; a batch is in flight on L1; a transaction was just sent; or a step failed (retried next tick). */
  state: PosterActivity;
  /** Sequence numbers of the batches recorded as posted during this tick. */
  posted: number[];
  /** The batch in flight after this tick, if any. */
  inFlight?: number;
}

type Step =
  | { kind: 'idle' }
  | { kind: 'waiting'; seq: number }
  | { kind: 'sent'; seq: number }
  | { kind: 'posted'; seq: number }
  | { kind: 'again' };

/** Read at most this many raw transaction bytes per maxBytes of batch into the selection window. */
const WINDOW_RAW_FACTOR = 16;
const MGET_CHUNK = 64;
/** Steps per tick: lets one tick record a batch, then build and send the next. */
const MAX_STEPS = 8;
const GAS_MARGIN_PERCENT = 20n;

interface AppendedLog {
  seq: number;
  firstBlock: number;
  lastBlock: number;
  dataHash: string;
  txHash: string;
  blockNumber: number;
  blockHash: string;
}

export class Poster {
  private readonly provider: Provider;
  private readonly inbox: Contract;
  private readonly store: PosterStore;
  private readonly maxLevel: number;
  private chainId: bigint | null = null;
  /** Next nonce for a new batch; null means "re-read from L1". */
  private nonce: number | null = null;
  private needsSync = true;
  private running: Promise<TickResult> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private started = false;

  constructor(private readonly o: PosterOptions) {
    if (!o.wallet.provider) throw new Error('the poster wallet must be connected to an L1 provider');
    this.provider = o.wallet.provider;
    this.inbox = inboxContract(o.inboxAddress, this.provider);
    this.store = new PosterStore(o.redis, o.keys);
    this.maxLevel = o.compressionLevel ?? MAX_BROTLI_LEVEL;
    if (!Number.isInteger(o.feeBumpPercent) || o.feeBumpPercent < MIN_FEE_BUMP_PERCENT) {
      throw new RangeError(
        `feeBumpPercent must be an integer >= ${MIN_FEE_BUMP_PERCENT}, got ${o.feeBumpPercent}`,
      );
    }
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
   * One step of work; never throws. Concurrent calls (queue jobs and the timer) share the
   * running tick and cause one more pass after it, so steps never interleave.
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

  private async pass(): Promise<TickResult> {
    const posted: number[] = [];
    try {
      for (let i = 0; i < MAX_STEPS; i++) {
        const s = await this.step();
        switch (s.kind) {
          case 'posted':
            posted.push(s.seq);
            continue;
          case 'again':
            continue;
          case 'idle':
            return { state: 'idle', posted };
          case 'waiting':
            return { state: 'waiting', posted, inFlight: s.seq };
          case 'sent':
            return { state: 'sent', posted, inFlight: s.seq };
        }
      }
      return { state: 'waiting', posted };
    } catch (e: unknown) {
      // Whatever failed, L1 is the truth: re-read it (batch count, nonce) before the next step.
      this.needsSync = true;
      this.nonce = null;
      this.o.logger.error(`poster step failed, will resync with L1: ${describe(e)}`);
      return { state: 'error', posted };
    }
  }

  private async step(): Promise<Step> {
    if (this.needsSync) {
      await this.sync();
      this.needsSync = false;
    }
    const st = await this.store.load();
    if (!st) throw new PosterStateError('poster state is missing after sync');
    return st.pending ? this.progress(st, st.pending) : this.build(st);
  }

  /** Reconciles Redis with the Inbox on L1 (on start and after errors). */
  private async sync(): Promise<void> {
    const [countB, nextB] = await Promise.all([
      this.inbox.batchCount() as Promise<bigint>,
      this.inbox.nextBlock() as Promise<bigint>,
    ]);
    const count = Number(countB);
    const next = Number(nextB);
    const st = (await this.store.load()) ?? { nextBatch: 0, nextBlock: next, pending: null };
    let pending = st.pending;
    if (pending && (pending.seq > count || (pending.seq === count && pending.firstBlock !== next))) {
      this.o.logger.warn(
        `in-flight batch ${pending.seq} (blocks ${pending.firstBlock}..${pending.lastBlock}) does not follow the Inbox ` +
          `(batchCount ${count}, nextBlock ${next}); dropping it and rebuilding from L1`,
      );
      pending = null;
    }
    if (pending) {
      // It is either still on its way (seq === count) or landed (seq < count): progress() decides.
      this.o.logger.log(
        `resuming in-flight batch ${pending.seq} (L1 tx ${pending.hash}, nonce ${pending.nonce})`,
      );
    } else {
      if (st.nextBatch > count) {
        this.o.logger.error(
          `Redis records batches up to ${st.nextBatch - 1} but the Inbox counts ${count}: L1 lost batches ` +
            `(a reorg deeper than the confirmations?); posting again from batch ${count}`,
        );
      }
      for (let seq = st.nextBatch; seq < count; seq++) await this.adopt(seq);
      await this.store.reset(count, next);
    }
    this.nonce = await this.provider.getTransactionCount(this.address, 'pending');
  }

  /** Records a batch that is on L1 but not in Redis (e.g. Redis lost its last writes). */
  private async adopt(seq: number): Promise<void> {
    const before = seq > 0 ? await this.store.posted(seq - 1) : null;
    const log = await this.findAppended(seq, before?.l1BlockNumber ?? this.o.logFromBlock ?? 0);
    if (!log)
      throw new PosterStateError(`the Inbox counts batch ${seq} but its BatchAppended event was not found`);
    const rec = await this.recordFromL1(log);
    await this.store.recordAdopted(rec);
    this.o.logger.warn(
      `adopted batch ${seq} (blocks ${rec.firstBlock}..${rec.lastBlock}) found on L1 in ${rec.l1TxHash}`,
    );
    await this.notify(rec);
  }

  /** Drives the in-flight batch: finalise once confirmed, rebroadcast, bump fees, or drop it. */
  private async progress(st: PosterState, p: InFlightBatch): Promise<Step> {
    const landed = await this.findAppended(p.seq, p.l1FromBlock);
    if (landed) {
      if (p.minedIn?.blockHash !== landed.blockHash) {
        p.minedIn = { blockNumber: landed.blockNumber, blockHash: landed.blockHash, txHash: landed.txHash };
        await this.store.savePending(p);
      }
      const head = await this.provider.getBlockNumber();
      if (head - landed.blockNumber + 1 < Math.max(1, this.o.confirmations))
        return { kind: 'waiting', seq: p.seq };
      // The event was read at some head; make sure its block is still canonical now.
      const receipt = await this.provider.getTransactionReceipt(landed.txHash);
      if (!receipt || receipt.blockHash !== landed.blockHash) return { kind: 'waiting', seq: p.seq };
      const ours = p.attempts.includes(landed.txHash);
      const rec: PostedBatch = ours
        ? {
            sequenceNumber: p.seq,
            firstBlock: landed.firstBlock,
            lastBlock: landed.lastBlock,
            l1TxHash: landed.txHash,
            l1BlockNumber: landed.blockNumber,
            rawBytes: p.rawBytes,
            compressedBytes: p.compressedBytes,
            dataHash: landed.dataHash,
          }
        : await this.recordFromL1(landed);
      await this.store.recordPosted(rec);
      if (ours) this.nonce = Math.max(this.nonce ?? 0, p.nonce + 1);
      else {
        this.o.logger.warn(
          `batch ${p.seq} landed in ${landed.txHash}, not one of this poster's transactions`,
        );
        this.needsSync = true;
      }
      this.o.logger.log(
        `posted batch ${p.seq}: blocks ${rec.firstBlock}..${rec.lastBlock}, ${rec.compressedBytes} bytes ` +
          `(${rec.rawBytes} raw), L1 block ${rec.l1BlockNumber}, tx ${rec.l1TxHash}`,
      );
      await this.notify(rec);
      return { kind: 'posted', seq: p.seq };
    }

    if (p.minedIn) {
      this.o.logger.warn(
        `batch ${p.seq}: its L1 transaction ${p.minedIn.txHash} left the chain (reorg at L1 block ` +
          `${p.minedIn.blockNumber}); broadcasting it again`,
      );
      delete p.minedIn;
      await this.store.savePending(p);
      await this.broadcast(p);
      return { kind: 'waiting', seq: p.seq };
    }

    const mined = await this.provider.getTransactionCount(this.address, 'latest');
    if (mined > p.nonce) {
      // Nonce used but no event: unless the batch landed between the two reads, it never will.
      if (Number(await this.inbox.batchCount()) > p.seq) return { kind: 'waiting', seq: p.seq };
      const reverted = await this.revertedAttempt(p);
      this.o.logger.error(
        `batch ${p.seq}: nonce ${p.nonce} was used without appending it (` +
          (reverted ? `transaction ${reverted} reverted` : 'another transaction took the nonce') +
          '); building it again',
      );
      await this.store.reset(st.nextBatch, st.nextBlock);
      this.needsSync = true;
      return { kind: 'again' };
    }

    if (this.o.clock.now() - p.sentAtMs >= this.o.resubmitMs) {
      await this.resubmit(p);
      return { kind: 'sent', seq: p.seq };
    }
    // A node that restarted or dropped it, or a crash before the first broadcast: send it again.
    if (!(await this.provider.getTransaction(p.hash))) {
      this.o.logger.warn(`batch ${p.seq}: L1 node does not know ${p.hash}; broadcasting it again`);
      await this.broadcast(p);
    }
    return { kind: 'waiting', seq: p.seq };
  }

  /** Batches the pending sealed blocks and sends the batch when it is full or old enough. */
  private async build(st: PosterState): Promise<Step> {
    const head = Number((await this.o.redis.get(this.o.keys.sealedHead())) ?? 0);
    if (head < st.nextBlock) return { kind: 'idle' };
    const params = (await this.o.params.snapshot(head)).values;
    const { blocks, more } = await this.loadWindow(st.nextBlock, head, params.batchMaxBytes);
    const level = compressionLevel(
      estimateBacklog({
        pendingBlocks: head - st.nextBlock + 1,
        postedBlocks: Math.max(0, st.nextBlock - 1),
        postedBatches: st.nextBatch,
      }),
      this.maxLevel,
    );
    const sel = selectBatch(blocks, {
      maxBytes: params.batchMaxBytes,
      maxDelayMs: params.batchMaxDelayMs,
      nowMs: this.o.clock.now(),
      level,
      more,
    });
    if (!sel.post || !sel.batch) return { kind: 'idle' };

    const seq = st.nextBatch;
    const firstBlock = sel.blocks[0].number;
    const lastBlock = sel.blocks[sel.blocks.length - 1].number;
    const calldata = this.inbox.interface.encodeFunctionData('appendBatch', [
      seq,
      firstBlock,
      lastBlock,
      sel.batch.data,
    ]);
    let gas: bigint;
    try {
      gas = await this.provider.estimateGas({ from: this.address, to: this.o.inboxAddress, data: calldata });
    } catch (e: unknown) {
      if (isError(e, 'CALL_EXCEPTION')) {
        const why = e.data ? this.inbox.interface.parseError(e.data)?.name : undefined;
        this.o.logger.warn(
          `batch ${seq}: the Inbox would refuse it (${why ?? e.shortMessage}); re-reading L1`,
        );
        this.needsSync = true;
        return { kind: 'again' };
      }
      throw e;
    }
    this.nonce ??= await this.provider.getTransactionCount(this.address, 'pending');
    const fees = eip1559Fees(await this.provider.getFeeData());
    const l1FromBlock = await this.provider.getBlockNumber();
    const gasLimit = (gas * (100n + GAS_MARGIN_PERCENT)) / 100n;
    const signed = await this.sign({ nonce: this.nonce, data: calldata, gasLimit, fees });
    const p: InFlightBatch = {
      seq,
      firstBlock,
      lastBlock,
      dataHash: keccak256(sel.batch.data),
      rawBytes: sel.batch.rawBytes,
      compressedBytes: sel.batch.compressedBytes,
      nonce: this.nonce,
      gasLimit: gasLimit.toString(),
      raw: signed.raw,
      hash: signed.hash,
      maxFeePerGas: fees.maxFeePerGas.toString(),
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
      sentAtMs: this.o.clock.now(),
      attempts: [signed.hash],
      l1FromBlock,
    };
    await this.store.savePending(p);
    await this.o.hooks?.afterPersist?.(p);
    this.o.logger.log(
      `sending batch ${seq}: blocks ${firstBlock}..${lastBlock} (${sel.reason}), ${p.compressedBytes} bytes at ` +
        `Brotli ${level}, nonce ${p.nonce}, tx ${p.hash}`,
    );
    await this.broadcast(p);
    await this.o.hooks?.afterBroadcast?.(p);
    return { kind: 'sent', seq };
  }

  /** Re-signs the in-flight batch with the same nonce and higher fees, recorded before broadcast. */
  private async resubmit(p: InFlightBatch): Promise<void> {
    const prev = {
      maxFeePerGas: BigInt(p.maxFeePerGas),
      maxPriorityFeePerGas: BigInt(p.maxPriorityFeePerGas),
    };
    const fees = bumpFees(prev, eip1559Fees(await this.provider.getFeeData()), this.o.feeBumpPercent);
    const data = Transaction.from(p.raw).data;
    const signed = await this.sign({ nonce: p.nonce, data, gasLimit: BigInt(p.gasLimit), fees });
    const next: InFlightBatch = {
      ...p,
      raw: signed.raw,
      hash: signed.hash,
      maxFeePerGas: fees.maxFeePerGas.toString(),
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
      sentAtMs: this.o.clock.now(),
      attempts: [...p.attempts, signed.hash],
    };
    await this.store.savePending(next);
    this.o.logger.warn(
      `batch ${p.seq}: not mined after ${this.o.resubmitMs} ms; replacing ${p.hash} with ${signed.hash} ` +
        `(max fee ${fees.maxFeePerGas}, tip ${fees.maxPriorityFeePerGas})`,
    );
    await this.broadcast(next);
  }

  private async sign(t: { nonce: number; data: string; gasLimit: bigint; fees: Eip1559Fees }) {
    this.chainId ??= (await this.provider.getNetwork()).chainId;
    const raw = await this.o.wallet.signTransaction({
      type: 2,
      chainId: this.chainId,
      nonce: t.nonce,
      to: this.o.inboxAddress,
      data: t.data,
      value: 0n,
      gasLimit: t.gasLimit,
      maxFeePerGas: t.fees.maxFeePerGas,
      maxPriorityFeePerGas: t.fees.maxPriorityFeePerGas,
    });
    return { raw, hash: keccak256(raw) };
  }

  /** Hands the signed transaction to the L1 node. Failures leave the in-flight record for progress(). */
  private async broadcast(p: InFlightBatch): Promise<void> {
    try {
      await this.provider.broadcastTransaction(p.raw);
    } catch (e: unknown) {
      if (isError(e, 'NONCE_EXPIRED')) {
        // Mined already (this or an earlier attempt), or taken by another transaction: L1 will tell.
        this.o.logger.warn(`batch ${p.seq}: nonce ${p.nonce} already used on L1; checking what landed`);
      } else if (isError(e, 'REPLACEMENT_UNDERPRICED')) {
        this.o.logger.warn(
          `batch ${p.seq}: L1 node holds a pricier transaction with nonce ${p.nonce}; bumping fees`,
        );
        await this.store.savePending({ ...p, sentAtMs: 0 });
      } else if (isError(e, 'INSUFFICIENT_FUNDS')) {
        this.o.logger.error(
          `batch ${p.seq}: poster account ${this.address} cannot pay for ${p.hash}; top it up`,
        );
      } else {
        // E.g. "already known" after a restart: harmless; anything else is retried next tick.
        this.o.logger.warn(`batch ${p.seq}: broadcasting ${p.hash} failed (${describe(e)})`);
      }
    }
  }

  /** The BatchAppended event of `seq` on the canonical chain, if any. */
  private async findAppended(seq: number, fromBlock: number): Promise<AppendedLog | null> {
    const logs = await this.inbox.queryFilter(this.inbox.filters.BatchAppended(seq), fromBlock, 'latest');
    const log = logs.filter(isEventLog).at(-1);
    if (!log) return null;
    return {
      seq,
      firstBlock: Number(log.args.firstBlock),
      lastBlock: Number(log.args.lastBlock),
      dataHash: String(log.args.dataHash),
      txHash: log.transactionHash,
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
    };
  }

  /** Builds the record of a landed batch from its L1 transaction alone. */
  private async recordFromL1(log: AppendedLog): Promise<PostedBatch> {
    const tx = await this.provider.getTransaction(log.txHash);
    const parsed = tx ? this.inbox.interface.parseTransaction({ data: tx.data }) : null;
    if (!parsed || parsed.name !== 'appendBatch') {
      throw new PosterStateError(
        `L1 transaction ${log.txHash} of batch ${log.seq} is not an appendBatch call`,
      );
    }
    const data = getBytes(parsed.args.data as string);
    return {
      sequenceNumber: log.seq,
      firstBlock: log.firstBlock,
      lastBlock: log.lastBlock,
      l1TxHash: log.txHash,
      l1BlockNumber: log.blockNumber,
      rawBytes: inflateBatch(data).length,
      compressedBytes: data.length,
      dataHash: log.dataHash,
    };
  }

  private async revertedAttempt(p: InFlightBatch): Promise<string | null> {
    for (const h of p.attempts) {
      const r = await this.provider.getTransactionReceipt(h);
      if (r && r.status === 0) return h;
    }
    return null;
  }

  /** Reads sealed blocks from `from`, up to a raw-size budget; `more` when blocks remain beyond it. */
  private async loadWindow(
    from: number,
    head: number,
    maxBytes: number,
  ): Promise<{ blocks: PendingBlock[]; more: boolean }> {
    const budget = maxBytes * WINDOW_RAW_FACTOR;
    const blocks: PendingBlock[] = [];
    let raw = 0;
    for (let start = from; start <= head; start += MGET_CHUNK) {
      const nums = Array.from({ length: Math.min(MGET_CHUNK, head - start + 1) }, (_, i) => start + i);
      const jsons = await this.o.redis.mget(nums.map((n) => this.o.keys.block(n)));
      for (let i = 0; i < nums.length; i++) {
        const json = jsons[i];
        if (!json) throw new SealedBlockMissingError(nums[i]);
        const b = JSON.parse(json) as SealedBlock;
        const txs = b.txs.map((t) => getBytes(t));
        blocks.push({ number: b.number, timestamp: b.timestamp, startMs: b.startMs, txs });
        raw += txs.reduce((s, t) => s + t.length, 0);
        if (raw > budget) return { blocks, more: nums[i] < head };
      }
    }
    return { blocks, more: false };
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
      this.o.logger.warn(`onPosted failed for batch ${rec.sequenceNumber}: ${describe(e)}`);
    }
  }
}

function isEventLog(l: Log | EventLog): l is EventLog {
  return 'args' in l;
}

/** One line for a log: ethers errors by code and short message, others by name and message. */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const { code, shortMessage } = e as Error & { code?: unknown; shortMessage?: unknown };
  if (typeof code === 'string' && typeof shortMessage === 'string') return `${code}: ${shortMessage}`;
  return `${e.name}: ${e.message}`;
}
