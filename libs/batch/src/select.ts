/**
 * Which sealed blocks go into the next batch, and whether to post it now. Pure: the caller
 * passes the pending blocks, the limits of the current parameter set and the clock's reading.
 */
import { encodeBatch, encodeBatchRlp, type BatchBlock, type EncodedBatch } from './codec';

/**
 * The most Brotli can make of `raw` bytes, the version byte included: incompressible input goes
 * out as uncompressed meta-blocks of at most 64 KiB, a few bytes of framing each.
 */
export const compressedBound = (raw: number): number => raw + 4 * Math.ceil(raw / 65_536) + 16 + 1;

/** A sealed block waiting to be posted. */
export interface PendingBlock extends BatchBlock {
  /** Start of the block's slot, in ms: its age decides when the batch must go. */
  startMs: number;
}

export interface SelectOptions {
  /** Largest `compressedBytes` of a batch (L1 calldata), version byte included. */
  maxBytes: number;
  /** Longest the oldest pending block may wait before its batch is posted. */
  maxDelayMs: number;
  /** The clock's reading, in ms. */
  nowMs: number;
  /** Brotli level (see compressionLevel). */
  level: number;
  /** True when more blocks are pending beyond `pending` (the caller read a window): then fitting them all is full. */
  more?: boolean;
  /**
   * Encodings of prefixes of `pending` by length at `level`, from earlier calls on the same first
   * block: sealed blocks never change, so a poller asking every few hundred ms compresses only
   * the prefixes it has not seen (the caller drops it when the first block or the level moves).
   */
  memo?: Map<number, EncodedBatch>;
}

export type SelectReason = 'full' | 'delay' | 'wait' | 'empty';

export interface BatchSelection {
  /** The blocks of the batch: the longest prefix of `pending` that fits (at least one block). */
  blocks: PendingBlock[];
  /** The encoded batch for `blocks` at `level`, to post; null when it waits (or nothing is pending). */
  batch: EncodedBatch | null;
  /** The compressed size of `blocks` at the search level, when deciding needed it. */
  estimatedBytes?: number;
  /** Post now: the batch is full, or its oldest block has waited `maxDelayMs`. */
  post: boolean;
  reason: SelectReason;
}

/**
 * The longest prefix of `pending` whose encoding fits `maxBytes`, found with a galloping then
 * binary search from the first block up (compressed size grows with the prefix in practice, so
 * this needs only about 2·log2(count) compressions, none of more than twice the batch). Going
 * up from one block, not down from the whole window, keeps a backlog cheap: the window then
 * holds many batches' worth of blocks, and compressing all of it for each batch made the poster
 * spend its time in Brotli while behind. A single block too large on its own still goes alone.
 */
export function longestFittingPrefix(
  pending: readonly BatchBlock[],
  maxBytes: number,
  level: number,
  /** Encodings of prefixes by length, kept by a caller that asks again about the same blocks. */
  memo: Map<number, EncodedBatch> = new Map(),
): { count: number; batch: EncodedBatch } {
  const n = pending.length;
  const enc = (k: number): EncodedBatch => {
    let e = memo.get(k);
    if (!e) memo.set(k, (e = encodeBatch(pending.slice(0, k), level)));
    return e;
  };
  const fits = (k: number) => enc(k).compressedBytes <= maxBytes;
  if (!fits(1)) return { count: 1, batch: enc(1) };
  let lo = 1; // fits
  let hi = n + 1; // does not fit (n + 1: nothing known not to)
  for (let k = 2; lo < n; k *= 2) {
    const c = Math.min(k, n);
    if (fits(c)) lo = c;
    else {
      hi = c;
      break;
    }
  }
  if (lo === n) return { count: n, batch: enc(n) };
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return { count: lo, batch: enc(lo) };
}

/**
 * The Brotli level of the size search (op-batcher's shadow compressor does the same). At level
 * 11 each trial prefix cost as much as the batch itself (1,000 transfers, 118 KB of RLP: 470 ms)
 * and a poster polling a growing window spent most of a core in Brotli; level 5 takes 4.5 ms for
 * output 1.2% larger than level 11's, so what fits at 5 fits once compressed at 11 (checked,
 * with a search at the level itself in the rare case it does not). Batches come out a little
 * less full than a search at 11 would make them.
 */
export const SEARCH_LEVEL = 5;

/** Picks the next batch from pending blocks (in block order) and decides whether to post it now. */
export function selectBatch(pending: readonly PendingBlock[], opts: SelectOptions): BatchSelection {
  if (pending.length === 0) return { blocks: [], batch: null, post: false, reason: 'empty' };
  const delayed = opts.nowMs - pending[0].startMs >= opts.maxDelayMs;
  // Not due and certain to fit even uncompressed: wait without compressing (the poster asks at
  // every poll, and Brotli at level 11 over the pending window was most of its CPU under load).
  if (!delayed && opts.more !== true && compressedBound(encodeBatchRlp(pending).length) <= opts.maxBytes)
    return { blocks: [...pending], batch: null, post: false, reason: 'wait' };
  const search = Math.min(opts.level, SEARCH_LEVEL);
  const found = longestFittingPrefix(pending, opts.maxBytes, search, opts.memo);
  const decide = (count: number) => {
    const full = count < pending.length || opts.more === true;
    return {
      blocks: pending.slice(0, count),
      reason: (full ? 'full' : delayed ? 'delay' : 'wait') as SelectReason,
    };
  };
  const { blocks, reason } = decide(found.count);
  const estimatedBytes = found.batch.compressedBytes;
  if (reason === 'wait') return { blocks, batch: null, estimatedBytes, post: false, reason };
  if (search === opts.level) return { blocks, batch: found.batch, estimatedBytes, post: true, reason };
  const batch = encodeBatch(blocks, opts.level);
  if (batch.compressedBytes <= opts.maxBytes || found.count === 1)
    return { blocks, batch, estimatedBytes, post: true, reason };
  // The higher level came out larger than the search's: search at the level itself.
  const exact = longestFittingPrefix(pending, opts.maxBytes, opts.level);
  const again = decide(exact.count);
  const post = again.reason !== 'wait';
  return { ...again, batch: post ? exact.batch : null, estimatedBytes, post };
}
