/**
 * A data-availability format: how batch bytes and their header travel in an L1 transaction to
 * the Inbox and how they are read back from one. Formats are pure (no provider, no contract
 * object); the poster encodes with one, and whoever reads L1 (reconcile, verify) decodes with
 * the format that claims the transaction (see registry.ts).
 */

/** A batch as the Inbox takes it: its header fields and the batch bytes (codec.ts). */
export interface DaBatch {
  seq: number;
  firstBlock: number;
  lastBlock: number;
  data: Uint8Array;
  /** Output root of the batch's last block (output-root.ts). */
  outputRoot: string;
}

/** The fields of the L1 transaction that carries a batch. */
export interface DaTransaction {
  /** The Inbox's address. */
  to: string;
  /** Call data, hex. */
  data: string;
  /** Blob contents, for a format that posts in blobs (the calldata format never sets it). */
  blobs?: readonly Uint8Array[];
}

/** What a reader has of an L1 transaction (blobs only when it fetched them). */
export type DaReadable = Pick<DaTransaction, 'data' | 'blobs'>;

export interface DaFormat {
  /** The transaction that posts `batch` to the Inbox at `inbox`. */
  encode(batch: DaBatch, inbox: string): DaTransaction;
  /** Whether `tx` calls the Inbox function this format posts with. */
  claims(tx: DaReadable): boolean;
  /** The batch `tx` posted; a DaDecodeError when it posts none in this format. */
  decode(tx: DaReadable): DaBatch;
  /**
   * An upper bound on the L1 gas of `tx`, for a batch behind others in flight: eth_estimateGas
   * runs on the chain as it is, where the Inbox still expects an earlier batch and refuses it.
   */
  gasLimit(tx: DaTransaction): bigint;
}
