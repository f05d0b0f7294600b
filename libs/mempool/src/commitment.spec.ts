import fc from 'fast-check';
import { AbiCoder, keccak256 as ethersKeccak, type Wallet } from 'ethers';
import { decodeTransaction, InvalidTransactionError, toHex, WrongChainError } from '@sealane/protocol';
import {
  bucketFor,
  COMMITMENT_TAG,
  commitmentOf,
  CommitmentFeeTooLowError,
  CiphertextSizeError,
  decryptTx,
  DecryptionFailedError,
  encryptTx,
  FeeRecipientMismatchError,
  FeeSenderMismatchError,
  generateKey,
  InvalidFeeTransactionError,
  MalformedMessageError,
  openCommitment,
  planCommittedLane,
  validateCommitRequest,
  type CommitRequest,
} from './index';
import { CHAIN_ID, feeTx, FEE_RECIPIENT, RULES, swapTx, wallet } from './mempool.fixture';

let alice: Wallet;
let bob: Wallet;
let fee0: Uint8Array;
let swap1: Uint8Array;
const SLOT = 42n;

beforeAll(async () => {
  alice = wallet(2);
  bob = wallet(3);
  fee0 = await feeTx(alice, 0);
  swap1 = await swapTx(alice, 1);
});

const sealFor = (raw: Uint8Array, key: Uint8Array, sender = alice.address, slot = SLOT): Uint8Array =>
  encryptTx(raw, key, { sender, slot, ...RULES });

describe('commitmentOf', () => {
  it('is keccak256(abi.encode(tag, sender, uint64 slot, keccak256(ciphertext)))', () => {
    const ciphertext = Uint8Array.of(1, 2, 3);
    const expected = ethersKeccak(
      AbiCoder.defaultAbiCoder().encode(
        ['bytes32', 'address', 'uint64', 'bytes32'],
        [COMMITMENT_TAG, alice.address, SLOT, ethersKeccak(ciphertext)],
      ),
    );
    expect(toHex(commitmentOf({ sender: alice.address, slot: SLOT, ciphertext }))).toBe(expected);
    expect(toHex(COMMITMENT_TAG)).toBe(
      ethersKeccak(new TextEncoder().encode('sealane.mempool.commitment.v1')),
    );
  });

  it('binds the sender and the slot: the same ciphertext from another sender is another commitment', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.bigInt({ min: 0n, max: 1000n }),
        (ciphertext, a, b, slot) => {
          fc.pre(toHex(a) !== toHex(b));
          const ca = toHex(commitmentOf({ sender: toHex(a), slot, ciphertext }));
          expect(toHex(commitmentOf({ sender: toHex(b), slot, ciphertext }))).not.toBe(ca);
          expect(toHex(commitmentOf({ sender: toHex(a), slot: slot + 1n, ciphertext }))).not.toBe(ca);
          expect(
            toHex(commitmentOf({ sender: toHex(a).toUpperCase().replace('0X', '0x'), slot, ciphertext })),
          ).toBe(ca);
        },
      ),
    );
  });

  it('a ciphertext copied under another sender does not open either', () => {
    const key = generateKey();
    const c = sealFor(swap1, key);
    expect(() => decryptTx(c, key, { sender: bob.address, slot: SLOT })).toThrow(DecryptionFailedError);
    expect(
      openCommitment({ sender: bob.address, slot: SLOT, ciphertext: c }, key, { chainId: CHAIN_ID }),
    ).toMatchObject({
      ok: false,
      reason: 'decryption-failed',
    });
  });
});

describe('validateCommitRequest', () => {
  const req = (over: Partial<CommitRequest> = {}): CommitRequest => ({
    sender: alice.address,
    slot: SLOT,
    ciphertext: sealFor(swap1, generateKey()),
    feeTx: fee0,
    ...over,
  });

  it('accepts a well-formed request and returns the decoded fee transaction', () => {
    const r = req();
    const v = validateCommitRequest(r, RULES);
    expect(v.sender).toBe(alice.address.toLowerCase());
    expect(v.feeTx.from).toBe(alice.address.toLowerCase());
    expect(v.feeTx.value).toBe(RULES.feeWei);
    expect(v.revealNonce).toBe(1);
    expect(v.bucket).toBe(bucketFor(swap1.length, RULES));
    expect(v.commitment).toEqual(commitmentOf(r));
  });

  it("takes a fee transaction the caller decoded, only if it is the request's own", () => {
    const r = req();
    const decoded = decodeTransaction(r.feeTx);
    expect(validateCommitRequest(r, RULES, decoded)).toEqual(validateCommitRequest(r, RULES));
    // Still checked against the rules: a sender recovered elsewhere must be the committer.
    expect(() => validateCommitRequest(r, RULES, { ...decoded, from: '0x' + '22'.repeat(20) })).toThrow(
      FeeSenderMismatchError,
    );
    const other = decodeTransaction(req({ feeTx: Uint8Array.from(r.feeTx) }).feeTx);
    expect(() => validateCommitRequest(r, RULES, { ...other, raw: Uint8Array.of(1, 2, 3) })).toThrow(
      /not the decoding of this request/,
    );
  });

  it('refuses a ciphertext that is not a bucket size', () => {
    const c = req().ciphertext;
    expect(() => validateCommitRequest(req({ ciphertext: c.subarray(1) }), RULES)).toThrow(
      CiphertextSizeError,
    );
    expect(() => validateCommitRequest(req({ ciphertext: new Uint8Array(0) }), RULES)).toThrow(
      CiphertextSizeError,
    );
  });

  it('refuses a fee below the commitment fee', async () => {
    const cheap = await feeTx(alice, 0, { value: RULES.feeWei - 1n });
    expect(() => validateCommitRequest(req({ feeTx: cheap }), RULES)).toThrow(CommitmentFeeTooLowError);
  });

  it('refuses a fee transaction from someone else', async () => {
    const other = await feeTx(bob, 0);
    expect(() => validateCommitRequest(req({ feeTx: other }), RULES)).toThrow(FeeSenderMismatchError);
  });

  it('refuses a fee transaction to someone else, on another chain, or undecodable', async () => {
    const elsewhere = await feeTx(alice, 0, { to: bob.address });
    expect(() => validateCommitRequest(req({ feeTx: elsewhere }), RULES)).toThrow(FeeRecipientMismatchError);
    const otherChain = await feeTx(alice, 0, { chainId: 1n });
    expect(() => validateCommitRequest(req({ feeTx: otherChain }), RULES)).toThrow(WrongChainError);
    expect(() => validateCommitRequest(req({ feeTx: Uint8Array.of(2, 0xc0) }), RULES)).toThrow(
      InvalidTransactionError,
    );
  });

  it('refuses a fee transaction that is not a plain transfer', async () => {
    const withData = await feeTx(alice, 0, { data: '0x01', gasLimit: 30_000n });
    expect(() => validateCommitRequest(req({ feeTx: withData }), RULES)).toThrow(InvalidFeeTransactionError);
    const hungry = await feeTx(alice, 0, { gasLimit: 1_000_000n });
    expect(() => validateCommitRequest(req({ feeTx: hungry }), RULES)).toThrow(InvalidFeeTransactionError);
    const starving = await feeTx(alice, 0, { gasLimit: 20_999n });
    expect(() => validateCommitRequest(req({ feeTx: starving }), RULES)).toThrow(InvalidFeeTransactionError);
  });

  it('refuses a malformed sender or slot', () => {
    expect(() => validateCommitRequest(req({ sender: '0x1234' }), RULES)).toThrow(MalformedMessageError);
    expect(() => validateCommitRequest(req({ slot: -1n }), RULES)).toThrow(MalformedMessageError);
    expect(() => validateCommitRequest(req({ slot: 1n << 64n }), RULES)).toThrow(MalformedMessageError);
  });

  it('takes the fee recipient in any case', () => {
    expect(() =>
      validateCommitRequest(req(), {
        ...RULES,
        feeRecipient: FEE_RECIPIENT.toUpperCase().replace('0X', '0x'),
      }),
    ).not.toThrow();
  });
});

describe('openCommitment', () => {
  const open = (raw: Uint8Array, opts: { sender?: string; key?: Uint8Array; feeNonce?: number } = {}) => {
    const key = generateKey();
    const c = sealFor(raw, key, opts.sender ?? alice.address);
    return openCommitment(
      { sender: opts.sender ?? alice.address, slot: SLOT, ciphertext: c },
      opts.key ?? key,
      {
        chainId: CHAIN_ID,
        feeNonce: opts.feeNonce,
      },
    );
  };

  it('opens a valid reveal to the decoded transaction', () => {
    const r = open(swap1, { feeNonce: 0 });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.tx.hash).toBe(decodeTransaction(swap1).hash);
  });

  it('gives a reason for every reveal it cannot use', async () => {
    expect(open(swap1, { key: generateKey() })).toMatchObject({ ok: false, reason: 'decryption-failed' });
    expect(open(swap1, { key: new Uint8Array(3) })).toMatchObject({ ok: false, reason: 'decryption-failed' });
    expect(open(Uint8Array.of(1, 2, 3))).toMatchObject({ ok: false, reason: 'undecodable' });
    expect(open(await swapTx(alice, 1, { chainId: 1n }))).toMatchObject({ ok: false, reason: 'wrong-chain' });
    expect(open(await swapTx(bob, 1))).toMatchObject({ ok: false, reason: 'wrong-sender' });
    expect(open(await swapTx(alice, 5), { feeNonce: 0 })).toMatchObject({ ok: false, reason: 'wrong-nonce' });
  });
});

describe('planCommittedLane', () => {
  it('places each fee transaction, then its revealed transaction, in position order', async () => {
    const users = [wallet(10), wallet(11), wallet(12), wallet(13)];
    const fees = await Promise.all(users.map((u) => feeTx(u, 0)));
    const hidden = await Promise.all(users.map((u, i) => swapTx(u, i === 3 ? 7 : 1)));
    const opened = (i: number) => ({ ok: true as const, tx: decodeTransaction(hidden[i]) });
    const plan = planCommittedLane([
      { position: 2, feeTx: decodeTransaction(fees[2]) },
      { position: 0, feeTx: decodeTransaction(fees[0]), opened: opened(0) },
      {
        position: 1,
        feeTx: decodeTransaction(fees[1]),
        opened: { ok: false, reason: 'wrong-sender', detail: '' },
      },
      { position: 3, feeTx: decodeTransaction(fees[3]), opened: opened(3) },
    ]);
    expect(plan.txs.map(toHex)).toEqual([fees[0], hidden[0], fees[1], fees[2], fees[3]].map(toHex));
    expect(plan.placements).toEqual([
      { position: 0, feeOffset: 0, txOffset: 1, revealed: true },
      { position: 1, feeOffset: 2, skip: 'wrong-sender', revealed: true },
      { position: 2, feeOffset: 3, revealed: false },
      { position: 3, feeOffset: 4, skip: 'wrong-nonce', revealed: true },
    ]);
  });

  it('refuses two entries at one position', async () => {
    const f = decodeTransaction(await feeTx(alice, 0));
    expect(() =>
      planCommittedLane([
        { position: 0, feeTx: f },
        { position: 0, feeTx: f },
      ]),
    ).toThrow(MalformedMessageError);
  });
});
