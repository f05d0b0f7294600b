import { BundleTooLargeError, InvalidTransactionError } from '@sealane/protocol';
import { RpcError } from '@sealane/rpc';
import {
  atTx,
  bundleTxs,
  hashList,
  MAX_BUNDLE_BYTES,
  MAX_BUNDLE_TXS,
  object,
  optionalNumber,
  quantity,
  replacementNonceOf,
} from './bundle-params';

const H = '0x' + 'Ab'.repeat(32);

describe('bundle params', () => {
  it('reads quantities as a number or a 0x string, refusing anything else', () => {
    expect(quantity(7, 'blockNumber')).toBe(7);
    expect(quantity('0x1f', 'blockNumber')).toBe(31);
    for (const bad of [-1, 1.5, '12', '0x', null]) {
      expect(() => quantity(bad, 'blockNumber')).toThrow('blockNumber must be a 0x quantity');
    }
    expect(optionalNumber(undefined, 'timestamp')).toBeUndefined();
    expect(optionalNumber(null, 'timestamp')).toBeUndefined();
    expect(optionalNumber('0x10', 'timestamp')).toBe(16);
  });

  it("reads BuilderNet's replacementNonce as a number, a decimal or a 0x string, below 2^53", () => {
    expect(replacementNonceOf(undefined)).toBeUndefined();
    expect([5, '5', '0x5'].map(replacementNonceOf)).toEqual([5, 5, 5]);
    expect(replacementNonceOf(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of [-1, 2 ** 53, '9007199254740992', '1e3', 0.5]) {
      expect(() => replacementNonceOf(bad)).toThrow(RpcError);
    }
  });

  it("takes a bundle's transactions as lowercase hex within Flashbots' limits", () => {
    expect(bundleTxs(['0xAB', '0x01'])).toEqual(['0xab', '0x01']);
    expect(() => bundleTxs([])).toThrow(RpcError);
    expect(() => bundleTxs('0xab')).toThrow(RpcError);
    expect(() => bundleTxs(['0xab', 'zz'])).toThrow('txs[1]');
    expect(() => bundleTxs(Array(MAX_BUNDLE_TXS + 1).fill('0x01'))).toThrow(BundleTooLargeError);
    const half = '0x' + '00'.repeat(MAX_BUNDLE_BYTES / 2);
    expect(bundleTxs([half, half])).toHaveLength(2);
    expect(() => bundleTxs([half, half, '0x01'])).toThrow(BundleTooLargeError);
  });

  it('reads objects and hash lists, naming the field at fault', () => {
    expect(object({ a: 1 }, 'bundle')).toEqual({ a: 1 });
    for (const bad of [null, [], 'x'])
      expect(() => object(bad, 'bundle')).toThrow('bundle must be an object');
    expect(hashList(undefined, 'revertingTxHashes')).toEqual([]);
    expect(hashList([H], 'revertingTxHashes')).toEqual([H.toLowerCase()]);
    expect(() => hashList(H, 'revertingTxHashes')).toThrow(RpcError);
    expect(() => hashList([H, '0x12'], 'droppingTxHashes')).toThrow('droppingTxHashes[1]');
  });

  it("says which transaction an error is about, keeping the error's kind and data", () => {
    expect(atTx(2, () => 'ok')).toBe('ok');
    let thrown: unknown;
    try {
      atTx(2, () => {
        throw new InvalidTransactionError('bad signature', { data: { why: 1 } });
      });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidTransactionError);
    expect(thrown).toMatchObject({ message: 'txs[2]: bad signature', data: { why: 1 } });
    const other = new TypeError('not ours');
    expect(() =>
      atTx(0, () => {
        throw other;
      }),
    ).toThrow(other);
  });
});
