/**
 * The auction's errors: one base with a literal `name`, a short message and an optional `cause`.
 * Internal: bids and rules come from the builder, never straight from a caller.
 */
import { InternalError } from '@sealane/protocol';

export type AuctionErrorName = 'InvalidBidError' | 'InvalidRulesError' | 'UnknownLeafError';

export abstract class AuctionError extends InternalError {
  abstract override readonly name: AuctionErrorName;
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
