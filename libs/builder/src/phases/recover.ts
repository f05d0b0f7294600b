/**
 * Repairs after a leader died mid-slot, so that a slot's bookkeeping is one step any builder can
 * finish: a slot planned but not mined is finished as planned (resume), and a block mined but
 * not recorded is recorded from the plan stored before the mine (adopt).
 */
import type { SealedBlock, SlotRecord } from '@sealane/store';
import type { SlotEnv } from '../options';
import { orphansOf } from './close';
import { matchesPlan, recordOf, type SlotPlan } from './record';
import { planMeta, rawOf, sealedBlockOf } from './seal';
import { submitInOrder } from './submit';

/**
 * Finishes a slot planned by a builder that stopped before mining it: the engine is still at
 * the parent, so the same transactions are valid again. Null if the engine refuses one now.
 */
export async function resume(
  env: SlotEnv,
  plan: SlotPlan,
  finish: (plan: SlotPlan) => Promise<SealedBlock>,
): Promise<SealedBlock | null> {
  const { engine, logger, opts } = env;
  const parent = await engine.getBlock(plan.slot - 1);
  if (!parent || parent.hash !== plan.parentHash) return null;
  logger.warn(`slot ${plan.slot}: resuming the plan of builder ${plan.builder}`);
  if (opts.auction) await engine.setCoinbase(opts.auction.feeRecipient.address.toLowerCase());
  const res = await submitInOrder(engine, plan.txs);
  const bad = res.findIndex((r) => !r.ok);
  if (bad >= 0) {
    const r = res[bad];
    logger.warn(
      `slot ${plan.slot}: the engine refuses the saved plan (${plan.txs[bad].hash}: ${r.ok ? '' : r.error.rpcMessage}); planning again`,
    );
    return null;
  }
  return finish(plan);
}

/**
 * A block the engine sealed that was never recorded (the last leader died in between): its
 * slot is recorded from the plan stored before the mine, exactly as that leader would have.
 */
export async function adopt(
  env: SlotEnv,
  n: number,
  record: (r: SlotRecord, skipped: number) => Promise<void>,
): Promise<void> {
  const { engine, chain, logger, opts } = env;
  const block = await engine.getBlock(n);
  if (!block) throw new Error(`block ${n} vanished from the L2 engine`);
  const saved = await chain.loadPlan<SlotPlan>(n);
  // A plan made on another parent (an engine reset under the same Redis) is not this block's.
  const plan = saved && saved.parentHash === block.parentHash ? saved : null;
  if (plan) {
    logger.warn(`adopting block ${n}, sealed by ${plan.builder} but not recorded`);
    const sealed = await sealedBlockOf(engine, block, planMeta(plan, opts.id), rawOf(plan));
    if (!matchesPlan(plan, sealed)) logger.error(`block ${n} differs from its plan: recording what it holds`);
    return record(recordOf(plan, sealed), plan.skipped.length);
  }
  logger.warn(`adopting block ${n}, sealed on the engine without a plan: recording what it holds`);
  const snap = await env.params.snapshot(n);
  const sealed = await sealedBlockOf(
    engine,
    block,
    {
      startMs: Number(block.timestamp) * 1000,
      paramsVersion: snap.version,
      builder: opts.id,
      forceInclusionDelaySlots: snap.values.forceInclusionDelaySlots,
    },
    new Map(),
  );
  await record(recordOf(null, sealed, await orphansOf(env, n)), 0);
}
