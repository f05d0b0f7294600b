/**
 * The one table from errors to JSON-RPC codes. Standard codes from the JSON-RPC 2.0 spec;
 * Sealane's own in -32010..-32099 (the spec's server-error range). Codes are stable: never
 * renumber one, only add.
 */
import type { SealaneErrorName } from '@sealane/protocol';

export const JSONRPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
} as const;

export const SEALANE_CODES: Record<SealaneErrorName, number> = {
  InvalidTransactionError: -32010,
  WrongChainError: -32011,
  NonceTooLowError: -32012,
  InsufficientFundsError: -32013,
  GasLimitTooHighError: -32014,
  FeeTooLowError: -32015,
  AlreadyKnownError: -32016,
  PoolFullError: -32017,
  TransactionTooLargeError: -32018,
  NotLeaderError: -32019,
  UpstreamError: -32020,
  UnauthenticatedError: -32021,
  BundleTooLargeError: -32022,
  InvalidBundleError: -32023,
  SlotClosedError: -32024,
  RateLimitedError: -32025,
  BundleNotFoundError: -32026,
  RevealTooEarlyError: -32030,
  RevealTooLateError: -32031,
  CommitmentNotFoundError: -32032,
  InvalidCommitmentError: -32033,
  InvalidRevealError: -32034,
  IntakePausedError: -32040,
  InvalidProposalError: -32041,
  UnknownParameterError: -32042,
  ParamOutOfRangeError: -32043,
  StaleNonceError: -32044,
  NonceReusedError: -32045,
  WrongDomainError: -32046,
  InvalidSignatureError: -32047,
  NotMemberError: -32048,
  DuplicateSignerError: -32049,
  QuorumNotReachedError: -32050,
  ActivationTooEarlyError: -32051,
  ProposalNotFoundError: -32052,
  ProposalClosedError: -32053,
};
