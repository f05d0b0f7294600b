/**
 * What the auction sees of a bundle: the numbers and state keys its simulation produced, never a
 * transaction, a signature or a request. Whether they are true is the simulator's business. Here:
 * the Bid type, the checks a bid must pass to be ranked, and the one-bid-per-bundleHash rule.
 */
import { InvalidBidError } from './auction.error';

/** One (sender, nonce) a bundle's transactions consume. */
export interface NonceUse {
  readonly sender: string;
  readonly nonce: number;
}

/** One simulated bundle. Hashes, addresses and state keys are lowercase hex strings. */
export interface Bid {
  /** 0x + 32 bytes: keccak256 of the concatenated transaction hashes. */
  readonly bundleHash: string;
  /** Address that signed the request (X-Flashbots-Signature). */
  readonly searcher: string;
  /** What the bundle pays the fee recipient (transfers + priority fees), from simulation, in wei. */
  readonly value: bigint;
  /** Gas the bundle used in simulation; > 0. */
  readonly gasUsed: bigint;
  readonly txHashes: readonly string[];
  /** State keys read, e.g. "addr" or "addr:slot", from the simulation's access lists. */
  readonly reads: ReadonlySet<string>;
  readonly writes: ReadonlySet<string>;
  readonly nonces: readonly NonceUse[];
  /** Arrival order: informative only, never used to rank or break ties. */
  readonly receivedAt: number;
}

const BUNDLE_HASH = /^0x[0-9a-f]{64}$/;
/** Gas amounts are handled as doubles, exact below 2^53. */
export const MAX_GAS = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_UINT256 = (1n << 256n) - 1n;

/**
 * Validates every bid and returns gasUsed as doubles (exact below 2^53). Throws InvalidBidError
 * on a malformed bundle hash, gasUsed <= 0 or beyond 2^53, or a value outside uint256.
 */
export function checkBids(bids: readonly Bid[]): Float64Array {
  const gas = new Float64Array(bids.length);
  for (let i = 0; i < bids.length; i++) {
    const b = bids[i];
    if (typeof b.bundleHash !== 'string' || !BUNDLE_HASH.test(b.bundleHash)) {
      throw new InvalidBidError(`bid ${i}: bundleHash must be 0x + 64 lowercase hex digits`);
    }
    if (typeof b.value !== 'bigint' || b.value < 0n || b.value > MAX_UINT256) {
      throw new InvalidBidError(`bid ${i}: value must be a uint256`);
    }
    if (typeof b.gasUsed !== 'bigint' || b.gasUsed <= 0n || b.gasUsed > MAX_GAS) {
      throw new InvalidBidError(`bid ${i}: gasUsed must be in [1, 2^53)`);
    }
    gas[i] = Number(b.gasUsed);
  }
  return gas;
}

/**
 * Two bids with one bundleHash are one bundle sent twice (the same transactions, whoever sent
 * them): the earliest received (input order among equal times) takes part, the rest are returned
 * apart, so that what a searcher sends can never stop a slot from clearing.
 */
export function dedupe(bids: readonly Bid[]): { bids: Bid[]; duplicates: Bid[] } {
  const first = new Map<string, number>();
  bids.forEach((b, i) => {
    const j = first.get(b.bundleHash);
    if (j === undefined || b.receivedAt < bids[j].receivedAt) first.set(b.bundleHash, i);
  });
  if (first.size === bids.length) return { bids: [...bids], duplicates: [] };
  const keep = new Set(first.values());
  return {
    bids: bids.filter((_, i) => keep.has(i)),
    duplicates: bids.filter((_, i) => !keep.has(i)),
  };
}
