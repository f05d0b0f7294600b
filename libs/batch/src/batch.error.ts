import { InternalError } from '@sealane/protocol';

/** Why a batch could not be decoded (or encoded); `reason` is stable and machine-readable. */
export type BatchErrorReason =
  | 'version'
  | 'compression'
  | 'too-large'
  | 'rlp'
  | 'shape'
  | 'sequence'
  | 'empty'
  | 'level'
  /** An L1 transaction that does not post a batch in the data format asked to read it. */
  | 'not-batch-call'
  /** It calls the Inbox's batch function, but its arguments do not decode. */
  | 'call-data';

export type BatchErrorName = 'BatchDecodeError' | 'InvalidBatchError' | 'DaDecodeError';

/** Internal: a batch is built by the poster and read back from L1, never handed in by a caller. */
abstract class BatchError extends InternalError {
  abstract override readonly name: BatchErrorName;
  constructor(
    readonly reason: BatchErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The bytes are not a valid batch (bad version byte, Brotli stream, RLP, shape or block sequence). */
export class BatchDecodeError extends BatchError {
  override readonly name = 'BatchDecodeError';
}

/** The blocks handed to the encoder cannot form a batch (empty, not consecutive, bad level). */
export class InvalidBatchError extends BatchError {
  override readonly name = 'InvalidBatchError';
}

/** An L1 transaction from which no batch can be read (see da/format.ts). */
export class DaDecodeError extends BatchError {
  override readonly name = 'DaDecodeError';
}
