/**
 * A simulation in the shape of Flashbots' `eth_callBundle` result, for the JSON-RPC edge: wei
 * amounts as decimal strings, gas as numbers, and per transaction `value` holding the return
 * data, as Flashbots (mev-geth) does. A failed bundle other than by revert is an error for
 * the caller to map, not a result.
 */
import type { BundleSimulation } from './types';

export interface CallBundleTxJson {
  txHash: string;
  gasUsed: number;
  gasPrice: string;
  gasFees: string;
  fromAddress: string;
  toAddress: string | null;
  coinbaseDiff: string;
  ethSentToCoinbase: string;
  /** Return data (Flashbots' name for it). */
  value: string;
  error?: string;
  revert?: string;
}

export interface CallBundleJson {
  bundleHash: string;
  bundleGasPrice: string;
  coinbaseDiff: string;
  ethSentToCoinbase: string;
  gasFees: string;
  results: CallBundleTxJson[];
  stateBlockNumber: number;
  totalGasUsed: number;
}

export function callBundleJson(sim: BundleSimulation): CallBundleJson {
  return {
    bundleHash: sim.bundleHash,
    bundleGasPrice: sim.bundleGasPrice.toString(),
    coinbaseDiff: sim.coinbaseDiff.toString(),
    ethSentToCoinbase: sim.ethSentToCoinbase.toString(),
    gasFees: sim.gasFees.toString(),
    results: sim.results.map((r) => ({
      txHash: r.txHash,
      gasUsed: Number(r.gasUsed),
      gasPrice: r.gasPrice.toString(),
      gasFees: r.gasFees.toString(),
      fromAddress: r.fromAddress,
      toAddress: r.toAddress,
      coinbaseDiff: r.coinbaseDiff.toString(),
      ethSentToCoinbase: r.ethSentToCoinbase.toString(),
      value: r.returnData,
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(r.revert !== undefined ? { revert: r.revert } : {}),
    })),
    stateBlockNumber: sim.stateBlockNumber,
    totalGasUsed: Number(sim.totalGasUsed),
  };
}
