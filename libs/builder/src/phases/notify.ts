/**
 * The notify phase: once a slot is recorded (by whichever builder recorded it), the poster gets
 * a job for its block and everyone listening gets the slot-closed and block-sealed events.
 */
import type { Queue } from 'bullmq';
import {
  EVENTS,
  JOBS,
  type BlockSealedEvent,
  type SealedBlock,
  type SealedBlockJob,
  type SlotClosedEvent,
} from '@sealane/store';
import type { BuilderHooks, BuilderLogger } from '../options';

/** Where the builder's news goes: the poster's queue and the event bus. */
export interface SlotNewsSink {
  prefix: string;
  queue: Pick<Queue<SealedBlockJob, void, typeof JOBS.sealedBlock>, 'add'>;
  emit<T extends object>(pattern: string, payload: T): Promise<void>;
  logger: Pick<BuilderLogger, 'log'>;
}

/** The builder's hooks that tell the poster and the event bus what happened. */
export function notifyHooks(sink: SlotNewsSink): Pick<BuilderHooks, 'slotClosed' | 'sealed'> {
  const { prefix } = sink;
  return {
    slotClosed: (slot, closedAtMs) =>
      sink.emit<SlotClosedEvent>(EVENTS.slotClosed, { prefix, slot, closedAtMs }),
    sealed: async (block: SealedBlock, skipped: number) => {
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
      sink.logger.log(`sealed block ${block.number}: ${block.txs.length} txs, ${skipped} skipped`);
    },
  };
}
