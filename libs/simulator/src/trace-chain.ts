/**
 * Measures which state each transaction reads and writes: the auction's conflict keys.
 *
 * For each transaction in turn, `debug_traceCall` with the prestateTracer, in plain mode
 * (reads: everything touched) and diff mode (writes: what changed), on the parent state plus
 * stateOverrides that replay the earlier transactions of the bundle, built from their diffs.
 * So the second transaction of a bundle is traced on the state the first left (an approve then
 * a swap traces the swap with the allowance set). eth_createAccessList would only give touched
 * keys, with no way to replay a transaction's effects for the next, and anvil has no
 * debug_traceCallMany. Costs one step (one batch round trip) per position, so the simulator
 * runs it only for a bundle the simulation found valid: an invalid one loses anyway.
 *
 * The fee recipient is left out of the keys: every transaction credits it and credits commute,
 * so keeping it would make every pair of bundles conflict.
 */
import { qty } from './call-args';
import { type RpcBatcher, isRpcError } from './rpc-batcher';
import { SimulationFailedError } from './simulator.error';
import { blockOverrides } from './slot-context';
import {
  applyDiff,
  readKeys,
  writeKeys,
  type Prestate,
  type PrestateDiff,
  type StateOverrides,
} from './state-keys';
import type { Prepared } from './tx-decoder';
import type { SimulationContext } from './types';

/** One transaction's keys, or the engine's error (the chain stops there). */
export type TxTrace = { reads: Set<string>; writes: Set<string> } | { error: string };

/** Traces each transaction on the state the earlier ones left; stops at the first the engine refuses. */
export async function traceChain(
  rpc: RpcBatcher,
  txs: Prepared[],
  ctx: SimulationContext,
): Promise<TxTrace[]> {
  const tag = qty(ctx.parentNumber);
  const block = blockOverrides(ctx);
  const ignore = ctx.feeRecipient.toLowerCase();
  const overrides: StateOverrides = {};
  const out: TxTrace[] = [];
  for (let i = 0; i < txs.length; i++) {
    const last = i === txs.length - 1;
    const trace = <T>(tracerConfig: Record<string, unknown>) =>
      rpc.call<T>('debug_traceCall', [
        txs[i].call,
        tag,
        { tracer: 'prestateTracer', tracerConfig, blockOverrides: block, stateOverrides: overrides },
      ]);
    try {
      // Code stays in the diff unless nothing follows: a contract created here must exist for the next.
      const [plain, diff] = await Promise.all([
        trace<Prestate>({ disableCode: true }),
        trace<PrestateDiff>({ diffMode: true, disableCode: last }),
      ]);
      out.push({ reads: readKeys(plain, ignore), writes: writeKeys(diff, ignore) });
      if (!last) applyDiff(overrides, diff);
    } catch (e) {
      if (!isRpcError(e) || e.wholeRequest)
        throw new SimulationFailedError('debug_traceCall failed', { cause: e });
      out.push({ error: e.rpcMessage });
      break;
    }
  }
  return out;
}
