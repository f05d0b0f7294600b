/**
 * The mempool's errors: one class per case, each with a literal `name`, a short message and an
 * optional `cause` and `data` (safe to show to the caller). They are SealaneErrors at run time, so
 * `isSealaneError()` and the JSON-RPC error table see them.
 * Their names are SealaneErrorNames, each with one code in @sealane/rpc's table.
 */
import { SealaneError } from '@sealane/protocol';
import type { SkipReason } from './skip-reason';

/** Every mempool error; names are listed once, in @sealane/protocol's SealaneErrorName. */
export abstract class MempoolError extends SealaneError {}

/** A request or answer at the edge is not well-formed: bad hex, wrong length, bad address. */
export class MalformedMessageError extends MempoolError {
  override readonly name = 'MalformedMessageError';
}

/** Bucket sizes that are not powers of two, or min above max: a configuration mistake. */
export class InvalidMempoolParamsError extends MempoolError {
  override readonly name = 'InvalidMempoolParamsError';
}

/** The transaction does not fit in the largest padding bucket. */
export class PlaintextTooLargeError extends MempoolError {
  override readonly name = 'PlaintextTooLargeError';
}

/** A ciphertext whose length is not the length of a padding bucket (or is from another version). */
export class CiphertextSizeError extends MempoolError {
  override readonly name = 'CiphertextSizeError';
}

/**
 * The ciphertext does not open: wrong key, a changed byte of nonce, ciphertext or tag, or another
 * sender or slot than it was sealed for. The AEAD cannot tell which, by design.
 */
export class DecryptionFailedError extends MempoolError {
  override readonly name = 'DecryptionFailedError';
}

/** The ciphertext opened (so the user sealed it so), but its padding is not canonical. */
export class InvalidPaddingError extends MempoolError {
  override readonly name = 'InvalidPaddingError';
}

/** The fee transaction's value is below the commitment fee. */
export class CommitmentFeeTooLowError extends MempoolError {
  override readonly name = 'CommitmentFeeTooLowError';
}

/** The fee transaction is signed by someone other than the committed sender. */
export class FeeSenderMismatchError extends MempoolError {
  override readonly name = 'FeeSenderMismatchError';
}

/** The fee transaction does not pay the sequencer's fee recipient. */
export class FeeRecipientMismatchError extends MempoolError {
  override readonly name = 'FeeRecipientMismatchError';
}

/** The fee transaction is not a plain transfer: calldata, or a gas limit out of range. */
export class InvalidFeeTransactionError extends MempoolError {
  override readonly name = 'InvalidFeeTransactionError';
}

/** A reveal that opened to something the builder must skip; `reason` says why. */
export class RevealRejectedError extends MempoolError {
  override readonly name = 'RevealRejectedError';
  constructor(
    readonly reason: SkipReason,
    message: string,
    options?: { cause?: unknown; data?: Record<string, unknown> },
  ) {
    super(message, { ...options, data: { reason, ...(options?.data ?? {}) } });
  }
}

/** SDK: the sequencer's receipt is not signed by it, or is not for what was committed. */
export class ReceiptMismatchError extends MempoolError {
  override readonly name = 'ReceiptMismatchError';
}

/** The published order is not signed by the sequencer, or does not hold a receipted commitment. */
export class OrderMismatchError extends MempoolError {
  override readonly name = 'OrderMismatchError';
}
