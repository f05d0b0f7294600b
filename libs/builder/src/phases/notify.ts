/**
 * The notify phase: once a slot is recorded (by whichever builder recorded it), the poster gets
 * a job for its block, everyone listening gets the slot-closed and block-sealed events, the
 * metrics count what the slot did and the log says it: one line for the block, one for its
 * auction result, one for its commitments' outcomes.
 */
import { logEvent, slotEvents, slotFigures, type SealaneMetrics } from '@sealane/observe';
import type { Queue } from 'bullmq';
import {
  EVENTS,
  JOBS,
  type BlockSealedEvent,
  type SealedBlockJob,
  type SlotRecord,
  type SlotClosedEvent,
} from '@sealane/store';
import type { BuilderHooks, BuilderLogger } from '../options';

/** Where the builder's news goes: the poster's queue and the event bus. */
export interface SlotNewsSink {
  prefix: string;
  queue: Pick<Queue<SealedBlockJob, void, typeof JOBS.sealedBlock>, 'add'>;
  emit<T extends object>(pattern: string, payload: T): Promise<void>;
  logger: Pick<BuilderLogger, 'log'>;
  metrics?: SealaneMetrics;
  /** The public transactions still waiting, for the lane-depth gauge. */
  laneDepth?: () => Promise<number>;
}

/** The builder's hooks that tell the poster and the event bus what happened. */
export function notifyHooks(
  sink: SlotNewsSink,
): Pick<BuilderHooks, 'slotClosed' | 'sealed' | 'phase' | 'leadership' | 'submitted' | 'streamed'> {
  const { prefix, metrics } = sink;
  return {
    phase: (phase, ms) => metrics?.phase(phase, ms),
    leadership: (leads) => metrics?.leadership(leads),
    submitted: (path) => metrics?.submitted(path),
    streamed: (n) => metrics?.streamed(n),
    slotClosed: (slot, closedAtMs) =>
      sink.emit<SlotClosedEvent>(EVENTS.slotClosed, { prefix, slot, closedAtMs }),
    sealed: async (r: SlotRecord, skipped: number, timing?: { endMs: number; slotMs: number }) => {
      const block = r.block;
      // The poster also polls, so a job lost to a crash right here only delays a batch.
      await sink.queue.add(
        JOBS.sealedBlock,
        { number: block.number },
        { jobId: `block-${block.number}`, removeOnComplete: 1000, removeOnFail: 1000 },
      );
      await sink.emit<BlockSealedEvent>(EVENTS.blockSealed, {
        prefix,
        number: block.number,
        hash: block.hash,
        timestamp: block.timestamp,
        txCount: block.txs.length,
        skipped,
      });
      const f = slotFigures(r);
      const delayMs = timing ? Date.now() - timing.endMs : undefined;
      metrics?.sealed(f, timing && { delayMs: delayMs!, slotMs: timing.slotMs });
      sink.logger.log(
        logEvent(
          'block.sealed',
          `sealed block ${block.number}: ${block.txs.length} txs, ${skipped} skipped` +
            (delayMs === undefined ? '' : `, ${delayMs} ms after the slot end`),
          {
            block: block.number,
            hash: block.hash,
            txs: block.txs.length,
            skipped,
            builder: block.builder,
            delayMs,
          },
        ),
      );
      for (const e of slotEvents(r, f)) sink.logger.log(e);
      if (metrics && sink.laneDepth) metrics.laneDepth(await sink.laneDepth().catch(() => 0));
    },
  };
}
