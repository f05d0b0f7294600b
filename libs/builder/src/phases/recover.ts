/**
 * Repairs after a leader died mid-slot, so that a slot's bookkeeping is one step any builder can
 * finish: a slot planned but not mined is finished as planned (resume), and a block mined but
 * not recorded is recorded from the plan stored before the mine (adopt).
 */
import type { SealedBlock, SlotRecord } from '@sealane/store';
import type { SlotEnv } from '../options';
import { orphansOf } from './close';
import { matchesPlan, recordOf, type PlannedTx, type SlotPlan, type StoredPlan } from './record';
import { planMeta, rawOf, rawsFromEngine, sealedBlockOf } from './seal';
import { submitInOrder } from './submit';

/**
 * Finishes a slot planned by a builder that stopped before mining it: the engine is still at
 * the parent, so the same transactions are valid again. Null if the engine refuses one now.
 */
export async function resume(
  env: SlotEnv,
  saved: StoredPlan,
  finish: (plan: SlotPlan) => Promise<SealedBlock>,
): Promise<SealedBlock | null> {
  const { engine, logger, opts } = env;
  const parent = await engine.getBlock(saved.slot - 1);
  if (!parent || parent.hash !== saved.parentHash) return null;
  const plan = await withRaws(env, saved);
  if (!plan) return null;
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
 * The stored plan with its public transactions' bodies: from the public lane (they stay there
 * until the record retires them), or from the engine's pool for one replaced in the lane since.
 * Null, to plan again, if one is in neither.
 */
async function withRaws(env: SlotEnv, saved: StoredPlan): Promise<SlotPlan | null> {
  const bare = saved.txs.filter((t) => !t.raw).map((t) => t.hash);
  const raws = new Map(
    (await env.lane.entries(bare.map((hash) => ({ hash, seq: 0 })))).map((e) => [e.hash, e.raw]),
  );
  const missing = bare.filter((h) => !raws.has(h));
  for (const [h, raw] of await rawsFromEngine(env.engine, missing)) raws.set(h, raw);
  const txs: PlannedTx[] = [];
  for (const t of saved.txs) {
    const raw = t.raw ?? raws.get(t.hash);
    if (!raw) {
      env.logger.warn(
        `slot ${saved.slot}: the saved plan's ${t.hash} is gone from the lane and the engine; planning again`,
      );
      return null;
    }
    txs.push({ ...t, raw });
  }
  return { ...saved, txs };
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
  const saved = await chain.loadPlan<StoredPlan>(n);
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
