/**
 * The submit phase: leaves exactly the planned transactions in the engine's pool, in order, and
 * answers one result per transaction (what the engine refused and why).
 */
import type { BatchResult, L2Engine } from '@sealane/engine';
import type { PlannedTx } from './record';

/** Largest JSON-RPC batch anvil applies in order (measured: 65 already reorders). */
export const ORDERED_SUBMIT_CHUNK = 64;

export async function submitInOrder(engine: L2Engine, txs: readonly PlannedTx[]): Promise<BatchResult[]> {
  await engine.dropAllTransactions();
  // anvil handles a JSON-RPC batch of more than 64 calls concurrently and may reorder
  // transactions of different senders, so send in order-preserving chunks.
  return engine.batch(
    txs.map((t) => ['eth_sendRawTransaction', [t.raw]]),
    ORDERED_SUBMIT_CHUNK,
  );
}
