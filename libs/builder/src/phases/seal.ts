/**
 * The seal phase: the engine mines the submitted transactions at the slot's timestamp, and the
 * block it sealed is read back as Sealane records it (raw transactions from the plan, or from
 * the engine for any the plan did not hold) and checked against the plan's order.
 */
import { ZeroAddress, ZeroHash } from 'ethers';
import type { EngineBlock, L2Engine } from '@sealane/engine';
import { PARAM_DEFS } from '@sealane/params';
import type { SealedBlock } from '@sealane/store';
import type { BuilderLogger } from '../options';
import { matchesPlan, type SlotPlan, type StoredPlan } from './record';

/** What a sealed-block record keeps beyond what the engine's block says. */
export interface BlockMeta {
  startMs: number;
  paramsVersion: number;
  builder: string;
  orderRoot?: string;
  bidsRoot?: string;
  forceInclusionDelaySlots: number;
}

/** The raw transactions among `hashes` the engine has (mined, or waiting in its pool). */
export async function rawsFromEngine(
  engine: L2Engine,
  hashes: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (hashes.length === 0) return out;
  const res = await engine.batch(hashes.map((h) => ['eth_getRawTransactionByHash', [h]]));
  res.forEach((r, i) => {
    if (r.ok && typeof r.result === 'string') out.set(hashes[i], r.result);
  });
  return out;
}

/** A block of the engine as a sealed-block record. */
export async function sealedBlockOf(
  engine: L2Engine,
  block: EngineBlock,
  meta: BlockMeta,
  rawByHash: Map<string, string>,
): Promise<SealedBlock> {
  const hashes = block.transactions.map((h) => h.toLowerCase());
  const missing = hashes.filter((h) => !rawByHash.has(h));
  const found = await rawsFromEngine(engine, missing);
  for (const h of missing) {
    const raw = found.get(h);
    if (!raw) throw new Error(`raw transaction ${h} not available from the engine`);
    rawByHash.set(h, raw);
  }
  return {
    number: Number(block.number),
    hash: block.hash,
    parentHash: block.parentHash,
    timestamp: Number(block.timestamp),
    startMs: meta.startMs,
    txs: hashes.map((h) => rawByHash.get(h)!),
    txHashes: hashes,
    paramsVersion: meta.paramsVersion,
    builder: meta.builder,
    stateRoot: block.stateRoot.toLowerCase(),
    feeRecipient: block.miner.toLowerCase(),
    orderRoot: meta.orderRoot ?? ZeroHash,
    bidsRoot: meta.bidsRoot ?? ZeroHash,
    forceInclusionDelaySlots: meta.forceInclusionDelaySlots,
  };
}

/**
 * Throws unless the engine is at the plan's parent: an engine that restarted since the plan was
 * made (empty, at genesis) must not get this slot's block as its first, a block on no recorded
 * chain. The caller checks right before the mine.
 */
export async function assertEngineAt(engine: L2Engine, plan: SlotPlan): Promise<void> {
  const at = await engine.blockNumber();
  if (at !== plan.slot - 1)
    throw new Error(`the L2 engine is at block ${at}, not ${plan.slot - 1}: not mining slot ${plan.slot}`);
}

/** Mines the submitted plan at its slot's timestamp and reads the block back. */
export async function sealPlan(
  engine: L2Engine,
  plan: SlotPlan,
  builder: string,
  logger: BuilderLogger,
  mined?: (slot: number) => Promise<void> | void,
): Promise<SealedBlock> {
  await engine.mine(Math.floor(plan.startMs / 1000));
  await mined?.(plan.slot);
  const block = await engine.getBlock(plan.slot);
  if (!block) throw new Error(`block ${plan.slot} missing right after sealing`);
  const sealed = await sealedBlockOf(engine, block, planMeta(plan, builder), rawOf(plan));
  if (!matchesPlan(plan, sealed))
    logger.error(
      `slot ${plan.slot}: sealed block differs from the intended order (intended ${plan.txs.length}, sealed ${sealed.txHashes.length})`,
    );
  return sealed;
}

export const planMeta = (plan: StoredPlan, builder: string): BlockMeta => ({
  startMs: plan.startMs,
  paramsVersion: plan.paramsVersion,
  builder,
  ...(plan.orderRoot ? { orderRoot: plan.orderRoot } : {}),
  ...(plan.auction ? { bidsRoot: plan.auction.bidsRoot } : {}),
  // A plan stored by an older version has no delay: the parameter's default was in force.
  forceInclusionDelaySlots: plan.forceInclusionDelaySlots ?? PARAM_DEFS.forceInclusionDelaySlots.default,
});

/** The block the plan intends, its header still to come from the engine: drafts start here. */
export function plannedBlock(plan: SlotPlan, builder: string): SealedBlock {
  const meta = planMeta(plan, builder);
  return {
    number: plan.slot,
    hash: ZeroHash,
    parentHash: plan.parentHash,
    timestamp: Math.floor(plan.startMs / 1000),
    startMs: meta.startMs,
    txs: plan.txs.map((t) => t.raw),
    txHashes: plan.txs.map((t) => t.hash),
    paramsVersion: meta.paramsVersion,
    builder: meta.builder,
    stateRoot: ZeroHash,
    feeRecipient: ZeroAddress,
    orderRoot: meta.orderRoot ?? ZeroHash,
    bidsRoot: meta.bidsRoot ?? ZeroHash,
    forceInclusionDelaySlots: meta.forceInclusionDelaySlots,
  };
}

/** The plan's raw transactions by hash (a stored plan's public ones are not there). */
export function rawOf(plan: StoredPlan): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of plan.txs) if (t.raw) out.set(t.hash, t.raw);
  return out;
}
