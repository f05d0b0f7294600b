/**
 * The submit phase: leaves exactly the planned transactions in the engine's pool, in order, and
 * answers one result per transaction (what the engine refused and why).
 */
import { submitOrdered, type BatchResult, type L2Engine } from '@sealane/engine';
import type { PlannedTx } from './record';

export async function submitInOrder(engine: L2Engine, txs: readonly PlannedTx[]): Promise<BatchResult[]> {
  return submitOrdered(
    engine,
    txs.map((t) => t.raw),
  );
}
