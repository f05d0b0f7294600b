/**
 * The cost of picking a batch out of a backlog: the selection compresses prefixes from the
 * first block up, never the whole window (which, behind, holds many batches' worth of blocks).
 */
import type { BatchBlock } from './codec';
import { fixtureBlock, noise } from './noise.fixture';
import { longestFittingPrefix, SEARCH_LEVEL, selectBatch, type PendingBlock } from './select';

const mockEncoded: number[] = [];
const mockLevels: number[] = [];
/** Bytes added to what level 11 makes: to see the selection when the higher level comes out larger. */
let mockLevel11Extra = 0;
jest.mock('./codec', () => {
  const actual = jest.requireActual<typeof import('./codec')>('./codec');
  return {
    ...actual,
    encodeBatch: (blocks: readonly BatchBlock[], level: number) => {
      mockEncoded.push(blocks.length);
      mockLevels.push(level);
      const e = actual.encodeBatch(blocks, level);
      return level === 11 ? { ...e, compressedBytes: e.compressedBytes + mockLevel11Extra } : e;
    },
  };
});

const pendingOf = (blocks: BatchBlock[]): PendingBlock[] => blocks.map((b) => ({ ...b, startMs: 0 }));

describe('batch selection behind a backlog', () => {
  it('compresses at most about twice the batch it picks, not the whole window', () => {
    // 160 blocks of ~1 KB of incompressible bytes; 3 fit in 3500 bytes.
    const window: BatchBlock[] = Array.from({ length: 160 }, (_, i) =>
      fixtureBlock(i + 1, 1000 + 2 * i, [noise(i + 1, 1000)]),
    );
    mockEncoded.length = 0;
    const { count } = longestFittingPrefix(window, 3_500, 5);
    expect(count).toBe(3);
    expect(Math.max(...mockEncoded)).toBeLessThanOrEqual(2 * count);
    expect(mockEncoded.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(4 * count);
  });

  it('still takes the whole window in one batch when it all fits', () => {
    const window: BatchBlock[] = Array.from({ length: 5 }, (_, i) =>
      fixtureBlock(i + 1, 1000 + 2 * i, [noise(i + 1, 100)]),
    );
    mockEncoded.length = 0;
    expect(longestFittingPrefix(window, 3_500, 5).count).toBe(5);
    expect(mockEncoded).toEqual([1, 2, 4, 5]);
  });

  it('searches at the search level and compresses only the batch it posts at level 11', () => {
    const window = pendingOf(
      Array.from({ length: 10 }, (_, i) => fixtureBlock(i + 1, 1000 + 2 * i, [noise(i + 1, 1000)])),
    );
    mockEncoded.length = 0;
    mockLevels.length = 0;
    const s = selectBatch(window, { maxBytes: 3_500, maxDelayMs: 60_000, nowMs: 0, level: 11 });
    expect(s).toMatchObject({ post: true, reason: 'full' });
    expect(s.blocks).toHaveLength(3);
    expect(mockLevels.filter((l) => l === 11)).toEqual([11]);
    expect(mockEncoded[mockLevels.indexOf(11)]).toBe(3);
    expect(mockLevels.every((l) => l === 11 || l === SEARCH_LEVEL)).toBe(true);
    expect(s.batch!.compressedBytes).toBeLessThanOrEqual(3_500);
  });

  it('searches again at the level itself when that comes out larger than the search said', () => {
    const window = pendingOf(
      Array.from({ length: 10 }, (_, i) => fixtureBlock(i + 1, 1000 + 2 * i, [noise(i + 1, 1000)])),
    );
    mockLevel11Extra = 1_100;
    try {
      const s = selectBatch(window, { maxBytes: 3_500, maxDelayMs: 60_000, nowMs: 0, level: 11 });
      expect(s).toMatchObject({ post: true, reason: 'full' });
      expect(s.blocks).toHaveLength(2);
      expect(s.batch!.compressedBytes).toBeLessThanOrEqual(3_500);
    } finally {
      mockLevel11Extra = 0;
    }
  });
});
