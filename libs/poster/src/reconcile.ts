/**
 * The poster's view of the Inbox on L1, and the reconciliation of its Redis records with it
 * (on start and after any error): L1 is the truth, Redis says what we were doing.
 */
import type { Contract, EventLog, Log, Provider } from 'ethers';
import { DaDecodeError, decodeBatchTransaction, inflateBatch } from '@sealane/batch';
import type { InFlightBatch, PostedBatch, PosterStore } from '@sealane/store';
import type { AppendedLog, InboxView, InFlightLogger } from './in-flight.ports';
import { PosterStateError } from './poster.error';
import type { TxManager } from './txmgr/tx-manager';

export class L1Inbox implements InboxView {
  constructor(
    private readonly inbox: Contract,
    private readonly provider: Provider,
  ) {}

  head(): Promise<number> {
    return this.provider.getBlockNumber();
  }

  async batchCount(): Promise<number> {
    return Number((await this.inbox.batchCount()) as bigint);
  }

  async nextBlock(): Promise<number> {
    return Number((await this.inbox.nextBlock()) as bigint);
  }

  /** The BatchAppended event of `seq` on the canonical chain, if any. */
  async appended(seq: number, fromBlock: number): Promise<AppendedLog | null> {
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

  async isCanonical(txHash: string, blockHash: string): Promise<boolean> {
    const receipt = await this.provider.getTransactionReceipt(txHash);
    return receipt !== null && receipt.blockHash === blockHash;
  }

  /** Builds the record of a landed batch from its L1 transaction alone. */
  async recordFromL1(log: AppendedLog): Promise<PostedBatch> {
    const tx = await this.provider.getTransaction(log.txHash);
    let data: Uint8Array | null = null;
    try {
      if (tx) data = decodeBatchTransaction(tx).data;
    } catch (e: unknown) {
      if (!(e instanceof DaDecodeError)) throw e;
    }
    if (!data) {
      throw new PosterStateError(
        `L1 transaction ${log.txHash} of batch ${log.seq} is not an appendBatch call`,
      );
    }
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
}

export interface Reconciled {
  /** The in-flight batches kept, contiguous from the cursor, in order. */
  kept: InFlightBatch[];
  /** Dropped entries whose transactions may still sit in the L1 pool (their fees are floors). */
  dropped: InFlightBatch[];
  /** Nonce for the next new batch. */
  nextNonce: number;
  batchCount: number;
}

/**
 * Keeps the in-flight records that still make sense against L1 and drops the rest: the chain
 * of entries must run on from the cursor with consecutive sequence numbers, blocks and nonces,
 * and the first one not yet on L1 must be the one the Inbox expects next. With nothing left in
 * flight, batches on L1 that Redis missed are adopted and the cursor moves to the Inbox's.
 */
export async function reconcile(o: {
  inbox: L1Inbox;
  tx: TxManager;
  store: PosterStore;
  logger: InFlightLogger;
  logFromBlock: number;
  onAdopted: (rec: PostedBatch) => Promise<void>;
}): Promise<Reconciled> {
  const [count, next] = await Promise.all([o.inbox.batchCount(), o.inbox.nextBlock()]);
  const st = (await o.store.load()) ?? { nextBatch: 0, nextBlock: next, inFlight: [] };
  const kept: InFlightBatch[] = [];
  for (const e of st.inFlight) {
    const prev = kept.at(-1);
    const follows = prev
      ? e.seq === prev.seq + 1 && e.firstBlock === prev.lastBlock + 1 && e.nonce === prev.nonce + 1
      : e.seq === st.nextBatch && e.firstBlock === st.nextBlock;
    if (!follows) break;
    kept.push(e);
  }
  let dropped = st.inFlight.filter((e) => !kept.includes(e));
  if (dropped.length) {
    o.logger.warn(
      `in-flight records ${dropped.map((d) => d.seq).join(', ')} do not follow the cursor (batch ${st.nextBatch}, ` +
        `block ${st.nextBlock}); dropping them`,
    );
  }
  const i = kept.findIndex((e) => e.seq >= count);
  if (i >= 0 && (kept[i].seq !== count || kept[i].firstBlock !== next)) {
    const bad = kept.splice(i);
    o.logger.warn(
      `in-flight batch ${bad[0].seq} (blocks ${bad[0].firstBlock}..${bad[0].lastBlock}) does not follow the Inbox ` +
        `(batchCount ${count}, nextBlock ${next}); dropping batches ${bad[0].seq}..${bad.at(-1)!.seq} and rebuilding from L1`,
    );
    dropped = [...dropped, ...bad];
  }
  if (kept.length) {
    await o.store.dropInFlight(dropped.map((d) => d.seq));
    o.logger.log(
      `resuming in-flight batch${kept.length > 1 ? 'es' : ''} ${kept[0].seq}..${kept.at(-1)!.seq} ` +
        `(nonces ${kept[0].nonce}..${kept.at(-1)!.nonce}, first L1 tx ${kept[0].hash})`,
    );
    return { kept, dropped, nextNonce: kept.at(-1)!.nonce + 1, batchCount: count };
  }
  if (st.nextBatch > count) {
    o.logger.error(
      `Redis records batches up to ${st.nextBatch - 1} but the Inbox counts ${count}: L1 lost batches ` +
        `(a reorg deeper than the confirmations?); posting again from batch ${count}`,
    );
  }
  for (let seq = st.nextBatch; seq < count; seq++) await adopt(o, seq);
  await o.store.reset(count, next);
  // After dropping our own records, the mined count: a new batch outbids what of ours still sits
  // in the pool rather than queueing behind it, where an eviction would leave a nonce gap.
  // Otherwise the pool's count, so as to queue behind another user of the key, not replace it.
  const nextNonce = dropped.length ? await o.tx.minedNonce() : await o.tx.pendingNonce();
  return { kept, dropped, nextNonce, batchCount: count };
}

/** Records a batch that is on L1 but not in Redis (e.g. Redis lost its last writes). */
async function adopt(
  o: {
    inbox: L1Inbox;
    store: PosterStore;
    logger: InFlightLogger;
    logFromBlock: number;
    onAdopted: (rec: PostedBatch) => Promise<void>;
  },
  seq: number,
): Promise<void> {
  const before = seq > 0 ? await o.store.posted(seq - 1) : null;
  const log = await o.inbox.appended(seq, before?.l1BlockNumber ?? o.logFromBlock);
  if (!log)
    throw new PosterStateError(`the Inbox counts batch ${seq} but its BatchAppended event was not found`);
  const rec = await o.inbox.recordFromL1(log);
  await o.store.recordAdopted(rec);
  o.logger.warn(
    `adopted batch ${seq} (blocks ${rec.firstBlock}..${rec.lastBlock}) found on L1 in ${rec.l1TxHash}`,
  );
  await o.onAdopted(rec);
}

function isEventLog(l: Log | EventLog): l is EventLog {
  return 'args' in l;
}
