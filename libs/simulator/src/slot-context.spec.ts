import type { EngineBlock } from '@sealane/engine';
import { blockOverrides, slotContext } from './slot-context';

/** Block 16: gas limit 30M, base fee 1 gwei. */
const parent = (gasUsed: bigint): EngineBlock => ({
  number: '0x10',
  hash: '0x' + '01'.repeat(32),
  parentHash: '0x' + '02'.repeat(32),
  stateRoot: '0x' + '03'.repeat(32),
  miner: '0x' + '00'.repeat(20),
  timestamp: '0x62',
  gasLimit: '0x1c9c380',
  gasUsed: '0x' + gasUsed.toString(16),
  baseFeePerGas: '0x3b9aca00',
  transactions: [],
});

describe('slotContext', () => {
  it('is the child of the parent: EIP-1559 base fee from it, its gas limit unless given', () => {
    const feeRecipient = '0x' + 'cb'.repeat(20);
    expect(slotContext(parent(15_000_000n), { timestamp: 99, feeRecipient })).toEqual({
      parentNumber: 16,
      timestamp: 99,
      feeRecipient,
      baseFee: 1_000_000_000n,
      gasLimit: 30_000_000n,
    });
    // A full parent raises the base fee by an eighth; an empty one lowers it by an eighth.
    expect(slotContext(parent(30_000_000n), { timestamp: 99, feeRecipient }).baseFee).toBe(1_125_000_000n);
    expect(slotContext(parent(0n), { timestamp: 99, feeRecipient }).baseFee).toBe(875_000_000n);
    expect(slotContext(parent(0n), { timestamp: 99, feeRecipient, gasLimit: 5n }).gasLimit).toBe(5n);
  });
});

describe('blockOverrides', () => {
  it("is the context in geth's BlockOverrides fields, the number the parent's child unless given", () => {
    const ctx = {
      parentNumber: 16,
      timestamp: 99,
      feeRecipient: '0x' + 'CB'.repeat(20),
      baseFee: 7n,
      gasLimit: 255n,
    };
    expect(blockOverrides(ctx)).toEqual({
      number: '0x11',
      time: '0x63',
      feeRecipient: '0x' + 'cb'.repeat(20),
      baseFeePerGas: '0x7',
      gasLimit: '0xff',
    });
    expect(blockOverrides({ ...ctx, number: 20 }).number).toBe('0x14');
  });
});
