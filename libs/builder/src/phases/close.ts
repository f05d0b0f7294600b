/**
 * The close phase: one flag closes bundles and commitments at the same instant (nothing can be
 * added, replaced, cancelled or committed after it), and the commitment order is fixed, signed
 * and published at once, with its reveal deadline, before any key is accepted. The order goes
 * out before the auction is cleared so that users have the clearing time to reveal.
 */
import type { Params } from '@sealane/params';
import type { StoredBundle, StoredCommitment } from '@sealane/store';
import type { SlotEnv } from '../options';
import type { Orphans } from './record';

export interface ClosedSlot {
  /** Every bundle received for the slot. */
  received: StoredBundle[];
  /** The slot's commitments in their published order. */
  committed?: StoredCommitment[];
  /** The root of that order, as signed and published. */
  orderRoot?: string;
}

export async function closeSlot(env: SlotEnv, slot: number, params: Params): Promise<ClosedSlot> {
  const { auction, mempool } = env.opts;
  const received = auction ? await auction.runner.closeIntake(slot) : [];
  const closed = mempool ? await mempool.runner.close(slot, params) : undefined;
  return {
    received,
    ...(closed ? { committed: closed.commitments, orderRoot: closed.order.root } : {}),
  };
}

/**
 * What a slot sealed outside the builder had received: its intake closes, and each bundle and
 * commitment gets a final state. Undefined when nothing was sent.
 */
export async function orphansOf(env: SlotEnv, n: number): Promise<Orphans | undefined> {
  const { auction, mempool } = env.opts;
  if (!auction && !mempool) return undefined;
  const bundles = auction ? await auction.runner.closeIntake(n) : [];
  const commitments = mempool ? await mempool.store.read(n) : [];
  if (bundles.length === 0 && commitments.length === 0) return undefined;
  return {
    bundles: bundles.map((b) => b.bundleHash),
    commitments: commitments.map((c) => c.commitment),
    reason: `block ${n} was sealed outside the auction and the committed lane`,
  };
}
