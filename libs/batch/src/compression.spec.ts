import { compressionLevel, estimateBacklog } from './index';

describe('compression level by backlog (as Nitro)', () => {
  it.each([
    [0, 11],
    [20, 11],
    [21, 6],
    [60, 6],
    [61, 4],
    [10_000, 4],
  ])('backlog %i batches -> level %i', (backlog, level) => {
    expect(compressionLevel(backlog)).toBe(level);
  });

  it('never goes above the configured maximum', () => {
    expect(compressionLevel(0, 9)).toBe(9);
    expect(compressionLevel(30, 5)).toBe(5);
    expect(compressionLevel(100, 2)).toBe(2);
  });

  it('estimates the backlog from the blocks per batch posted so far', () => {
    expect(estimateBacklog({ pendingBlocks: 0, postedBlocks: 100, postedBatches: 10 })).toBe(0);
    expect(estimateBacklog({ pendingBlocks: 25, postedBlocks: 100, postedBatches: 10 })).toBe(3);
    expect(estimateBacklog({ pendingBlocks: 25, postedBlocks: 0, postedBatches: 0 })).toBe(25);
  });
});
