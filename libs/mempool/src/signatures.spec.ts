import fc from 'fast-check';
import { Signature, TypedDataEncoder, verifyTypedData, type Wallet } from 'ethers';
import { fromHex, toHex } from '@sealane/protocol';
import {
  buildSlotOrder,
  deploymentSalt,
  nativeSigningAvailable,
  RECEIPT_TYPES,
  receiptDigest,
  receiptTypedValue,
  signReceipt,
  signSlotOrder,
  SLOT_ORDER_TYPES,
  slotOrderDigest,
  slotOrderTypedValue,
  typedDataDomain,
  verifyReceipt,
  verifySlotOrder,
  type CommitReceipt,
  type MempoolDomain,
} from './index';
import { DOMAIN, wallet } from './mempool.fixture';

const sequencer: Wallet = wallet(1);
const impostor: Wallet = wallet(9);
const receipt: CommitReceipt = {
  slot: 1234n,
  position: 3,
  commitment: new Uint8Array(32).fill(0xab),
  sender: '0x00000000000000000000000000000000000a11ce',
};
const order = buildSlotOrder(1234n, [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]);

describe('receipts (EIP-712)', () => {
  it('hashes like ethers TypedDataEncoder and signs like Wallet.signTypedData', async () => {
    const domain = typedDataDomain(DOMAIN);
    expect(toHex(receiptDigest(receipt, DOMAIN))).toBe(
      TypedDataEncoder.hash(domain, RECEIPT_TYPES, receiptTypedValue(receipt)),
    );
    const sig = signReceipt(sequencer, receipt, DOMAIN);
    expect(toHex(sig)).toBe(await sequencer.signTypedData(domain, RECEIPT_TYPES, receiptTypedValue(receipt)));
    expect(verifyTypedData(domain, RECEIPT_TYPES, receiptTypedValue(receipt), toHex(sig))).toBe(
      sequencer.address,
    );
    expect(verifyReceipt(receipt, sig, sequencer.address, DOMAIN)).toBe(true);
    expect(verifyReceipt(receipt, sig, sequencer.address.toLowerCase(), DOMAIN)).toBe(true);
    expect(
      verifyReceipt(receipt, signReceipt(sequencer.signingKey, receipt, DOMAIN), sequencer.address, DOMAIN),
    ).toBe(true);
  });

  it('signs the same bytes natively and in JS', () => {
    expect(nativeSigningAvailable()).toBe(true);
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (slot, commitment) => {
          const r = { ...receipt, slot, commitment };
          expect(toHex(signReceipt(sequencer, r, DOMAIN, 'native'))).toBe(
            toHex(signReceipt(sequencer, r, DOMAIN, 'js')),
          );
        },
      ),
      { numRuns: 50 },
    );
    expect(toHex(signSlotOrder(sequencer, order, DOMAIN, 'native'))).toBe(
      toHex(signSlotOrder(sequencer, order, DOMAIN, 'js')),
    );
  });

  it('refuses a wrong signer, another domain or chain, and any altered field', () => {
    const sig = signReceipt(sequencer, receipt, DOMAIN);
    expect(verifyReceipt(receipt, signReceipt(impostor, receipt, DOMAIN), sequencer.address, DOMAIN)).toBe(
      false,
    );
    expect(verifyReceipt(receipt, sig, impostor.address, DOMAIN)).toBe(false);
    const otherChain: MempoolDomain = { ...DOMAIN, chainId: DOMAIN.chainId + 1n };
    const otherDeployment: MempoolDomain = { ...DOMAIN, salt: deploymentSalt('elsewhere') };
    expect(verifyReceipt(receipt, sig, sequencer.address, otherChain)).toBe(false);
    expect(verifyReceipt(receipt, sig, sequencer.address, otherDeployment)).toBe(false);
    for (const altered of [
      { ...receipt, slot: receipt.slot + 1n },
      { ...receipt, position: receipt.position + 1 },
      { ...receipt, commitment: new Uint8Array(32).fill(0xac) },
      { ...receipt, sender: '0x00000000000000000000000000000000000b0b00' },
    ]) {
      expect(verifyReceipt(altered, sig, sequencer.address, DOMAIN)).toBe(false);
    }
  });

  it('refuses malformed and high-s signatures without throwing', () => {
    const sig = signReceipt(sequencer, receipt, DOMAIN);
    expect(verifyReceipt(receipt, sig.subarray(1), sequencer.address, DOMAIN)).toBe(false);
    expect(verifyReceipt(receipt, new Uint8Array(65), sequencer.address, DOMAIN)).toBe(false);
    const badV = sig.slice();
    badV[64] = 5;
    expect(verifyReceipt(receipt, badV, sequencer.address, DOMAIN)).toBe(false);
    // The malleated twin (n - s, flipped v) recovers to the same key; only the low-s form counts.
    const s = Signature.from(toHex(sig));
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const twin = new Uint8Array(65);
    twin.set(fromHex(s.r), 0);
    twin.set(fromHex('0x' + (n - BigInt(s.s)).toString(16).padStart(64, '0')), 32);
    twin[64] = s.v === 27 ? 28 : 27;
    expect(verifyReceipt(receipt, twin, sequencer.address, DOMAIN)).toBe(false);
    expect(verifyReceipt({ ...receipt, commitment: new Uint8Array(3) }, sig, sequencer.address, DOMAIN)).toBe(
      false,
    );
  });

  it('accepts v as 0/1 as well as 27/28', () => {
    const sig = signReceipt(sequencer, receipt, DOMAIN);
    const v01 = sig.slice();
    v01[64] -= 27;
    expect(verifyReceipt(receipt, v01, sequencer.address, DOMAIN)).toBe(true);
  });
});

describe('slot orders (EIP-712)', () => {
  it('hashes like ethers and verifies', async () => {
    const domain = typedDataDomain(DOMAIN);
    expect(toHex(slotOrderDigest(order, DOMAIN))).toBe(
      TypedDataEncoder.hash(domain, SLOT_ORDER_TYPES, slotOrderTypedValue(order)),
    );
    const sig = signSlotOrder(sequencer, order, DOMAIN);
    expect(toHex(sig)).toBe(
      await sequencer.signTypedData(domain, SLOT_ORDER_TYPES, slotOrderTypedValue(order)),
    );
    expect(verifySlotOrder(order, sig, sequencer.address, DOMAIN)).toBe(true);
  });

  it('refuses a wrong signer, domain, chain or field', () => {
    const sig = signSlotOrder(sequencer, order, DOMAIN);
    expect(verifySlotOrder(order, signSlotOrder(impostor, order, DOMAIN), sequencer.address, DOMAIN)).toBe(
      false,
    );
    expect(verifySlotOrder(order, sig, sequencer.address, { ...DOMAIN, chainId: 1n })).toBe(false);
    expect(verifySlotOrder(order, sig, sequencer.address, { ...DOMAIN, salt: deploymentSalt('x') })).toBe(
      false,
    );
    expect(verifySlotOrder({ ...order, count: 3 }, sig, sequencer.address, DOMAIN)).toBe(false);
    expect(verifySlotOrder({ ...order, slot: 1n }, sig, sequencer.address, DOMAIN)).toBe(false);
    expect(verifySlotOrder({ ...order, root: new Uint8Array(32) }, sig, sequencer.address, DOMAIN)).toBe(
      false,
    );
  });

  it('a receipt signature is no order signature (distinct types)', () => {
    const sig = signReceipt(sequencer, receipt, DOMAIN);
    expect(verifySlotOrder(order, sig, sequencer.address, DOMAIN)).toBe(false);
  });
});
