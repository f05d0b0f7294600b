/** The auction's errors: one base with a literal `name`, a short message and an optional `cause`. */
export type AuctionErrorName = 'InvalidBidError' | 'InvalidRulesError' | 'UnknownLeafError';

export abstract class AuctionError extends Error {
  abstract override readonly name: AuctionErrorName;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** A bid the auction cannot rank: malformed hash, non-positive gas, negative value, duplicate. */
export class InvalidBidError extends AuctionError {
  override readonly name = 'InvalidBidError';
}

/** Rules outside their domain (negative reserve, unknown pricing or ranking, ...). */
export class InvalidRulesError extends AuctionError {
  override readonly name = 'InvalidRulesError';
}

/** A Merkle proof was asked for a leaf that is not in the tree. */
export class UnknownLeafError extends AuctionError {
  override readonly name = 'UnknownLeafError';
}
