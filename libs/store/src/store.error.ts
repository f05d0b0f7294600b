/**
 * The store's own failures: Redis holds something the caller's step cannot follow from (a block
 * out of order, a missing parameter version) or a script answered a code nobody mapped. Internal:
 * a caller of the API sees an internal error, never these.
 */
import { InternalError } from '@sealane/protocol';

export type StoreErrorName =
  'BlockOrderError' | 'BlockConflictError' | 'BlockRecordMissingError' | 'ParamsMissingError' | 'ScriptError';

abstract class StoreError extends InternalError {
  abstract override readonly name: StoreErrorName;
}

/** A block recorded out of order: its number is not the sealed head + 1. */
export class BlockOrderError extends StoreError {
  override readonly name = 'BlockOrderError';
}

/** Another block (another hash) is already recorded at this number. */
export class BlockConflictError extends StoreError {
  override readonly name = 'BlockConflictError';
}

/** A block recorded as sealed has no record. */
export class BlockRecordMissingError extends StoreError {
  override readonly name = 'BlockRecordMissingError';
}

/** The parameters, or one version of them, are not in Redis. */
export class ParamsMissingError extends StoreError {
  override readonly name = 'ParamsMissingError';
}

/** A Lua script was called without what it needs, or answered a code no table entry maps. */
export class ScriptError extends StoreError {
  override readonly name = 'ScriptError';
}
