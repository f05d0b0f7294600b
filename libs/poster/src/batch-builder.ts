/**
 * The next batch from the sealed blocks in Redis: reads a window from the cursor, picks the
 * blocks (@sealane/batch) and puts them in an L1 transaction in the poster's data format.
 * Knows nothing of nonces or L1 state.
 */
import { getBytes, keccak256 } from 'ethers';
import {
  compressionLevel,
  estimateBacklog,
  MAX_BROTLI_LEVEL,
  outputRoot,
  selectBatch,
  type DaFormat,
  type DaTransaction,
  type EncodedBatch,
  type PendingBlock,
  type SelectReason,
} from '@sealane/batch';
import type { ChainStore, ParamsStore, SealedBlock } from '@sealane/store';
import { SealedBlockMissingError } from './poster.error';

/** Read at most this many raw transaction bytes per maxBytes of batch into the selection window. */
const WINDOW_RAW_FACTOR = 16;
const MGET_CHUNK = 64;

export interface BuiltBatch {
  seq: number;
  firstBlock: number;
  lastBlock: number;
  /** The transaction to the Inbox that posts it, without gas. */
  tx: DaTransaction;
  dataHash: string;
  /** Output root of the last block, which the Inbox stores for the batch. */
  outputRoot: string;
  rawBytes: number;
  compressedBytes: number;
  reason: SelectReason;
  level: number;
}

export class BatchBuilder {
  /** Encoded prefixes of the window at the cursor (see SelectOptions.memo). */
  private memo: { block: number; level: number; encoded: Map<number, EncodedBatch> } | undefined;

  constructor(
    private readonly o: {
      chain: ChainStore;
      params: ParamsStore;
      da: DaFormat;
      inboxAddress: string;
      /** Brotli level while the poster keeps up. */
      maxLevel?: number;
      now: () => number;
    },
  ) {}

  async sealedHead(): Promise<number> {
    return this.o.chain.sealedHead();
  }

  /**
   * The batch starting at the cursor, if it should go now: full, or (when `partial` is allowed)
   * its oldest block has waited batchMaxDelayMs. `postedBatches` tunes compression to the backlog.
   */
  async next(cursor: { seq: number; block: number }, partial: boolean): Promise<BuiltBatch | null> {
    const head = await this.sealedHead();
    if (head < cursor.block) return null;
    const params = (await this.o.params.snapshot(head)).values;
    const { blocks, more } = await this.loadWindow(cursor.block, head, params.batchMaxBytes);
    const level = compressionLevel(
      estimateBacklog({
        pendingBlocks: head - cursor.block + 1,
        postedBlocks: Math.max(0, cursor.block - 1),
        postedBatches: cursor.seq,
      }),
      this.o.maxLevel ?? MAX_BROTLI_LEVEL,
    );
    if (this.memo?.block !== cursor.block || this.memo.level !== level)
      this.memo = { block: cursor.block, level, encoded: new Map() };
    const sel = selectBatch(blocks, {
      maxBytes: params.batchMaxBytes,
      maxDelayMs: params.batchMaxDelayMs,
      nowMs: this.o.now(),
      level,
      more,
      memo: this.memo.encoded,
    });
    if (!sel.post || !sel.batch) return null;
    if (sel.reason !== 'full' && !partial) return null;
    const firstBlock = sel.blocks[0].number;
    const last = sel.blocks[sel.blocks.length - 1];
    const lastBlock = last.number;
    const root = outputRoot(last);
    return {
      seq: cursor.seq,
      firstBlock,
      lastBlock,
      tx: this.o.da.encode(
        { seq: cursor.seq, firstBlock, lastBlock, data: sel.batch.data, outputRoot: root },
        this.o.inboxAddress,
      ),
      dataHash: keccak256(sel.batch.data),
      outputRoot: root,
      rawBytes: sel.batch.rawBytes,
      compressedBytes: sel.batch.compressedBytes,
      reason: sel.reason,
      level,
    };
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
      const records = await this.o.chain.blocks(nums);
      for (let i = 0; i < nums.length; i++) {
        const b = records[i];
        if (!b) throw new SealedBlockMissingError(nums[i]);
        const p = pendingBlockOf(b);
        blocks.push(p);
        raw += p.txs.reduce((s, t) => s + t.length, 0);
        if (raw > budget) return { blocks, more: nums[i] < head };
      }
    }
    return { blocks, more: false };
  }
}

/** A sealed-block record as a batch carries it (codec.ts, version 1). */
export function pendingBlockOf(b: SealedBlock): PendingBlock {
  return {
    number: b.number,
    timestamp: b.timestamp,
    startMs: b.startMs,
    feeRecipient: b.feeRecipient.toLowerCase(),
    txs: b.txs.map((t) => getBytes(t)),
    hash: b.hash.toLowerCase(),
    stateRoot: b.stateRoot.toLowerCase(),
    evidence: {
      paramsVersion: b.paramsVersion,
      forceInclusionDelaySlots: b.forceInclusionDelaySlots,
      orderRoot: b.orderRoot.toLowerCase(),
      bidsRoot: b.bidsRoot.toLowerCase(),
    },
  };
}
