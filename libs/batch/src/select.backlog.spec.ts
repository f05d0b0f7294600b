/**
 * The cost of picking a batch out of a backlog: the selection compresses prefixes from the
 * first block up, never the whole window (which, behind, holds many batches' worth of blocks).
 */
import type { BatchBlock } from './codec';
import { fixtureBlock, noise } from './noise.fixture';
import { longestFittingPrefix } from './select';

const mockEncoded: number[] = [];
jest.mock('./codec', () => {
  const actual = jest.requireActual<typeof import('./codec')>('./codec');
  return {
    ...actual,
    encodeBatch: (blocks: readonly BatchBlock[], level: number) => {
      mockEncoded.push(blocks.length);
      return actual.encodeBatch(blocks, level);
    },
  };
});

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
});
