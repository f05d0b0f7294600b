import { AbiCoder, id } from 'ethers';
import { revertReason } from './revert';

const abi = AbiCoder.defaultAbiCoder();
const sel = (sig: string) => id(sig).slice(0, 10);

describe('revertReason', () => {
  it('decodes Error(string)', () =>
    expect(
      revertReason(sel('Error(string)') + abi.encode(['string'], ['Arbitrage: unprofitable']).slice(2)),
    ).toBe('Arbitrage: unprofitable'));
  it('describes Panic(uint256)', () =>
    expect(revertReason(sel('Panic(uint256)') + abi.encode(['uint256'], [0x11]).slice(2))).toBe(
      'panic 0x11: arithmetic overflow or underflow',
    ));
  it('leaves custom errors, empty and malformed data to the caller', () => {
    expect(revertReason(sel('Unprofitable(uint256,uint256,uint256)') + '00'.repeat(96))).toBeUndefined();
    expect(revertReason('0x')).toBeUndefined();
    expect(revertReason(undefined)).toBeUndefined();
    expect(revertReason(sel('Error(string)') + 'ff')).toBeUndefined();
  });
});
