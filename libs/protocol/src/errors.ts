/**
 * Sealane's two error families. A SealaneError is what an API caller sees: a literal `name`, a
 * short message, a `cause`, and exactly one JSON-RPC code in @sealane/rpc's table. An
 * InternalError is the system's own failure (Redis and L1 disagree, a block out of order, an
 * engine that answers nonsense): logged, and shown to a caller only as an internal error.
 */
export type SealaneErrorName =
  | 'InvalidTransactionError'
  | 'WrongChainError'
  | 'NonceTooLowError'
  | 'InsufficientFundsError'
  | 'GasLimitTooHighError'
  | 'FeeTooLowError'
  | 'AlreadyKnownError'
  | 'PoolFullError'
  | 'TransactionTooLargeError'
  | 'NotLeaderError'
  | 'UpstreamError'
  | 'UnauthenticatedError'
  | 'BundleTooLargeError'
  | 'InvalidBundleError'
  | 'SlotClosedError'
  | 'RateLimitedError'
  | 'BundleNotFoundError'
  | 'RevealTooEarlyError'
  | 'RevealTooLateError'
  | 'CommitmentNotFoundError'
  | 'InvalidCommitmentError'
  | 'InvalidRevealError'
  | 'IntakePausedError'
  | 'InvalidProposalError'
  | 'UnknownParameterError'
  | 'ParamOutOfRangeError'
  | 'StaleNonceError'
  | 'NonceReusedError'
  | 'WrongDomainError'
  | 'InvalidSignatureError'
  | 'NotMemberError'
  | 'DuplicateSignerError'
  | 'QuorumNotReachedError'
  | 'ActivationTooEarlyError'
  | 'ProposalNotFoundError'
  | 'ProposalClosedError'
  | 'MalformedMessageError'
  | 'InvalidMempoolParamsError'
  | 'PlaintextTooLargeError'
  | 'CiphertextSizeError'
  | 'DecryptionFailedError'
  | 'InvalidPaddingError'
  | 'CommitmentFeeTooLowError'
  | 'FeeSenderMismatchError'
  | 'FeeRecipientMismatchError'
  | 'InvalidFeeTransactionError'
  | 'RevealRejectedError'
  | 'ReceiptMismatchError'
  | 'OrderMismatchError'
  | 'ReplacementUnderpricedError'
  | 'NonceTooHighError'
  | 'DuplicateBundleError'
  | 'ReplacementNonceTooLowError'
  | 'CommittedFeeTxError'
  | 'NonceOutOfWindowError'
  | 'StoreUnavailableError'
  | 'ReadOnlyError'
  | 'ReceiptTimeoutError'
  | 'TransactionNotProcessedError';

export abstract class SealaneError extends Error {
  abstract override readonly name: SealaneErrorName;
  /** Extra machine-readable detail, safe to show to the caller. */
  readonly data?: unknown;
  constructor(message: string, options?: { cause?: unknown; data?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.data = options?.data;
  }
}

export class InvalidTransactionError extends SealaneError {
  override readonly name = 'InvalidTransactionError';
}
export class WrongChainError extends SealaneError {
  override readonly name = 'WrongChainError';
}
export class NonceTooLowError extends SealaneError {
  override readonly name = 'NonceTooLowError';
}
export class InsufficientFundsError extends SealaneError {
  override readonly name = 'InsufficientFundsError';
}
export class GasLimitTooHighError extends SealaneError {
  override readonly name = 'GasLimitTooHighError';
}
export class FeeTooLowError extends SealaneError {
  override readonly name = 'FeeTooLowError';
}
export class AlreadyKnownError extends SealaneError {
  override readonly name = 'AlreadyKnownError';
}
export class PoolFullError extends SealaneError {
  override readonly name = 'PoolFullError';
}
export class TransactionTooLargeError extends SealaneError {
  override readonly name = 'TransactionTooLargeError';
}
export class NotLeaderError extends SealaneError {
  override readonly name = 'NotLeaderError';
}
export class UpstreamError extends SealaneError {
  override readonly name = 'UpstreamError';
}

export class BundleTooLargeError extends SealaneError {
  override readonly name = 'BundleTooLargeError';
}
export class InvalidBundleError extends SealaneError {
  override readonly name = 'InvalidBundleError';
}
export class SlotClosedError extends SealaneError {
  override readonly name = 'SlotClosedError';
}
export class RateLimitedError extends SealaneError {
  override readonly name = 'RateLimitedError';
}
export class BundleNotFoundError extends SealaneError {
  override readonly name = 'BundleNotFoundError';
}

export class RevealTooEarlyError extends SealaneError {
  override readonly name = 'RevealTooEarlyError';
}
export class RevealTooLateError extends SealaneError {
  override readonly name = 'RevealTooLateError';
}
export class CommitmentNotFoundError extends SealaneError {
  override readonly name = 'CommitmentNotFoundError';
}
export class InvalidCommitmentError extends SealaneError {
  override readonly name = 'InvalidCommitmentError';
}
export class InvalidRevealError extends SealaneError {
  override readonly name = 'InvalidRevealError';
}

// Governance (issue 5): intake pause and signed parameter proposals.
export class IntakePausedError extends SealaneError {
  override readonly name = 'IntakePausedError';
}
export class InvalidProposalError extends SealaneError {
  override readonly name = 'InvalidProposalError';
}
export class UnknownParameterError extends SealaneError {
  override readonly name = 'UnknownParameterError';
}
export class ParamOutOfRangeError extends SealaneError {
  override readonly name = 'ParamOutOfRangeError';
}
export class StaleNonceError extends SealaneError {
  override readonly name = 'StaleNonceError';
}
export class NonceReusedError extends SealaneError {
  override readonly name = 'NonceReusedError';
}
export class WrongDomainError extends SealaneError {
  override readonly name = 'WrongDomainError';
}
export class InvalidSignatureError extends SealaneError {
  override readonly name = 'InvalidSignatureError';
}
export class NotMemberError extends SealaneError {
  override readonly name = 'NotMemberError';
}
export class DuplicateSignerError extends SealaneError {
  override readonly name = 'DuplicateSignerError';
}
export class QuorumNotReachedError extends SealaneError {
  override readonly name = 'QuorumNotReachedError';
}
export class ActivationTooEarlyError extends SealaneError {
  override readonly name = 'ActivationTooEarlyError';
}
export class ProposalNotFoundError extends SealaneError {
  override readonly name = 'ProposalNotFoundError';
}
export class ProposalClosedError extends SealaneError {
  override readonly name = 'ProposalClosedError';
}

// Public lane (issue 9): refused at send time, as a node's pool refuses.
export class ReplacementUnderpricedError extends SealaneError {
  override readonly name = 'ReplacementUnderpricedError';
}
export class NonceTooHighError extends SealaneError {
  override readonly name = 'NonceTooHighError';
}
// Issue 9 (searcher intake, governance nonces).
/** The same bundle (bundleHash) is already in this block under another entry or searcher. */
export class DuplicateBundleError extends SealaneError {
  override readonly name = 'DuplicateBundleError';
}
/** A replacement or cancel that is not newer than what it would replace (a replay, or a stale nonce). */
export class ReplacementNonceTooLowError extends SealaneError {
  override readonly name = 'ReplacementNonceTooLowError';
}
/** A bundle carrying a transaction that is a committed fee transaction of its slot. */
export class CommittedFeeTxError extends SealaneError {
  override readonly name = 'CommittedFeeTxError';
}
/** A governance nonce beyond the next nonce plus the window. */
export class NonceOutOfWindowError extends SealaneError {
  override readonly name = 'NonceOutOfWindowError';
}

/** The sequencer's store (Redis) cannot be reached right now, e.g. while it restarts. */
export class StoreUnavailableError extends SealaneError {
  override readonly name = 'StoreUnavailableError';
}

/** A write sent to a node that only follows the chain (the replica): send it to the sequencer. */
export class ReadOnlyError extends SealaneError {
  override readonly name = 'ReadOnlyError';
}

/**
 * The base of every error that is Sealane's own failure, never a caller's: each lib's family
 * (store, poster, simulator, auction, batch) narrows `name` to its own literal names.
 */
export abstract class InternalError extends Error {
  abstract override readonly name: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

export function isSealaneError(e: unknown): e is SealaneError {
  return e instanceof SealaneError;
}

/** EIP-7966: the transaction is in the pool but no receipt came within the wait (code 4). */
export class ReceiptTimeoutError extends SealaneError {
  override readonly name = 'ReceiptTimeoutError';
}

/** EIP-7966: the transaction was accepted but will not be processed as sent, e.g. skipped at its slot (code 5). */
export class TransactionNotProcessedError extends SealaneError {
  override readonly name = 'TransactionNotProcessedError';
}
