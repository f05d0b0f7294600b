/**
 * A bundle's answer, assembled from a run: its transactions' results and totals, or the first
 * fault. The checks anvil's simulation skips are made here: nonces (against the parent state,
 * advanced by each earlier transaction of the same sender), fee cap and gas limit.
 *
 * `gasFees` is what the fee recipient earns from fees: gasUsed × (effectiveGasPrice − baseFee),
 * the priority fee, since the base fee is burned (EIP-1559). `coinbaseDiff` = the fee
 * recipient's balance change; `ethSentToCoinbase` = coinbaseDiff − gasFees (Flashbots'
 * definitions).
 */
import { bundleHash, fromHex, toHex } from '@sealane/protocol';
import type { CallOutcome } from './balance-readers';
import { revertReason } from './revert';
import { isTransportFailure } from './rpc-batcher';
import type { RunResult } from './run';
import { SimulationFailedError } from './simulator.error';
import type { Prepared } from './tx-decoder';
import type {
  BundleFailure,
  BundleFailureCode,
  BundleInput,
  BundleSimulation,
  SimulationContext,
  TxSimulation,
} from './types';

/** The bundle at positions [offset, offset + n) of the run; advances `nonces` past its transactions. */
export function assemble(
  txs: Prepared[],
  run: RunResult,
  offset: number,
  ctx: SimulationContext,
  allowedToRevert: Set<string>,
  nonces: Map<string, number>,
): BundleSimulation {
  const results: TxSimulation[] = [];
  const reads = new Set<string>();
  const writes = new Set<string>();
  let failure: BundleFailure | undefined;
  const fail = (code: BundleFailureCode, i: number, message: string) =>
    (failure = { code, txIndex: i, txHash: txs[i].hash, message });
  for (let i = 0; i < txs.length && !failure; i++) {
    const tx = txs[i].tx!;
    const at = offset + i;
    const expected = nonces.get(tx.from) ?? run.parentNonces.get(tx.from) ?? 0;
    if (tx.nonce !== expected) {
      fail(
        tx.nonce < expected ? 'nonce-too-low' : 'nonce-too-high',
        i,
        `nonce ${tx.nonce}, expected ${expected}`,
      );
      break;
    }
    nonces.set(tx.from, expected + 1);
    if (tx.maxFeePerGas < ctx.baseFee) {
      fail('fee-cap-below-base-fee', i, `max fee per gas ${tx.maxFeePerGas} below base fee ${ctx.baseFee}`);
      break;
    }
    if (tx.gasLimit > ctx.gasLimit) {
      fail('gas-limit-above-block', i, `gas limit ${tx.gasLimit} above the block's ${ctx.gasLimit}`);
      break;
    }
    if (run.refused?.index === at) {
      fail('rejected', i, run.refused.message);
      break;
    }
    const trace = run.traces[at];
    if (trace && 'error' in trace) {
      fail('rejected', i, trace.error);
      break;
    }
    const c = run.calls[at];
    if (!c) throw new SimulationFailedError(`no simulation result for transaction ${at}`);
    if (trace) {
      trace.reads.forEach((k) => reads.add(k));
      trace.writes.forEach((k) => writes.add(k));
    }
    const r = txResult(txs[i], c, run.readings[at], run.readings[at + 1], ctx.baseFee);
    results.push(r);
    if (r.reverted && !allowedToRevert.has(r.txHash))
      fail('reverted', i, r.revert ? `${r.error}: ${r.revert}` : (r.error ?? 'execution reverted'));
  }
  const sum = (f: (r: TxSimulation) => bigint) => results.reduce((s, r) => s + f(r), 0n);
  const coinbaseDiff = sum((r) => r.coinbaseDiff);
  const totalGasUsed = sum((r) => r.gasUsed);
  return {
    ...identity(txs, ctx),
    valid: !failure,
    ...(failure ? { failure } : {}),
    results,
    coinbaseDiff,
    ethSentToCoinbase: sum((r) => r.ethSentToCoinbase),
    gasFees: sum((r) => r.gasFees),
    totalGasUsed,
    bundleGasPrice: totalGasUsed > 0n ? coinbaseDiff / totalGasUsed : 0n,
    reads,
    writes,
  };
}

/** The hashes of the bundle's transactions allowed to revert, lowercase. */
export function reverting(b: BundleInput): Set<string> {
  return new Set((b.revertingTxHashes ?? []).map((h) => h.toLowerCase()));
}

/** A bundle with transaction `i` undecodable. */
export function undecodable(txs: Prepared[], i: number, ctx: SimulationContext): BundleSimulation {
  return invalid(txs, ctx, {
    code: 'invalid-transaction',
    txIndex: i,
    txHash: txs[i].hash,
    message: txs[i].decodeError!,
  });
}

/** A bundle the engine could not simulate; rethrows a transport failure, which is nobody's bundle. */
export function failed(txs: Prepared[], e: unknown, ctx: SimulationContext): BundleSimulation {
  if (isTransportFailure(e)) throw e;
  const message = e instanceof Error ? e.message : String(e);
  const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return invalid(txs, ctx, {
    code: 'simulation-failed',
    txIndex: 0,
    txHash: txs[0]?.hash ?? '0x',
    message: message + cause,
  });
}

/** An invalid bundle's answer: its identity and failure, nothing measured. */
function invalid(txs: Prepared[], ctx: SimulationContext, failure: BundleFailure): BundleSimulation {
  return {
    ...identity(txs, ctx),
    valid: false,
    failure,
    results: [],
    coinbaseDiff: 0n,
    ethSentToCoinbase: 0n,
    gasFees: 0n,
    totalGasUsed: 0n,
    bundleGasPrice: 0n,
    reads: new Set(),
    writes: new Set(),
  };
}

function identity(txs: Prepared[], ctx: SimulationContext) {
  const txHashes = txs.map((t) => t.hash);
  return {
    bundleHash: toHex(bundleHash(txHashes.map(fromHex))),
    txHashes,
    stateBlockNumber: ctx.parentNumber,
    nonces: txs.filter((t) => t.tx).map((t) => ({ sender: t.tx!.from, nonce: t.tx!.nonce })),
  };
}

function txResult(p: Prepared, c: CallOutcome, before: bigint, after: bigint, baseFee: bigint): TxSimulation {
  const tx = p.tx!;
  const gasUsed = BigInt(c.gasUsed);
  const gasPrice =
    tx.type === 2
      ? tx.maxFeePerGas < baseFee + tx.maxPriorityFeePerGas
        ? tx.maxFeePerGas
        : baseFee + tx.maxPriorityFeePerGas
      : tx.maxFeePerGas;
  const gasFees = gasUsed * (gasPrice - baseFee);
  const coinbaseDiff = after - before;
  const reverted = c.status !== '0x1';
  const reason = reverted
    ? (revertReason(c.returnData) ?? (c.returnData !== '0x' ? c.returnData : undefined))
    : undefined;
  return {
    txHash: p.hash,
    fromAddress: tx.from,
    toAddress: tx.to,
    nonce: tx.nonce,
    value: tx.value,
    gasUsed,
    gasPrice,
    gasFees,
    coinbaseDiff,
    ethSentToCoinbase: coinbaseDiff - gasFees,
    returnData: c.returnData,
    reverted,
    ...(reverted
      ? {
          error: c.returnData !== '0x' ? 'execution reverted' : (c.error?.message ?? 'execution reverted'),
          ...(reason !== undefined ? { revert: reason } : {}),
        }
      : {}),
  };
}
