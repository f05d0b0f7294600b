/**
 * Brotli level by backlog, after Nitro's batch poster (arbnode/batch_poster.go): compress as
 * hard as possible while the poster keeps up, and trade ratio for speed when it falls behind,
 * so a backlog drains instead of growing while level 11 grinds through it.
 */
import { MAX_BROTLI_LEVEL } from './codec';

/** Nitro's thresholds, in batches of backlog: above 20 at most level 6 (Brotli's default), above 60 at most 4. */
export const BACKLOG_STEPS: readonly { above: number; maxLevel: number }[] = [
  { above: 60, maxLevel: 4 },
  { above: 20, maxLevel: 6 },
];

/** The Brotli level for a backlog of `backlogBatches` batches, never above `maxLevel`. */
export function compressionLevel(backlogBatches: number, maxLevel: number = MAX_BROTLI_LEVEL): number {
  for (const step of BACKLOG_STEPS) {
    if (backlogBatches > step.above) return Math.min(maxLevel, step.maxLevel);
  }
  return maxLevel;
}

/**
 * Batches still to post, estimated as Nitro does: pending blocks over the average number of
 * blocks per batch posted so far (one block per batch before any history exists).
 */
export function estimateBacklog(input: {
  pendingBlocks: number;
  postedBlocks: number;
  postedBatches: number;
}): number {
  const { pendingBlocks, postedBlocks, postedBatches } = input;
  if (pendingBlocks <= 0) return 0;
  const perBatch = postedBatches > 0 && postedBlocks > 0 ? postedBlocks / postedBatches : 1;
  return Math.ceil(pendingBlocks / Math.max(1, perBatch));
}
