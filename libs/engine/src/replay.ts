/**
 * Re-executing a sealed block on an engine: the one way Sealane applies a block it did not plan
 * just now — a replica deriving the chain from L1, a sequencer rebuilding a fresh engine from its
 * own records. The block's transactions go in in order, the engine seals them at the block's
 * timestamp with the block's fee recipient, and the result is checked against what the block
 * says it was (hash, state root) when it says so.
 */
import { keccak256 } from 'ethers';
import type { L2Engine, EngineBlock } from './l2-engine';
import type { BatchResult } from './rpc-client';

/** Largest JSON-RPC batch anvil applies in order (measured: 65 already reorders). */
export const ORDERED_SUBMIT_CHUNK = 64;

/** Leaves exactly `raws` in the engine's pool, in order; one answer per transaction. */
export async function submitOrdered(engine: L2Engine, raws: readonly string[]): Promise<BatchResult[]> {
  await engine.dropAllTransactions();
  // anvil handles a JSON-RPC batch of more than 64 calls concurrently and may reorder
  // transactions of different senders, so send in order-preserving chunks.
  return engine.batch(
    raws.map((raw) => ['eth_sendRawTransaction', [raw]]),
    ORDERED_SUBMIT_CHUNK,
  );
}

/** A block to re-execute: what it holds, and (when known) what it must come out as. */
export interface ReplayBlock {
  number: number;
  /** Seconds. */
  timestamp: number;
  feeRecipient: string;
  /** Raw signed transactions, 0x hex, in block order. */
  txs: readonly string[];
  hash?: string;
  stateRoot?: string;
}

export type ReplayResult =
  { ok: true; block: EngineBlock } | { ok: false; reason: string; block?: EngineBlock };

/**
 * Applies `b` on top of the engine's head, which must be block `b.number - 1`. Not ok when the
 * engine is elsewhere, refuses a transaction, or seals something other than `b` says.
 */
export async function replayBlock(engine: L2Engine, b: ReplayBlock): Promise<ReplayResult> {
  // The head check, the fee recipient and an empty pool in one round trip, then the block's
  // transactions in order-preserving chunks, the mine and the read back: four in all.
  const [head, coinbase, dropped] = await engine.batch([
    ['eth_blockNumber', []],
    ['anvil_setCoinbase', [b.feeRecipient]],
    ['anvil_dropAllTransactions', []],
  ]);
  for (const r of [head, coinbase, dropped]) if (!r.ok) throw r.error;
  const at = Number((head as { result: string }).result);
  if (at !== b.number - 1) return { ok: false, reason: `the engine is at block ${at}, not ${b.number - 1}` };
  const res = await engine.batch(
    b.txs.map((raw) => ['eth_sendRawTransaction', [raw]]),
    ORDERED_SUBMIT_CHUNK,
  );
  const refused = res.findIndex((r) => !r.ok);
  if (refused >= 0) {
    const r = res[refused];
    await engine.dropAllTransactions();
    return {
      ok: false,
      reason: `transaction ${refused} (${keccak256(b.txs[refused])}) is refused by the engine: ${r.ok ? '' : r.error.rpcMessage}`,
    };
  }
  await engine.mine(b.timestamp);
  const block = await engine.getBlock(b.number);
  if (!block) return { ok: false, reason: `block ${b.number} is missing right after sealing` };
  const want = b.txs.map((t) => keccak256(t));
  const got = block.transactions.map((h) => h.toLowerCase());
  const i = want.findIndex((h, j) => got[j] !== h);
  if (i >= 0 || got.length !== want.length) {
    return {
      ok: false,
      block,
      reason:
        i >= 0
          ? `transaction ${i} is ${got[i] ?? 'missing'} in the sealed block, ${want[i]} in the batch`
          : `the sealed block holds ${got.length} transactions, the batch ${want.length}`,
    };
  }
  if (b.stateRoot !== undefined && block.stateRoot.toLowerCase() !== b.stateRoot.toLowerCase()) {
    return {
      ok: false,
      block,
      reason: `state root is ${block.stateRoot} on re-execution, ${b.stateRoot} claimed`,
    };
  }
  if (b.hash !== undefined && block.hash.toLowerCase() !== b.hash.toLowerCase()) {
    return { ok: false, block, reason: `block hash is ${block.hash} on re-execution, ${b.hash} claimed` };
  }
  return { ok: true, block };
}
