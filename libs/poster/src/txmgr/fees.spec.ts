import fc from 'fast-check';
import { bumpFees, eip1559Fees, feesAt } from './fees';

const gwei = (n: number) => BigInt(Math.round(n * 1e9));

describe('fee bump', () => {
  it('raises both fees by the percentage, rounding up (known answer)', () => {
    const prev = { maxFeePerGas: gwei(30), maxPriorityFeePerGas: gwei(2) };
    expect(bumpFees(prev, { maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }, 15)).toEqual({
      maxFeePerGas: gwei(34.5),
      maxPriorityFeePerGas: gwei(2.3),
    });
    expect(
      bumpFees(
        { maxFeePerGas: 101n, maxPriorityFeePerGas: 11n },
        { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
        10,
      ),
    ).toEqual({
      maxFeePerGas: 112n, // 111.1 rounded up
      maxPriorityFeePerGas: 13n, // 12.1 rounded up
    });
  });

  it('follows the network when its suggestion is higher than the bump', () => {
    const prev = { maxFeePerGas: gwei(30), maxPriorityFeePerGas: gwei(2) };
    const suggested = { maxFeePerGas: gwei(80), maxPriorityFeePerGas: gwei(3) };
    expect(bumpFees(prev, suggested, 10)).toEqual(suggested);
  });

  it('refuses a bump below 10% (nodes would reject the replacement)', () => {
    const f = { maxFeePerGas: 10n, maxPriorityFeePerGas: 1n };
    expect(() => bumpFees(f, f, 9)).toThrow(RangeError);
  });

  it('always gives a replacement an L1 node accepts: both fees up by at least 10%, cap >= tip', () => {
    const fee = fc.bigInt({ min: 0n, max: 10n ** 15n });
    fc.assert(
      fc.property(fee, fee, fee, fee, fc.integer({ min: 10, max: 200 }), (cap, tip, sCap, sTip, pct) => {
        const prev = { maxFeePerGas: cap > tip ? cap : tip, maxPriorityFeePerGas: tip };
        const next = bumpFees(prev, { maxFeePerGas: sCap, maxPriorityFeePerGas: sTip }, pct);
        expect(next.maxFeePerGas * 100n).toBeGreaterThanOrEqual(prev.maxFeePerGas * 110n);
        expect(next.maxPriorityFeePerGas * 100n).toBeGreaterThanOrEqual(prev.maxPriorityFeePerGas * 110n);
        expect(next.maxFeePerGas).toBeGreaterThanOrEqual(next.maxPriorityFeePerGas);
        expect(next.maxFeePerGas).toBeGreaterThanOrEqual(sCap);
      }),
    );
  });

  it('reads EIP-1559 fee data and refuses a legacy-only L1', () => {
    expect(eip1559Fees({ maxFeePerGas: 5n, maxPriorityFeePerGas: 7n })).toEqual({
      maxFeePerGas: 7n,
      maxPriorityFeePerGas: 7n,
    });
    expect(() => eip1559Fees({ maxFeePerGas: null, maxPriorityFeePerGas: null })).toThrow(/EIP-1559/);
  });

  it('prices a first transaction at the suggestion and one over a floor as a bump of it', () => {
    const suggested = { maxFeePerGas: gwei(20), maxPriorityFeePerGas: gwei(1) };
    const floor = { maxFeePerGas: gwei(30), maxPriorityFeePerGas: gwei(2) };
    expect(feesAt(suggested, undefined, 10)).toEqual(suggested);
    expect(feesAt(suggested, floor, 10)).toEqual({ maxFeePerGas: gwei(33), maxPriorityFeePerGas: gwei(2.2) });
    expect(() => feesAt(suggested, floor, 5)).toThrow(RangeError);
  });
});
