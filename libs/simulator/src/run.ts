/**
 * One run: a flat list of decoded transactions simulated on the parent state, with the parent
 * nonces of their senders (the simulator checks nonces itself: anvil's simulation does not).
 *
 * What the engine refuses (funds, intrinsic gas) fails the eth_simulateV1 request, and the failing
 * transaction is then found by a binary search over prefixes (the first refused prefix ends
 * with it): ⌈log2 n⌉ more eth_simulateV1 calls, one at a time, for a run of n.
 */
import { type Readings, simulateOrRefusal } from './balance-readers';
import { qty } from './call-args';
import { firstFailing } from './prefix-search';
import type { RpcBatcher } from './rpc-batcher';
import { SimulationFailedError } from './simulator.error';
import type { TxTrace } from './trace-chain';
import type { Prepared } from './tx-decoder';
import type { SimulationContext } from './types';

export interface RunResult extends Readings {
  /** `calls` is shorter than the run when the engine refused one: this one, and why. */
  refused?: { index: number; message: string };
  /** Per transaction traced (set by the caller, empty until then). */
  traces: TxTrace[];
  parentNonces: Map<string, number>;
}

/** Simulates the transactions (traces are added by the caller); finds the one the engine refuses. */
export async function runTxs(rpc: RpcBatcher, txs: Prepared[], ctx: SimulationContext): Promise<RunResult> {
  const tag = qty(ctx.parentNumber);
  const senders = [...new Set(txs.map((t) => t.tx!.from))];
  const [sim, nonces] = await Promise.all([
    simulateOrRefusal(rpc, txs, ctx),
    Promise.all(senders.map((s) => rpc.call<string>('eth_getTransactionCount', [s, tag]))).catch(
      (e: unknown) => {
        throw new SimulationFailedError('eth_getTransactionCount failed', { cause: e });
      },
    ),
  ]);
  const parentNonces = new Map(senders.map((s, i) => [s, Number(nonces[i])]));
  if (!('refusal' in sim)) return { ...sim, traces: [], parentNonces };
  const culprit = await firstFailing<Readings, string>(txs.length, async (k) => {
    const r = await simulateOrRefusal(rpc, txs.slice(0, k), ctx);
    return 'refusal' in r ? { failed: r.refusal } : { ok: r };
  });
  const before = culprit.before ?? { calls: [], readings: [] };
  if (before.calls.length !== culprit.index)
    throw new SimulationFailedError('inconsistent prefix simulation');
  return {
    ...before,
    refused: { index: culprit.index, message: culprit.failure ?? sim.refusal },
    traces: [],
    parentNonces,
  };
}
