/** What the simulator takes and answers: the types its callers (the builder, the gateway) import. */
/** The block a bundle is simulated in: the state after `parentNumber`, then this environment. */
export interface SimulationContext {
  parentNumber: number;
  /** Default parentNumber + 1. */
  number?: number;
  /** Seconds. */
  timestamp: number;
  feeRecipient: string;
  baseFee: bigint;
  gasLimit: bigint;
}

/**
 * A signed transaction: raw bytes or 0x hex of them, or with the sender Sealane already
 * recovered and stored at ingest (skips the signature recovery, the dearest part of decoding).
 */
export type RawTx = string | Uint8Array | { raw: string | Uint8Array; from: string };

export interface BundleInput {
  txs: readonly RawTx[];
  /** Transactions allowed to revert without invalidating the bundle. */
  revertingTxHashes?: readonly string[];
}

export interface TxSimulation {
  txHash: string;
  fromAddress: string;
  toAddress: string | null;
  nonce: number;
  /** Wei sent with the transaction. */
  value: bigint;
  gasUsed: bigint;
  /** Effective gas price: min(maxFeePerGas, baseFee + maxPriorityFeePerGas), or the legacy gas price. */
  gasPrice: bigint;
  /** gasUsed × (gasPrice − baseFee): the fee recipient's share of the fees. */
  gasFees: bigint;
  /** Change of the fee recipient's balance across this transaction. */
  coinbaseDiff: bigint;
  /** coinbaseDiff − gasFees: direct payments, including from internal calls. */
  ethSentToCoinbase: bigint;
  /** Return data, or revert data if it reverted. */
  returnData: string;
  reverted: boolean;
  /** Set when it reverted: 'execution reverted' or the engine's reason (e.g. out of gas). */
  error?: string;
  /** The decoded Error(string)/Panic reason, else the raw revert data (custom errors). */
  revert?: string;
}

export type BundleFailureCode =
  /** Does not decode, bad signature, or another chain's. */
  | 'invalid-transaction'
  | 'nonce-too-low'
  | 'nonce-too-high'
  | 'fee-cap-below-base-fee'
  | 'gas-limit-above-block'
  /** The engine refused to execute it (insufficient funds, intrinsic gas, ...); message says why. */
  | 'rejected'
  /** Reverted, and its hash is not in revertingTxHashes. */
  | 'reverted'
  /** The engine could not simulate it (request refused, answer unreadable); message says why. */
  | 'simulation-failed';

export interface BundleFailure {
  code: BundleFailureCode;
  /** Position in the bundle of the transaction at fault. */
  txIndex: number;
  txHash: string;
  message: string;
}

export interface BundleSimulation {
  /** keccak256 of the concatenated transaction hashes. */
  bundleHash: string;
  txHashes: string[];
  /** The state the bundle ran on: after this block. */
  stateBlockNumber: number;
  valid: boolean;
  failure?: BundleFailure;
  /** One per transaction executed; for an invalid bundle, those before the fault (and a reverted one). */
  results: TxSimulation[];
  coinbaseDiff: bigint;
  ethSentToCoinbase: bigint;
  gasFees: bigint;
  totalGasUsed: bigint;
  /** coinbaseDiff / totalGasUsed (0 when no gas was used). */
  bundleGasPrice: bigint;
  /** Lowercase `addr` and `addr:slot` keys read (touched) and written; empty without stateKeys. */
  reads: Set<string>;
  writes: Set<string>;
  /** (sender, nonce) of every transaction. */
  nonces: { sender: string; nonce: number }[];
}

export interface SequenceSimulation {
  /** In input order; `included` false for bundles dropped because they failed where they stood. */
  bundles: (BundleSimulation & { included: boolean })[];
  /** Totals over the included bundles. */
  coinbaseDiff: bigint;
  totalGasUsed: bigint;
}

export interface SimulateOptions {
  revertingTxHashes?: readonly string[];
  /** Trace reads and writes (default true); off, a bundle costs one call instead of 1 + 2 per transaction. */
  stateKeys?: boolean;
}

export interface SimulatorOptions {
  chainId: bigint;
  /** Most JSON-RPC calls per batch request (default 200). */
  maxBatch?: number;
  /** Most batch requests in flight (default 4). */
  maxInFlight?: number;
  /** Decoded transactions kept, by raw bytes (default 20,000): a winner is re-simulated in its final order. */
  cacheSize?: number;
}

/** An account after the parent block: its next nonce and its balance. */
export interface AccountRead {
  nonce: number;
  balance: bigint;
}
