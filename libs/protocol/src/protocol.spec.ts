import fc from 'fast-check';
import { Wallet, SigningKey, Transaction, keccak256 as ethersKeccak, concat } from 'ethers';
import {
  bundleHash,
  decodeTransaction,
  fromHex,
  InvalidTransactionError,
  keccak256,
  nativeRecoveryAvailable,
  nativeKeccakAvailable,
  recoverSigner,
  toHex,
  TransactionTooLargeError,
  WrongChainError,
  MAX_TX_BYTES,
} from './index';

const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const ADDR = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266';

async function signed(
  fields: Partial<ConstructorParameters<typeof Object>[0]> & Record<string, unknown>,
): Promise<string> {
  return new Wallet(KEY).signTransaction({
    chainId: 24225,
    nonce: 0,
    gasLimit: 21000,
    to: ADDR,
    value: 1n,
    ...fields,
  });
}

describe('keccak256 and bundle hash', () => {
  it('matches known answers', () => {
    expect(toHex(keccak256(new Uint8Array()))).toBe(
      '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    );
    expect(toHex(keccak256(new TextEncoder().encode('abc')))).toBe(
      '0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45',
    );
  });

  it('bundle hash is keccak256 of the concatenated tx hashes', () => {
    const h1 = keccak256(new Uint8Array([1]));
    const h2 = keccak256(new Uint8Array([2]));
    expect(toHex(bundleHash([h1, h2]))).toBe(ethersKeccak(concat([h1, h2])));
  });

  it('fromHex and toHex agree with a plain reference on any input', () => {
    const reference = (h: string) =>
      /^0x([0-9a-fA-F]{2})*$/.test(h)
        ? Uint8Array.from(h.slice(2).match(/../g) ?? [], (b) => parseInt(b, 16))
        : null;
    // Non-ASCII look-alikes too: Node's own decoder reads only each unit's low byte.
    const hexish = fc.stringMatching(/^(0x)?[0-9a-fA-FxgG İıšŢａｂ０\u0130\uff10]{0,12}$/);
    fc.assert(
      fc.property(fc.oneof(hexish, fc.string()), (h) => {
        const want = reference(h);
        if (want === null) expect(() => fromHex(h)).toThrow(TypeError);
        else expect(Array.from(fromHex(h))).toEqual(Array.from(want));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(toHex(b)).toBe('0x' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''));
        expect(Array.from(fromHex(toHex(b)))).toEqual(Array.from(b));
      }),
    );
  });

  it('fromHex rejects malformed hex', () => {
    expect(() => fromHex('0x0')).toThrow(TypeError);
    expect(() => fromHex('abcd')).toThrow(TypeError);
    expect(() => fromHex('0xzz')).toThrow(TypeError);
    for (const lookalike of ['0xİı', '0xšŢ', '0xａｂ', '0x０１'])
      expect(() => fromHex(lookalike)).toThrow(TypeError);
    expect(fromHex('0x')).toEqual(new Uint8Array());
  });
});

describe('sender recovery', () => {
  it('native libsecp256k1 is available on this machine', () => {
    expect(nativeRecoveryAvailable()).toBe(true);
  });

  it('native and pure-JS agree on signing vectors', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (k, msg) => {
          let key: SigningKey;
          try {
            key = new SigningKey(toHex(k));
          } catch {
            return; // not a valid scalar
          }
          const sig = key.sign(msg);
          const expected = new Wallet(key).address.toLowerCase();
          const args = [msg, fromHex(sig.r), fromHex(sig.s), sig.yParity] as const;
          expect(recoverSigner(...args, 'native')).toBe(expected);
          expect(recoverSigner(...args, 'js')).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('decodeTransaction', () => {
  it.each([
    ['legacy', { type: 0, gasPrice: 10n ** 9n }],
    ['eip-2930', { type: 1, gasPrice: 10n ** 9n, accessList: [] }],
    ['eip-1559', { type: 2, maxFeePerGas: 2n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n }],
  ])('decodes a %s transaction with both backends', async (_name, fields) => {
    const raw = await signed(fields);
    for (const backend of ['native', 'js'] as const) {
      const tx = decodeTransaction(fromHex(raw), { chainId: 24225n, backend });
      expect(tx.from).toBe(ADDR);
      expect(tx.hash).toBe(Transaction.from(raw).hash);
      expect(tx.nonce).toBe(0);
      expect(tx.gasLimit).toBe(21000n);
    }
  });

  it('rejects another chain, garbage, unsigned and oversized input', async () => {
    const raw = await signed({ type: 2, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    expect(() => decodeTransaction(fromHex(raw), { chainId: 1n })).toThrow(WrongChainError);
    expect(() => decodeTransaction(new Uint8Array([0x02, 0xff]))).toThrow(InvalidTransactionError);
    expect(() => decodeTransaction(new Uint8Array())).toThrow(InvalidTransactionError);
    const unsigned = Transaction.from({
      chainId: 24225,
      nonce: 0,
      gasLimit: 21000,
      to: ADDR,
      type: 2,
    }).unsignedSerialized;
    expect(() => decodeTransaction(fromHex(unsigned))).toThrow(InvalidTransactionError);
    expect(() => decodeTransaction(new Uint8Array(MAX_TX_BYTES + 1))).toThrow(TransactionTooLargeError);
  });

  it('never throws anything but a SealaneError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (bytes) => {
        try {
          decodeTransaction(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidTransactionError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('keccak256 backends', () => {
  it('native Keccak is available on this machine', () => {
    expect(nativeKeccakAvailable()).toBe(true);
  });

  it('native gives the known digests, and each digest stays intact after the next hash', () => {
    const empty = keccak256(new Uint8Array(0), 'native');
    const abc = keccak256(new TextEncoder().encode('abc'), 'native');
    expect(toHex(empty)).toBe('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(toHex(abc)).toBe('0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  });

  it('native and @noble/hashes agree', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (data) => {
        expect(toHex(keccak256(data, 'native'))).toBe(toHex(keccak256(data, 'js')));
      }),
      { numRuns: 500 },
    );
  });
});
