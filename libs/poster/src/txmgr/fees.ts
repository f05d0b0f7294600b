/** EIP-1559 fees for the poster's L1 transactions, and the bump when one is not mined in time. */

export interface Eip1559Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** Geth and most L1 nodes refuse a same-nonce replacement that raises either fee by less. */
export const MIN_FEE_BUMP_PERCENT = 10;

const raise = (x: bigint, percent: number): bigint => (x * BigInt(100 + percent) + 99n) / 100n;
const max = (...xs: bigint[]): bigint => xs.reduce((a, b) => (b > a ? b : a));

/**
 * Fees for a replacement: each of the previous fees raised by `percent` (rounded up), or the
 * network's current suggestion if that is higher; the fee cap never below the tip.
 */
export function bumpFees(prev: Eip1559Fees, suggested: Eip1559Fees, percent: number): Eip1559Fees {
  if (!Number.isInteger(percent) || percent < MIN_FEE_BUMP_PERCENT) {
    throw new RangeError(`fee bump must be an integer of at least ${MIN_FEE_BUMP_PERCENT}%, got ${percent}`);
  }
  const maxPriorityFeePerGas = max(raise(prev.maxPriorityFeePerGas, percent), suggested.maxPriorityFeePerGas);
  const maxFeePerGas = max(raise(prev.maxFeePerGas, percent), suggested.maxFeePerGas, maxPriorityFeePerGas);
  return { maxFeePerGas, maxPriorityFeePerGas };
}

/**
 * Fees for a transaction at a nonce: the network's suggestion, or with a `floor` (the fees of
 * a transaction that may hold that nonce in the pool) a bump over it.
 */
export function feesAt(suggested: Eip1559Fees, floor: Eip1559Fees | undefined, percent: number): Eip1559Fees {
  return floor ? bumpFees(floor, suggested, percent) : suggested;
}

/** Fees from ethers' FeeData; an L1 without EIP-1559 is refused. */
export function eip1559Fees(feeData: {
  maxFeePerGas: bigint | null;
  maxPriorityFeePerGas: bigint | null;
}): Eip1559Fees {
  const { maxFeePerGas, maxPriorityFeePerGas } = feeData;
  if (maxFeePerGas === null || maxPriorityFeePerGas === null) {
    throw new Error('the L1 node returned no EIP-1559 fee data (is it pre-London?)');
  }
  return { maxFeePerGas: max(maxFeePerGas, maxPriorityFeePerGas), maxPriorityFeePerGas };
}
