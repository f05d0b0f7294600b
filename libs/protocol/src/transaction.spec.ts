/**
 * The fast decoder against ethers, the reference: on random valid transactions of every type
 * both must agree on every field, and on corrupted bytes ours may only accept what ethers
 * accepts, with the same fields (it is stricter: non-canonical RLP, high s).
 */
import fc from 'fast-check';
import { decodeRlp, encodeRlp, toBeHex, Transaction, Wallet, type TransactionLike } from 'ethers';
import { InvalidTransactionError, SealaneError, WrongChainError } from './errors';
import { fromHex } from './hash';
import { RecoveryPool } from './recovery-pool';
import { decodeTransaction, parseTransaction, withSender, type DecodedTx } from './transaction';

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const wallet = new Wallet(KEY);
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function reference(raw: string): Omit<DecodedTx, 'raw'> {
  const t = Transaction.from(raw);
  const dynamic = t.type === 2;
  return {
    hash: t.hash!,
    from: t.from!.toLowerCase(),
    to: t.to ? t.to.toLowerCase() : null,
    nonce: t.nonce,
    type: t.type!,
    chainId: t.chainId,
    gasLimit: t.gasLimit,
    maxFeePerGas: (dynamic ? t.maxFeePerGas : t.gasPrice)!,
    maxPriorityFeePerGas: (dynamic ? t.maxPriorityFeePerGas : t.gasPrice)!,
    value: t.value,
    dataLength: (t.data.length - 2) / 2,
  };
}

function ours(raw: string): Omit<DecodedTx, 'raw'> {
  const { raw: _raw, ...rest } = decodeTransaction(fromHex(raw));
  return rest;
}

const u = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
const address = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((b) => '0x' + Buffer.from(b).toString('hex'));
const txArb: fc.Arbitrary<TransactionLike> = fc
  .record({
    type: fc.constantFrom(0, 1, 2),
    chainId: fc.oneof(
      fc.constant(24225n),
      u(32).map((x) => x + 1n),
    ),
    nonce: fc.integer({ min: 0, max: 2 ** 40 }),
    gasLimit: u(40),
    fee: u(80),
    tip: u(80),
    to: fc.option(address, { nil: null }),
    value: u(128),
    data: fc.uint8Array({ maxLength: 80 }).map((b) => '0x' + Buffer.from(b).toString('hex')),
    accessList: fc.array(
      fc.record({ address, storageKeys: fc.array(fc.constant('0x' + '11'.repeat(32)), { maxLength: 2 }) }),
      { maxLength: 2 },
    ),
  })
  .map(({ type, fee, tip, accessList, ...rest }) => {
    const base = { ...rest, type };
    if (type === 0) return { ...base, gasPrice: fee };
    if (type === 1) return { ...base, gasPrice: fee, accessList };
    return { ...base, maxFeePerGas: fee + tip, maxPriorityFeePerGas: tip, accessList };
  });

describe('decodeTransaction against ethers', () => {
  it('agrees on every field of random valid transactions', async () => {
    await fc.assert(
      fc.asyncProperty(txArb, async (fields) => {
        const raw = await wallet.signTransaction(fields);
        expect(ours(raw)).toEqual(reference(raw));
        expect(ours(raw).from).toBe(wallet.address.toLowerCase());
      }),
      { numRuns: 150 },
    );
  });

  it('parsing, recovering elsewhere and completing gives the same transaction', async () => {
    const pool = new RecoveryPool(1);
    try {
      await fc.assert(
        fc.asyncProperty(txArb, async (fields) => {
          const raw = fromHex(await wallet.signTransaction(fields));
          const parsed = parseTransaction(raw);
          const [from] = await pool.recover([parsed.signature]);
          expect(withSender(parsed, from)).toEqual(decodeTransaction(raw));
        }),
        { numRuns: 50 },
      );
      const parsed = parseTransaction(
        fromHex(await wallet.signTransaction({ chainId: 1n, gasLimit: 21000n })),
      );
      expect(() => withSender(parsed, null)).toThrow(/does not recover to a sender/);
    } finally {
      await pool.close();
    }
  });

  it('accepts only what ethers accepts when bytes are corrupted, with the same fields', async () => {
    const raws = await Promise.all(
      [0, 1, 2]
        .map(
          (type) =>
            fc.sample(
              txArb.filter((t) => t.type === type),
              1,
            )[0],
        )
        .map((t) => wallet.signTransaction(t)),
    );
    fc.assert(
      fc.property(fc.constantFrom(...raws), fc.nat(), fc.integer({ min: 1, max: 255 }), (raw, at, xor) => {
        const bytes = fromHex(raw);
        bytes[at % bytes.length] ^= xor;
        const hex = '0x' + Buffer.from(bytes).toString('hex');
        let mine: Omit<DecodedTx, 'raw'> | undefined;
        try {
          mine = ours(hex);
        } catch (e) {
          expect(e).toBeInstanceOf(SealaneError);
          return;
        }
        expect(mine).toEqual(reference(hex));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a legacy v of 35 or 36 (EIP-155 with chain id 0), as ethers does', () => {
    // Found by the corruption property above (seed -1760860183): byte 69 ^ 5 turned v 0x26 into 0x23.
    const raw =
      '0xf88685d4e63c1a808a1bb3ada2f9aa5e28dfd085504134c78994fd0306993f03ae658c00f9fa193a0000fd02020390da1d6e5c2d1c1687f61f0467f8735b0a85b1a22024c123a0c844713ff1a5fc1cbd9ef1ba4e0c1acd5829c76ff3d87213cb2f04c017dfc626a06bbd25ea5c28104c2edb38f64c21dbb485de935d9bc6548eb7d71696d5e60ab5';
    expect(() => reference(raw)).toThrow('non-canonical legacy v');
    let err: unknown;
    try {
      ours(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SealaneError);
    expect(() => ours(raw)).toThrow('invalid v 35');
  });

  it('decodes legacy transactions with and without EIP-155', async () => {
    const signed = await wallet.signTransaction({
      type: 0,
      chainId: 24225,
      nonce: 3,
      gasLimit: 21000,
      gasPrice: 7,
      to: wallet.address,
    });
    expect(ours(signed)).toEqual(reference(signed));
    const unsigned = Transaction.from({
      type: 0,
      nonce: 3,
      gasLimit: 21000,
      gasPrice: 7,
      to: wallet.address,
    });
    unsigned.signature = wallet.signingKey.sign(unsigned.unsignedHash);
    const pre155 = unsigned.serialized;
    expect(ours(pre155).chainId).toBe(0n);
    expect(ours(pre155).from).toBe(wallet.address.toLowerCase());
    expect(() => decodeTransaction(fromHex(pre155), { chainId: 24225n })).toThrow(WrongChainError);
  });

  it('rejects a malleated (high-s) signature', async () => {
    const raw = await wallet.signTransaction({
      type: 2,
      chainId: 24225,
      nonce: 0,
      gasLimit: 21000,
      maxFeePerGas: 9,
      maxPriorityFeePerGas: 1,
    });
    const fields = decodeRlp('0x' + raw.slice(4)) as string[];
    fields[9] = fields[9] === '0x' ? '0x01' : '0x';
    fields[11] = toBeHex(N - BigInt(fields[11]));
    const malleated = '0x02' + encodeRlp(fields).slice(2);
    expect(() => decodeTransaction(fromHex(malleated))).toThrow(/lower half/);
  });

  it('rejects non-canonical integers and trailing bytes', async () => {
    const raw = fromHex(
      await wallet.signTransaction({
        type: 2,
        chainId: 24225,
        nonce: 0,
        gasLimit: 21000,
        maxFeePerGas: 9,
        maxPriorityFeePerGas: 1,
      }),
    );
    const trailing = new Uint8Array([...raw, 0]);
    expect(() => decodeTransaction(trailing)).toThrow(InvalidTransactionError);
    // chainId 24225 = 0x825ea1; re-encode it with a leading zero byte inside a fixed-up list.
    const body = raw.subarray(1);
    const idx = Buffer.from(body).indexOf(Buffer.from([0x82, 0x5e, 0xa1]));
    const padded = new Uint8Array([
      ...body.subarray(0, idx),
      0x83,
      0x00,
      0x5e,
      0xa1,
      ...body.subarray(idx + 3),
    ]);
    const listLen = padded.length - 3; // header is 0xf8 LL or 0xf9 LLLL
    const fixed = padded[0] === 0xf8 ? new Uint8Array([0xf8, listLen + 1, ...padded.subarray(2)]) : padded;
    expect(() => decodeTransaction(new Uint8Array([2, ...fixed]))).toThrow(/leading zero|decoded/);
  });
});
