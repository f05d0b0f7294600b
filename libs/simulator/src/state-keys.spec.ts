import {
  applyDiff,
  cloneOverrides,
  readKeys,
  writeKeys,
  type PrestateDiff,
  type StateOverrides,
} from './state-keys';

const A = '0x' + 'aa'.repeat(20);
const T = '0x' + 'bb'.repeat(20);
const CB = '0x' + 'cb'.repeat(20);
const s = (n: number) => '0x' + n.toString(16).padStart(64, '0');

// Shapes as anvil's prestateTracer returns them: an ERC-20 transfer from A, fee to CB.
const diff: PrestateDiff = {
  pre: {
    [A]: { balance: '0x100', nonce: 4 },
    [T]: { balance: '0x0', nonce: 1, storage: { [s(1)]: s(50), [s(2)]: s(7) } },
    [CB]: { balance: '0x0' },
  },
  post: {
    [A]: { balance: '0xf0', nonce: 5 },
    // slot 1 went to zero (left out of post), slot 3 from zero (left out of pre).
    [T]: { storage: { [s(2)]: s(8), [s(3)]: s(42) } },
    [CB]: { balance: '0x10' },
  },
};

describe('state keys', () => {
  it('reads: every touched account and slot, except the fee recipient', () => {
    const keys = readKeys({ [A.toUpperCase().replace('0X', '0x')]: { balance: '0x1' }, ...diff.pre }, CB);
    expect(keys).toEqual(new Set([A, T, `${T}:${s(1)}`, `${T}:${s(2)}`]));
  });

  it('writes: accounts whose balance, nonce or code changed, and every changed slot', () => {
    expect(writeKeys(diff, CB)).toEqual(new Set([A, `${T}:${s(1)}`, `${T}:${s(2)}`, `${T}:${s(3)}`]));
  });

  it('applyDiff replays the new values, zeroing slots left out of post', () => {
    const o: StateOverrides = { [T]: { stateDiff: { [s(9)]: s(1) } } };
    const before = cloneOverrides(o);
    applyDiff(o, diff);
    expect(o).toEqual({
      [A]: { balance: '0xf0', nonce: '0x5' },
      [T]: { stateDiff: { [s(9)]: s(1), [s(1)]: s(0), [s(2)]: s(8), [s(3)]: s(42) } },
      [CB]: { balance: '0x10' },
    });
    // A clone is independent of the chain moving on.
    expect(before).toEqual({ [T]: { stateDiff: { [s(9)]: s(1) } } });
  });

  it('applyDiff carries the code of a contract created by the transaction', () => {
    const created = '0x' + 'c0'.repeat(20);
    const o = applyDiff({}, { pre: {}, post: { [created]: { balance: '0x0', nonce: 1, code: '0x6001' } } });
    expect(o[created]).toEqual({ balance: '0x0', nonce: '0x1', code: '0x6001' });
  });
});
