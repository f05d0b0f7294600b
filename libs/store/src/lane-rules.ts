/**
 * The public lane's admission rules, as a node's pool has them (geth's): the nonce window and
 * the price bump a replacement must pay, and the account state they are checked against.
 */

/** The sender's account on the engine at the last sealed block. */
export interface EngineAccount {
  nonce: number;
  balance: bigint;
}

export interface LaneLimits {
  /** Most transactions waiting in the lane. */
  capacity: number;
  /**
   * A nonce must be below the engine nonce + this: bounds both a sender's waiting transactions
   * and the gap ahead of its nonce (geth queues at most 64 per account).
   */
  nonceWindow: number;
  /** How long the status of a replaced transaction, and a sender's cost index, are kept. */
  statusTtlSec: number;
}

export const DEFAULT_NONCE_WINDOW = 64;
/** geth's default price bump: a replacement pays at least 10% more, on both fee caps. */
export const PRICE_BUMP_PERCENT = 110n;

/** The least fee a replacement must offer: 10% more, and strictly more (geth's rule). */
export function bumped(fee: bigint): bigint {
  const t = (fee * PRICE_BUMP_PERCENT) / 100n;
  return t > fee ? t : fee + 1n;
}

export interface Accepted {
  seq: number;
  /** The waiting transaction of the same nonce this one replaced. */
  replaced?: string;
}
