/**
 * The batches on their way to L1: up to `maxInFlight` of them at once, with consecutive
 * sequence numbers, consecutive L2 block ranges and consecutive L1 nonces, so that the order
 * in which L1 mines them (nonce order) is the order the Inbox accepts (sequence order).
 *
 * Pure of I/O: it works over three ports, the transaction manager (txmgr/: fees, signing,
 * broadcast), a view of the Inbox on L1 and the durable store (in-flight.ports.ts); the poster
 * wires the real ones and the unit spec fakes them. Every entry is in the store before its
 * first broadcast, so a crash at any point leaves enough to rebroadcast it or to adopt what landed.
 */
import type { InFlightBatch, PostedBatch } from '@sealane/store';
import type { InboxView, InFlightHooks, InFlightLogger, InFlightStore } from './in-flight.ports';
import type { Eip1559Fees } from './txmgr/fees';
import type { BroadcastResult, TxCandidate, TxManager } from './txmgr/tx-manager';

export interface InFlightOptions {
  tx: TxManager;
  inbox: InboxView;
  store: InFlightStore;
  now: () => number;
  logger: InFlightLogger;
  /** Blocks on top of the one holding the batch before it counts as posted (0 is taken as 1). */
  confirmations: number;
  /** Re-sign with higher fees when a transaction is not mined after this long. */
  resubmitMs: number;
  hooks?: InFlightHooks;
  /** Told of each fee bump (a transaction re-signed at its nonce with higher fees). */
  onFeeBump?: () => void;
}

/** A new batch, ready to be signed. */
export interface BatchCandidate {
  seq: number;
  firstBlock: number;
  lastBlock: number;
  /** The L1 transaction that posts it (in its data format), with its gas. */
  tx: TxCandidate;
  dataHash: string;
  rawBytes: number;
  compressedBytes: number;
  /** L1 head now: its event cannot be older. */
  l1FromBlock: number;
}

export interface ProgressResult {
  /** Batches recorded as posted, in order. */
  confirmed: PostedBatch[];
  /** Transactions (re)broadcast or replaced. */
  sent: number;
  /** Set when entries were dropped to be built again from this sequence number. */
  rebuildFrom: number | null;
  /** A batch landed in a transaction that is not ours: the caller must reconcile with L1. */
  resync: boolean;
  /** The Inbox's batch count as read in this step, or null when nothing was in flight. */
  l1BatchCount: number | null;
}

const feesOf = (b: InFlightBatch): Eip1559Fees => ({
  maxFeePerGas: BigInt(b.maxFeePerGas),
  maxPriorityFeePerGas: BigInt(b.maxPriorityFeePerGas),
});

export class InFlight {
  private entries: InFlightBatch[] = [];
  private nextNonce = 0;
  /**
   * Fees of dropped transactions that may still sit in the L1 pool at their nonce: a new
   * transaction at that nonce must outbid them by the bump, or the node refuses it.
   */
  private readonly floors = new Map<number, Eip1559Fees>();

  constructor(private readonly o: InFlightOptions) {}

  /** Sets the entries (contiguous, checked by the reconciler) and the nonce of the next new batch. */
  reset(entries: readonly InFlightBatch[], nextNonce: number, floors: readonly InFlightBatch[] = []): void {
    this.entries = [...entries];
    this.nextNonce = nextNonce;
    for (const d of floors) this.floors.set(d.nonce, feesOf(d));
  }

  get size(): number {
    return this.entries.length;
  }

  get batches(): readonly InFlightBatch[] {
    return this.entries;
  }

  get tail(): InFlightBatch | undefined {
    return this.entries.at(-1);
  }

  /** The nonce the next new batch will get. */
  get nonce(): number {
    return this.nextNonce;
  }

  /** Signs the next batch at the next nonce, stores it, then broadcasts it. */
  async add(c: BatchCandidate): Promise<{ batch: InFlightBatch; result: BroadcastResult }> {
    const tail = this.tail;
    if (tail && (c.seq !== tail.seq + 1 || c.firstBlock !== tail.lastBlock + 1)) {
      throw new RangeError(
        `batch ${c.seq} (blocks from ${c.firstBlock}) does not follow batch ${tail.seq} (to ${tail.lastBlock})`,
      );
    }
    const nonce = this.nextNonce;
    const floor = this.floors.get(nonce);
    const signed = await this.o.tx.sign(c.tx, nonce, floor);
    const b: InFlightBatch = {
      seq: c.seq,
      firstBlock: c.firstBlock,
      lastBlock: c.lastBlock,
      dataHash: c.dataHash,
      rawBytes: c.rawBytes,
      compressedBytes: c.compressedBytes,
      nonce,
      gasLimit: c.tx.gasLimit.toString(),
      raw: signed.raw,
      hash: signed.hash,
      maxFeePerGas: signed.fees.maxFeePerGas.toString(),
      maxPriorityFeePerGas: signed.fees.maxPriorityFeePerGas.toString(),
      sentAtMs: this.o.now(),
      attempts: [signed.hash],
      l1FromBlock: c.l1FromBlock,
    };
    await this.o.store.save(b);
    this.entries.push(b);
    this.nextNonce = nonce + 1;
    this.floors.delete(nonce);
    await this.o.hooks?.afterPersist?.(b);
    const result = await this.send(b);
    await this.o.hooks?.afterBroadcast?.(b);
    return { batch: b, result };
  }

  /**
   * One look at L1: records the landed batches that have their confirmations (from the front,
   * in order), broadcasts again a batch a reorg removed, replaces the stale ones with higher
   * fees (lowest nonce first), rebroadcasts the lowest one if the node lost it, and drops a
   * batch whose nonce was used without appending it, with every batch after it.
   */
  async progress(): Promise<ProgressResult> {
    const res: ProgressResult = {
      confirmed: [],
      sent: 0,
      rebuildFrom: null,
      resync: false,
      l1BatchCount: null,
    };
    if (this.entries.length === 0) return res;
    // The nonce first, then the count: a batch counted as not landed after its nonce was seen
    // used really did not land (read the other way round, it could land in between).
    const mined = await this.o.tx.minedNonce();
    const count = await this.o.inbox.batchCount();
    const head = await this.o.inbox.head();
    res.l1BatchCount = count;

    while (this.entries.length > 0 && this.entries[0].seq < count) {
      const e = this.entries[0];
      const landed = await this.o.inbox.appended(e.seq, e.l1FromBlock);
      if (!landed) break;
      if (e.minedIn?.blockHash !== landed.blockHash) {
        e.minedIn = { blockNumber: landed.blockNumber, blockHash: landed.blockHash, txHash: landed.txHash };
        await this.o.store.save(e);
      }
      if (head - landed.blockNumber + 1 < Math.max(1, this.o.confirmations)) break;
      // The event was read at some head; make sure its block is still canonical now.
      if (!(await this.o.inbox.isCanonical(landed.txHash, landed.blockHash))) break;
      const ours = e.attempts.includes(landed.txHash);
      const rec: PostedBatch = ours
        ? {
            sequenceNumber: e.seq,
            firstBlock: landed.firstBlock,
            lastBlock: landed.lastBlock,
            l1TxHash: landed.txHash,
            l1BlockNumber: landed.blockNumber,
            rawBytes: e.rawBytes,
            compressedBytes: e.compressedBytes,
            dataHash: landed.dataHash,
          }
        : await this.o.inbox.recordFromL1(landed);
      await this.o.store.confirm(rec);
      this.entries.shift();
      res.confirmed.push(rec);
      if (!ours) {
        this.o.logger.warn(
          `batch ${e.seq} landed in ${landed.txHash}, not one of this poster's transactions`,
        );
        res.resync = true;
        return res;
      }
    }

    // Only the lowest pending transaction is looked up in the node's pool each time (it blocks
    // all the others); when it is lost, the ones behind it are checked too (pools drop them together).
    let check = true;
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.seq < count) continue; // landed, waiting for its confirmations
      if (e.minedIn) {
        this.o.logger.warn(
          `batch ${e.seq}: its L1 transaction ${e.minedIn.txHash} left the chain (reorg at L1 block ` +
            `${e.minedIn.blockNumber}); broadcasting it again`,
        );
        delete e.minedIn;
        await this.o.store.save(e);
        await this.send(e);
        res.sent++;
        check = false;
        continue;
      }
      if (e.nonce < mined) {
        const reverted = await this.o.tx.revertedAmong(e.attempts);
        this.o.logger.error(
          `batch ${e.seq}: nonce ${e.nonce} was used without appending it (` +
            (reverted ? `transaction ${reverted} reverted` : 'another transaction took the nonce') +
            `); building batches ${e.seq}..${this.entries.at(-1)!.seq} again from nonce ${mined}`,
        );
        await this.dropFrom(i, mined);
        res.rebuildFrom = e.seq;
        return res;
      }
      if (this.o.now() - e.sentAtMs >= this.o.resubmitMs) {
        await this.replace(e, i);
        res.sent++;
      } else if (check && !(await this.o.tx.knows(e.hash))) {
        // A node that restarted or evicted it.
        this.o.logger.warn(`batch ${e.seq}: L1 node does not know ${e.hash}; broadcasting it again`);
        await this.send(e);
        res.sent++;
        continue;
      }
      check = false;
    }
    return res;
  }

  /** After a restart: hands every entry not yet landed to the L1 node again, in nonce order. */
  async rebroadcast(batchCount: number): Promise<number> {
    let sent = 0;
    for (const e of this.entries) {
      if (e.seq < batchCount || (await this.o.tx.knows(e.hash))) continue;
      this.o.logger.warn(`batch ${e.seq}: L1 node does not know ${e.hash}; broadcasting it again`);
      await this.send(e);
      sent++;
    }
    return sent;
  }

  private async dropFrom(i: number, mined: number): Promise<void> {
    const dropped = this.entries.splice(i);
    for (const d of dropped) if (d.nonce >= mined) this.floors.set(d.nonce, feesOf(d));
    await this.o.store.drop(dropped.map((d) => d.seq));
    this.nextNonce = mined;
  }

  /** Re-signs an entry at its nonce with higher fees, stored before broadcast. */
  private async replace(e: InFlightBatch, i: number): Promise<void> {
    const signed = await this.o.tx.sign(this.o.tx.candidateOf(e.raw), e.nonce, feesOf(e));
    const next: InFlightBatch = {
      ...e,
      raw: signed.raw,
      hash: signed.hash,
      maxFeePerGas: signed.fees.maxFeePerGas.toString(),
      maxPriorityFeePerGas: signed.fees.maxPriorityFeePerGas.toString(),
      sentAtMs: this.o.now(),
      attempts: [...e.attempts, signed.hash],
    };
    await this.o.store.save(next);
    this.entries[i] = next;
    this.o.onFeeBump?.();
    this.o.logger.warn(
      `batch ${e.seq}: not mined after ${this.o.resubmitMs} ms; replacing ${e.hash} with ${signed.hash} ` +
        `(nonce ${e.nonce}, max fee ${signed.fees.maxFeePerGas}, tip ${signed.fees.maxPriorityFeePerGas})`,
    );
    await this.send(next);
  }

  /** Hands the signed transaction to the L1 node; failures leave the entry for progress(). */
  private async send(b: InFlightBatch): Promise<BroadcastResult> {
    const { result, detail } = await this.o.tx.broadcast(b.raw);
    switch (result) {
      case 'sent':
        break;
      case 'nonce-used':
        this.o.logger.warn(`batch ${b.seq}: nonce ${b.nonce} already used on L1; checking what landed`);
        break;
      case 'underpriced': {
        this.o.logger.warn(
          `batch ${b.seq}: L1 node holds a pricier transaction with nonce ${b.nonce}; bumping fees`,
        );
        // Due for replacement at the next look.
        b.sentAtMs = this.o.now() - this.o.resubmitMs;
        await this.o.store.save(b);
        break;
      }
      case 'no-funds':
        this.o.logger.error(
          `batch ${b.seq}: poster account ${this.o.tx.address} cannot pay for ${b.hash}; top it up`,
        );
        break;
      case 'failed':
        this.o.logger.warn(`batch ${b.seq}: broadcasting ${b.hash} failed (${detail ?? 'unknown error'})`);
        break;
    }
    return result;
  }
}
