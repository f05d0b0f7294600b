import { nextBaseFee } from './l2-engine';

describe('nextBaseFee (EIP-1559)', () => {
  const g = 30_000_000n;
  it('stays at target', () =>
    expect(nextBaseFee({ gasLimit: g, gasUsed: g / 2n, baseFeePerGas: 1000n })).toBe(1000n));
  it('falls 12.5% on an empty block', () =>
    expect(nextBaseFee({ gasLimit: g, gasUsed: 0n, baseFeePerGas: 1_000_000_000n })).toBe(875_000_000n));
  it('rises 12.5% on a full block', () =>
    expect(nextBaseFee({ gasLimit: g, gasUsed: g, baseFeePerGas: 1_000_000_000n })).toBe(1_125_000_000n));
  it('rises by at least 1 wei', () =>
    expect(nextBaseFee({ gasLimit: g, gasUsed: g / 2n + 1n, baseFeePerGas: 7n })).toBe(8n));
});
