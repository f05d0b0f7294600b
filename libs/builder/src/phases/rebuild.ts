/**
 * Rebuilding an L2 engine that is behind the records (it died and came back empty, or was
 * replaced): every recorded block from the engine's head up to the sealed head is re-executed
 * with @sealane/engine's replayBlock — the same step a replica applies to L1's batches — and must
 * come out with exactly the recorded hash and state root. A mismatch is fatal: the builder never
 * seals on an engine whose chain is not the recorded one. Progress is in Redis for `/ready`.
 */
import { replayBlock } from '@sealane/engine';
import { InternalError } from '@sealane/protocol';
import type { SlotEnv } from '../options';

export class EngineDivergedError extends InternalError {
  override readonly name = 'EngineDivergedError';
}

const CHUNK = 64;
const PROGRESS_EVERY = 500;

/** Replays blocks engineHead+1..head from the records; throws EngineDivergedError on a mismatch. */
export async function rebuildEngine(env: SlotEnv, engineHead: number, head: number): Promise<void> {
  const { engine, chain, logger, clock } = env;
  const first = engineHead + 1;
  const [parent, firstRecord] = await Promise.all([engine.getBlock(engineHead), chain.block(first)]);
  if (!firstRecord) throw new EngineDivergedError(`block ${first} is recorded as sealed but has no record`);
  if (!parent || parent.hash.toLowerCase() !== firstRecord.parentHash.toLowerCase()) {
    throw new EngineDivergedError(
      `the L2 engine's block ${engineHead} is ${parent?.hash}, but recorded block ${first} follows ${firstRecord.parentHash}: ` +
        'the engine is not on the recorded chain (another genesis?); not sealing on it',
    );
  }
  const t0 = clock.now();
  logger.warn(
    `the L2 engine is at block ${engineHead}, the records at ${head}: rebuilding it from the records`,
  );
  await chain.setEngineStatus({ state: 'rebuilding', from: first, to: head, done: 0, sinceMs: t0 });
  for (let start = first; start <= head; start += CHUNK) {
    const nums = Array.from({ length: Math.min(CHUNK, head - start + 1) }, (_, i) => start + i);
    const records = await chain.blocks(nums);
    for (let i = 0; i < nums.length; i++) {
      const b = records[i];
      if (!b) throw new EngineDivergedError(`block ${nums[i]} is recorded as sealed but has no record`);
      const res = await replayBlock(engine, b);
      if (!res.ok)
        throw new EngineDivergedError(`rebuilding the L2 engine, block ${b.number}: ${res.reason}`);
      const done = b.number - first + 1;
      if (done % PROGRESS_EVERY === 0) {
        logger.log(`rebuilding the L2 engine: block ${b.number} of ${head}`);
        await chain.setEngineStatus({ state: 'rebuilding', from: first, to: head, done, sinceMs: t0 });
      }
    }
  }
  const ms = clock.now() - t0;
  await chain.setEngineStatus({ state: 'ok', lastRebuild: { from: first, to: head, ms, atMs: clock.now() } });
  logger.warn(
    `the L2 engine is rebuilt: blocks ${first}..${head} re-executed in ${ms} ms, every hash matches`,
  );
}
