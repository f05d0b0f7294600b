import fc from 'fast-check';
import { encodeBatch, encodeBatchRlp, longestFittingPrefix, selectBatch, type PendingBlock } from './index';
import { fixtureBlock, noise } from './noise.fixture';

/** Blocks of one incompressible transaction each, `sizes[i]` bytes, slots 2 s apart from t = 1000 s. */
function blocks(sizes: number[], first = 1): PendingBlock[] {
  return sizes.map((size, i) => ({
    ...fixtureBlock(first + i, 1000 + 2 * i, size > 0 ? [noise(first + i, size)] : []),
    startMs: (1000 + 2 * i) * 1000,
  }));
}

const base = { maxBytes: 3_500, maxDelayMs: 10_000, level: 11 };

describe('batch selection', () => {
  it('posts nothing when nothing is pending', () => {
    expect(selectBatch([], { ...base, nowMs: 0 })).toEqual({
      blocks: [],
      batch: null,
      post: false,
      reason: 'empty',
    });
  });

  it('waits while everything fits and the oldest block is younger than maxDelay', () => {
    const pending = blocks([500, 500]);
    const s = selectBatch(pending, { ...base, nowMs: pending[0].startMs + 9_999 });
    expect(s).toMatchObject({ post: false, reason: 'wait', batch: null });
    expect(s.blocks).toHaveLength(2);
  });

  it('compresses to decide when the raw window is over the limit but may fit compressed', () => {
    // Zeros compress to nearly nothing: 5 x 1000 raw bytes > 3500, but the batch fits.
    const pending = blocks([1000, 1000, 1000, 1000, 1000]).map((b) => ({
      ...b,
      txs: b.txs.map((t) => new Uint8Array(t.length)),
    }));
    expect(encodeBatchRlp(pending).length).toBeGreaterThan(3_500);
    const s = selectBatch(pending, { ...base, nowMs: pending[0].startMs });
    // Decided on the search level's size; nothing is compressed at level 11 for a batch that waits.
    expect(s).toMatchObject({ post: false, reason: 'wait', batch: null });
    expect(s.estimatedBytes).toBeLessThan(3_500);
  });

  it('reuses the encodings of an earlier call on the same first block (a poller)', () => {
    const pending = blocks([1000, 1000, 1000, 1000, 1000]);
    const memo = new Map();
    const first = selectBatch(pending.slice(0, 4), { ...base, nowMs: 0, memo });
    const seen = new Map(memo);
    const again = selectBatch(pending, { ...base, nowMs: 0, memo });
    expect(again).toEqual(selectBatch(pending, { ...base, nowMs: 0 }));
    expect(again.blocks).toEqual(first.blocks);
    for (const [k, e] of seen) expect(memo.get(k)).toBe(e);
  });

  it('posts everything once the oldest block is maxDelay old', () => {
    const pending = blocks([500, 500]);
    const s = selectBatch(pending, { ...base, nowMs: pending[0].startMs + 10_000 });
    expect(s).toMatchObject({ post: true, reason: 'delay' });
    expect(s.blocks.map((b) => b.number)).toEqual([1, 2]);
    expect(s.batch).toEqual(encodeBatch(pending, 11));
  });

  it('posts a full batch at once: the longest prefix that fits (known answer)', () => {
    // ~1000 incompressible bytes per block plus a few bytes of framing: 3 fit in 3500, 4 do not.
    const pending = blocks([1000, 1000, 1000, 1000, 1000]);
    const s = selectBatch(pending, { ...base, nowMs: 0 });
    expect(s).toMatchObject({ post: true, reason: 'full' });
    expect(s.blocks.map((b) => b.number)).toEqual([1, 2, 3]);
    expect(s.batch!.compressedBytes).toBeLessThanOrEqual(3_500);
    expect(encodeBatch(pending.slice(0, 4), 11).compressedBytes).toBeGreaterThan(3_500);
  });

  it('sends a single block larger than maxBytes alone', () => {
    const pending = blocks([5000, 10]);
    const s = selectBatch(pending, { ...base, nowMs: 0 });
    expect(s).toMatchObject({ post: true, reason: 'full' });
    expect(s.blocks.map((b) => b.number)).toEqual([1]);
    expect(s.batch!.compressedBytes).toBeGreaterThan(3_500);
  });

  it('treats a window that all fits as full when more blocks are pending beyond it', () => {
    const pending = blocks([100, 100]);
    expect(selectBatch(pending, { ...base, nowMs: 0, more: true })).toMatchObject({
      post: true,
      reason: 'full',
    });
  });

  it('finds the same prefix as a linear scan', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1500 }), { minLength: 1, maxLength: 24 }),
        fc.integer({ min: 200, max: 6000 }),
        (sizes, maxBytes) => {
          const pending = blocks(sizes);
          let linear = 1;
          while (
            linear < pending.length &&
            encodeBatch(pending.slice(0, linear + 1), 4).compressedBytes <= maxBytes
          ) {
            linear++;
          }
          const { count, batch } = longestFittingPrefix(pending, maxBytes, 4);
          expect(count).toBe(linear);
          expect(batch).toEqual(encodeBatch(pending.slice(0, count), 4));
          if (count > 1) expect(batch.compressedBytes).toBeLessThanOrEqual(maxBytes);
        },
      ),
      { numRuns: 60 },
    );
  });
});
