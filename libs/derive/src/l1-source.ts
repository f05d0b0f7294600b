/**
 * What L1 holds of the L2 chain, read from the Inbox alone: the genesis it published, each
 * batch (its event, the calldata of the transaction that emitted it, decoded) and each forced
 * transaction. Reads a range of L1 blocks at a time, so a replica can follow L1 as it grows.
 * Nothing here judges a batch: a batch that does not decode keeps why (derive.ts decides).
 */
import { getBytes, type EventLog, type JsonRpcProvider, type Log } from 'ethers';
import {
  BatchDecodeError,
  DaDecodeError,
  decodeBatch,
  decodeBatchTransaction,
  type BatchBlock,
  type DaBatch,
} from '@sealane/batch';
import { inboxContract } from '@sealane/contracts';
import { decodeGenesis, GenesisError, type GenesisConfig } from '@sealane/engine';
import type { ForcedTx } from './forced';

export interface L1Genesis {
  hash: string;
  /** The published config; null when the Inbox published none (or it does not parse). */
  config: GenesisConfig | null;
  /** Why `config` is null. */
  problem?: string;
}

/** One BatchAppended event and what its L1 transaction posted. */
export interface L1Batch {
  seq: number;
  firstBlock: number;
  lastBlock: number;
  dataHash: string;
  accumulator: string;
  outputRoot: string;
  l1Block: number;
  /** Timestamp (seconds) of the L1 block the batch is in. */
  l1Timestamp: number;
  l1TxHash: string;
  /** The batch as the calldata carries it; absent when the transaction posts none. */
  call?: DaBatch;
  /** The decoded blocks; absent when the data does not decode (see `problem`). */
  blocks?: BatchBlock[];
  problem?: string;
}

const byPosition = (a: Log, b: Log) => a.blockNumber - b.blockNumber || a.index - b.index;

export class L1Source {
  private readonly inbox;
  private readonly timestamps = new Map<number, number>();

  constructor(
    private readonly l1: JsonRpcProvider,
    readonly inboxAddress: string,
  ) {
    this.inbox = inboxContract(inboxAddress, l1);
  }

  head(): Promise<number> {
    return this.l1.getBlockNumber();
  }

  async genesis(fromBlock = 0): Promise<L1Genesis> {
    const hash = String(await this.inbox.genesisHash());
    const [log] = (await this.inbox.queryFilter(this.inbox.filters.Genesis(), fromBlock)) as EventLog[];
    if (!log) return { hash, config: null, problem: 'the Inbox emitted no Genesis event' };
    const bytes = getBytes(log.args.config as string);
    if (bytes.length === 0)
      return { hash, config: null, problem: 'the Inbox published an empty genesis config' };
    try {
      return { hash, config: decodeGenesis(bytes) };
    } catch (e: unknown) {
      if (!(e instanceof GenesisError)) throw e;
      return { hash, config: null, problem: `the published genesis config is invalid: ${e.message}` };
    }
  }

  /** Batches and forced transactions in L1 blocks from..to, in L1 order. */
  async read(from: number, to: number): Promise<{ batches: L1Batch[]; forced: ForcedTx[] }> {
    if (to < from) return { batches: [], forced: [] };
    const [appended, forcedLogs] = await Promise.all([
      this.inbox.queryFilter(this.inbox.filters.BatchAppended(), from, to),
      this.inbox.queryFilter(this.inbox.filters.ForcedInclusion(), from, to),
    ]);
    const events = (appended as (Log | EventLog)[])
      .filter((l): l is EventLog => 'args' in l)
      .sort(byPosition);
    const batches: L1Batch[] = [];
    for (const log of events) batches.push(await this.batchOf(log));
    const forced = (forcedLogs as (Log | EventLog)[])
      .filter((l): l is EventLog => 'args' in l)
      .sort(byPosition)
      .map((l): ForcedTx => ({
        index: Number(l.args.index),
        raw: String(l.args.rawTx).toLowerCase(),
        hash: String(l.args.txHash).toLowerCase(),
        l1Sender: String(l.args.sender).toLowerCase(),
        l1Timestamp: Number(l.args.timestamp),
        l1Block: l.blockNumber,
      }));
    return { batches, forced };
  }

  private async batchOf(log: EventLog): Promise<L1Batch> {
    const base: L1Batch = {
      seq: Number(log.args.sequenceNumber),
      firstBlock: Number(log.args.firstBlock),
      lastBlock: Number(log.args.lastBlock),
      dataHash: String(log.args.dataHash).toLowerCase(),
      accumulator: String(log.args.accumulator).toLowerCase(),
      outputRoot: String(log.args.outputRoot).toLowerCase(),
      l1Block: log.blockNumber,
      l1Timestamp: await this.timestampOf(log.blockNumber),
      l1TxHash: log.transactionHash,
    };
    const tx = await this.l1.getTransaction(log.transactionHash);
    if (!tx || tx.to?.toLowerCase() !== this.inboxAddress.toLowerCase()) {
      return { ...base, problem: `L1 transaction ${log.transactionHash} is not a direct call to the Inbox` };
    }
    let call: DaBatch;
    try {
      call = decodeBatchTransaction(tx);
    } catch (e: unknown) {
      if (!(e instanceof DaDecodeError)) throw e;
      return { ...base, problem: `L1 transaction ${log.transactionHash} posts no batch: ${e.message}` };
    }
    try {
      return { ...base, call, blocks: decodeBatch(call.data) };
    } catch (e: unknown) {
      if (!(e instanceof BatchDecodeError)) throw e;
      return { ...base, call, problem: `batch data does not decode: ${e.message}` };
    }
  }

  private async timestampOf(n: number): Promise<number> {
    let t = this.timestamps.get(n);
    if (t === undefined) {
      const b = await this.l1.getBlock(n);
      if (!b) throw new Error(`L1 block ${n} not found`);
      t = b.timestamp;
      this.timestamps.set(n, t);
      if (this.timestamps.size > 10_000) this.timestamps.clear();
    }
    return t;
  }
}
