import fc from 'fast-check';
import type { Wallet } from 'ethers';
import { toHex } from '@sealane/protocol';
import {
  buildSlotOrder,
  checkCommitReceipt,
  checkPublishedOrder,
  commitRequestFromJson,
  commitRequestToJson,
  decryptTx,
  MalformedMessageError,
  OrderMismatchError,
  openCommitment,
  orderTree,
  PlaintextTooLargeError,
  prepareCommit,
  ReceiptMismatchError,
  RevealRejectedError,
  revealRequestFromJson,
  revealRequestOf,
  revealRequestToJson,
  signedReceiptFromJson,
  signedReceiptToJson,
  signedSlotOrderFromJson,
  signedSlotOrderToJson,
  signReceipt,
  signSlotOrder,
  validateCommitRequest,
  CommitmentFeeTooLowError,
  type PreparedCommit,
  type SequencerTrust,
} from './index';
import { CHAIN_ID, DOMAIN, feeTx, RULES, swapTx, wallet } from './mempool.fixture';

const SLOT = 77n;
const sequencer = wallet(1);
const trust: SequencerTrust = { sequencer: sequencer.address, domain: DOMAIN };
let alice: Wallet;
let prepared: PreparedCommit;
let fee: Uint8Array;
let swap: Uint8Array;

beforeAll(async () => {
  alice = wallet(2);
  fee = await feeTx(alice, 4);
  swap = await swapTx(alice, 5);
  prepared = prepareCommit({ signedTx: swap, feeTx: fee, sender: alice.address, slot: SLOT, params: RULES });
});

/** What the gateway does with a commit: validate, place, sign. */
function sequencerReceipt(p: PreparedCommit, position: number) {
  const v = validateCommitRequest(
    commitRequestFromJson(JSON.parse(JSON.stringify(commitRequestToJson(p.request)))),
    RULES,
  );
  const receipt = { slot: v.slot, position, commitment: v.commitment, sender: v.sender };
  return signedReceiptFromJson(
    signedReceiptToJson({ receipt, signature: signReceipt(sequencer, receipt, DOMAIN) }),
  );
}

describe('prepareCommit', () => {
  it('seals the transaction so that the sequencer accepts it and the key opens it', () => {
    expect(prepared.key.length).toBe(32);
    expect(
      decryptTx(prepared.request.ciphertext, prepared.key, { sender: alice.address, slot: SLOT }),
    ).toEqual(swap);
    const v = validateCommitRequest(prepared.request, RULES);
    expect(v.commitment).toEqual(prepared.commitment);
    const opened = openCommitment(prepared.request, prepared.key, {
      chainId: CHAIN_ID,
      feeNonce: v.feeTx.nonce,
    });
    expect(opened.ok && toHex(opened.tx.raw)).toBe(toHex(swap));
  });

  it('refuses what would be skipped or refused, before any fee is paid', async () => {
    const base = { feeTx: fee, sender: alice.address, slot: SLOT, params: RULES };
    const reason = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        if (e instanceof RevealRejectedError) return e.reason;
        throw e;
      }
      return undefined;
    };
    expect(reason(() => prepareCommit({ ...base, signedTx: swap.subarray(0, 5) }))).toBe('undecodable');
    const [otherChain, bobs, gap] = await Promise.all([
      swapTx(alice, 5, { chainId: 1n }),
      swapTx(wallet(3), 5),
      swapTx(alice, 6),
    ]);
    expect(reason(() => prepareCommit({ ...base, signedTx: otherChain }))).toBe('wrong-chain');
    expect(reason(() => prepareCommit({ ...base, signedTx: bobs }))).toBe('wrong-sender');
    expect(reason(() => prepareCommit({ ...base, signedTx: gap }))).toBe('wrong-nonce');
    const cheap = await feeTx(alice, 4, { value: 1n });
    expect(() => prepareCommit({ ...base, feeTx: cheap, signedTx: swap })).toThrow(CommitmentFeeTooLowError);
    const huge = await swapTx(alice, 5, { data: '0x' + '11'.repeat(RULES.maxBytes) });
    expect(() => prepareCommit({ ...base, signedTx: huge })).toThrow(PlaintextTooLargeError);
  });
});

describe('checkCommitReceipt', () => {
  it('accepts the sequencer receipt for this commitment', () => {
    const signed = sequencerReceipt(prepared, 3);
    expect(checkCommitReceipt(prepared, signed, trust)).toEqual(signed.receipt);
  });

  it('refuses a receipt from someone else, or for another commitment, sender or slot', () => {
    const signed = sequencerReceipt(prepared, 3);
    const forged = { ...signed, signature: signReceipt(wallet(9), signed.receipt, DOMAIN) };
    expect(() => checkCommitReceipt(prepared, forged, trust)).toThrow(ReceiptMismatchError);
    for (const receipt of [
      { ...signed.receipt, slot: SLOT + 1n },
      { ...signed.receipt, sender: wallet(3).address.toLowerCase() },
      { ...signed.receipt, commitment: new Uint8Array(32) },
    ]) {
      expect(() =>
        checkCommitReceipt(prepared, { receipt, signature: signReceipt(sequencer, receipt, DOMAIN) }, trust),
      ).toThrow(ReceiptMismatchError);
    }
  });
});

describe('checkPublishedOrder', () => {
  const others = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(32).fill(3)];

  it('passes when the signed order holds the commitment at the receipted position', () => {
    const list = [...others.slice(0, 2), prepared.commitment, others[2]];
    const order = buildSlotOrder(SLOT, list);
    const json = signedSlotOrderToJson({ order, signature: signSlotOrder(sequencer, order, DOMAIN) }, list);
    const { signed, commitments } = signedSlotOrderFromJson(JSON.parse(JSON.stringify(json)));
    const receipt = sequencerReceipt(prepared, 2).receipt;
    expect(() =>
      checkPublishedOrder(receipt, signed, orderTree(SLOT, commitments ?? []).proof(2), trust),
    ).not.toThrow();
  });

  it('refuses an order that moved the commitment or is not signed by the sequencer', () => {
    const receipt = sequencerReceipt(prepared, 2).receipt;
    const moved = [prepared.commitment, ...others];
    const order = buildSlotOrder(SLOT, moved);
    const signed = { order, signature: signSlotOrder(sequencer, order, DOMAIN) };
    expect(() => checkPublishedOrder(receipt, signed, orderTree(SLOT, moved).proof(2), trust)).toThrow(
      OrderMismatchError,
    );
    try {
      checkPublishedOrder(receipt, signed, orderTree(SLOT, moved).proof(2), trust);
    } catch (e) {
      expect((e as OrderMismatchError).data).toEqual({ problem: 'not-at-position' });
    }
    const right = [...others.slice(0, 2), prepared.commitment, others[2]];
    const o2 = buildSlotOrder(SLOT, right);
    const forged = { order: o2, signature: signSlotOrder(wallet(9), o2, DOMAIN) };
    expect(() => checkPublishedOrder(receipt, forged, orderTree(SLOT, right).proof(2), trust)).toThrow(
      OrderMismatchError,
    );
  });
});

describe('wire forms', () => {
  it('round-trip commit requests, receipts, orders and reveals', () => {
    expect(commitRequestFromJson(commitRequestToJson(prepared.request))).toEqual({
      ...prepared.request,
      sender: alice.address.toLowerCase(),
    });
    const reveal = revealRequestOf(prepared);
    expect(revealRequestFromJson(revealRequestToJson(reveal))).toEqual(reveal);
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 65, maxLength: 65 }),
        (slot, position, commitment, signature) => {
          const s = { receipt: { slot, position, commitment, sender: '0x' + 'ab'.repeat(20) }, signature };
          expect(signedReceiptFromJson(signedReceiptToJson(s))).toEqual(s);
          const o = { order: { slot, count: position, root: commitment }, signature };
          expect(signedSlotOrderFromJson(signedSlotOrderToJson(o))).toEqual({ signed: o });
        },
      ),
    );
  });

  it('refuses malformed messages', () => {
    const good = commitRequestToJson(prepared.request);
    for (const bad of [
      null,
      [],
      { ...good, sender: 'alice' },
      { ...good, slot: '12' },
      { ...good, slot: '0x01' },
      { ...good, slot: '0x10000000000000000' },
      { ...good, ciphertext: '0xabc' },
      { ...good, feeTx: 42 },
    ]) {
      expect(() => commitRequestFromJson(bad)).toThrow(MalformedMessageError);
    }
    expect(() => revealRequestFromJson({ commitment: toHex(prepared.commitment), key: '0x00' })).toThrow(
      MalformedMessageError,
    );
    expect(() =>
      signedReceiptFromJson({
        ...signedReceiptToJson(sequencerReceipt(prepared, 0)),
        position: '0x100000000',
      }),
    ).toThrow(MalformedMessageError);
    expect(() =>
      signedSlotOrderFromJson({
        slot: '0x1',
        count: '0x0',
        root: toHex(new Uint8Array(32)),
        signature: toHex(new Uint8Array(65)),
        commitments: 'x',
      }),
    ).toThrow(MalformedMessageError);
  });
});
