import { Wallet } from 'ethers';
import { fromHex, keccak256, toHex } from '@sealane/protocol';
import { EmptyBundleError } from './simulator.error';
import { TxDecoder } from './tx-decoder';

const wallet = new Wallet('0x' + '42'.repeat(32));
const sign = (nonce: number, chainId = 7) =>
  wallet.signTransaction({
    type: 2,
    chainId,
    nonce,
    to: '0x' + 'ab'.repeat(20),
    gasLimit: 21_000,
    maxFeePerGas: 10n ** 10n,
    maxPriorityFeePerGas: 10n ** 9n,
  });

describe('TxDecoder', () => {
  it('decodes a signed transaction into its hash, sender and call arguments', async () => {
    const raw = await sign(3);
    const p = new TxDecoder(7n, 10).prepare(raw);
    expect(p.hash).toBe(toHex(keccak256(fromHex(raw))));
    expect(p.tx).toMatchObject({ from: wallet.address.toLowerCase(), nonce: 3 });
    expect(p.call).toMatchObject({ from: wallet.address.toLowerCase(), nonce: '0x3' });
    expect(p.decodeError).toBeUndefined();
  });

  it('takes the sender Sealane stored with the transaction instead of recovering it', async () => {
    const stored = '0x' + 'CD'.repeat(20);
    expect(new TxDecoder(7n, 10).prepare({ raw: await sign(3), from: stored }).tx?.from).toBe(
      stored.toLowerCase(),
    );
  });

  it('keeps decoded transactions by raw bytes, whatever their form, up to its size', async () => {
    const [a, b] = [await sign(1), await sign(2)];
    const d = new TxDecoder(7n, 1);
    const first = d.prepare(a);
    expect(d.prepare(a.toUpperCase().replace('0X', '0x'))).toBe(first);
    expect(d.prepare(fromHex(a))).toBe(first);
    d.prepare(b);
    // The oldest went to make room.
    expect(d.prepare(a)).not.toBe(first);
    expect(d.prepare(a)).toEqual(first);
  });

  it('answers why a transaction does not decode, under its hash (the zero hash if not even hex)', async () => {
    const d = new TxDecoder(7n, 10);
    const other = d.prepare(await sign(3, 8));
    expect(other.tx).toBeUndefined();
    expect(other.decodeError).toEqual(expect.any(String));
    expect(d.prepare('0x1234')).toMatchObject({
      hash: toHex(keccak256(fromHex('0x1234'))),
      decodeError: expect.any(String),
    });
    expect(d.prepare('nope').hash).toBe('0x' + '0'.repeat(64));
  });

  it('refuses a bundle without transactions', () => {
    expect(() => new TxDecoder(7n, 10).bundle([])).toThrow(EmptyBundleError);
  });
});
