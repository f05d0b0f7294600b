/** The poster's errors: internal (Redis and L1 disagree), never a caller's. */
import { InternalError } from '@sealane/protocol';

export type PosterErrorName = 'PosterStateError' | 'SealedBlockMissingError';

abstract class PosterError extends InternalError {
  abstract override readonly name: PosterErrorName;
}

/** Redis and L1 disagree in a way the poster cannot settle by itself. */
export class PosterStateError extends PosterError {
  override readonly name = 'PosterStateError';
}

/** The sealed head is past a block whose record is missing: posting on would skip it. */
export class SealedBlockMissingError extends PosterError {
  override readonly name = 'SealedBlockMissingError';
  constructor(readonly block: number) {
    super(`sealed block ${block} is missing from Redis; not posting past it`);
  }
}
