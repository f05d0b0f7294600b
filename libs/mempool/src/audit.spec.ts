import { keccak256, toHex } from '@sealane/protocol';
import {
  auditSlot,
  buildSlotOrder,
  commitmentOf,
  encryptTx,
  generateKey,
  OrderMismatchError,
  signReceipt,
  signSlotOrder,
  toJsonValue,
  type AuditInput,
  type CommitmentOutcome,
  type SignedReceipt,
  type ViolationKind,
} from './index';
import { DOMAIN, feeTx, RULES, signTx, swapTx, wallet } from './mempool.fixture';

const SLOT = 500n;
const sequencer = wallet(1);
const impostor = wallet(9);
const users = [20, 21, 22, 23, 24].map(wallet);
const h = (raw: Uint8Array): Uint8Array => keccak256(raw);

interface Committed {
  sender: string;
  ciphertext: Uint8Array;
  key: Uint8Array;
  fee: Uint8Array;
  hidden: Uint8Array;
  commitment: Uint8Array;
}

let committed: Committed[];
let receipts: SignedReceipt[];
let winner: Uint8Array;
let publicTx: Uint8Array;
let front: Uint8Array;
let back: Uint8Array;

beforeAll(async () => {
  committed = [];
  for (const [i, u] of users.entries()) {
    // User 3 seals a transaction signed by someone else: it must be skipped as 'wrong-sender'.
    const hidden = i === 3 ? await swapTx(wallet(30), 1) : await swapTx(u, 1);
    const key = generateKey();
    const ciphertext = encryptTx(hidden, key, { sender: u.address, slot: SLOT, ...RULES });
    committed.push({
      sender: u.address.toLowerCase(),
      ciphertext,
      key,
      fee: await feeTx(u, 0),
      hidden,
      commitment: commitmentOf({ sender: u.address, slot: SLOT, ciphertext }),
    });
  }
  receipts = committed.map((c, position) => {
    const receipt = { slot: SLOT, position, commitment: c.commitment, sender: c.sender };
    return { receipt, signature: signReceipt(sequencer, receipt, DOMAIN) };
  });
  const searcher = wallet(40);
  winner = h(await signTx(searcher, { nonce: 0, to: searcher.address }));
  publicTx = h(await signTx(wallet(41), { nonce: 0, to: searcher.address }));
  front = h(await signTx(searcher, { nonce: 1, to: searcher.address }));
  back = h(await signTx(searcher, { nonce: 2, to: searcher.address }));
});

const evidence = (i: number, withKey = true) => ({
  position: i,
  commitment: committed[i].commitment,
  sender: committed[i].sender,
  ciphertext: committed[i].ciphertext,
  feeTx: committed[i].fee,
  ...(withKey ? { key: committed[i].key } : {}),
});

/** The honest slot: 0 and 1 included, 2 not revealed, 3 skipped (wrong sender), 4 rejected by the engine. */
function honest(): AuditInput {
  const c = committed;
  const commitments = c.map((x) => x.commitment);
  const order = buildSlotOrder(SLOT, commitments);
  const outcomes: CommitmentOutcome[] = [
    { ...evidence(0), status: 'included', index: 2, txHash: h(c[0].hidden) },
    { ...evidence(1), status: 'included', index: 4, txHash: h(c[1].hidden) },
    { ...evidence(2, false), status: 'not-revealed' },
    { ...evidence(3), status: 'skipped', reason: 'wrong-sender' },
    { ...evidence(4), status: 'skipped', reason: 'execution-rejected' },
  ];
  return {
    sequencer: sequencer.address,
    domain: DOMAIN,
    order: { order, signature: signSlotOrder(sequencer, order, DOMAIN) },
    commitments,
    receipts,
    block: {
      txHashes: [
        winner,
        h(c[0].fee),
        h(c[0].hidden),
        h(c[1].fee),
        h(c[1].hidden),
        h(c[2].fee),
        h(c[3].fee),
        h(c[4].fee),
        publicTx,
      ],
    },
    outcomes,
    topOfBlock: [winner],
  };
}

const kinds = (input: AuditInput): ViolationKind[] => auditSlot(input).violations.map((v) => v.kind);
const withOutcome = (input: AuditInput, pos: number, o: CommitmentOutcome): AuditInput => ({
  ...input,
  outcomes: input.outcomes.map((x) => (x.position === pos ? o : x)),
});

describe('auditSlot', () => {
  it('finds nothing wrong with an honest slot, and lists engine-side skips as unverified', () => {
    const r = auditSlot(honest());
    expect(r.violations).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.unverified).toEqual([{ position: 4, reason: 'execution-rejected' }]);
    expect(r.rejectedReceipts).toEqual([]);
    expect(r.notes).toEqual([]);
  });

  it('catches a swapped pair, with both signed receipts as proof', () => {
    const input = honest();
    const c = committed;
    const swapped: AuditInput = {
      ...input,
      block: {
        txHashes: [
          winner,
          h(c[1].fee),
          h(c[1].hidden),
          h(c[0].fee),
          h(c[0].hidden),
          ...input.block.txHashes.slice(5),
        ],
      },
      outcomes: input.outcomes.map((o) =>
        o.position === 0 ? { ...o, index: 4 } : o.position === 1 ? { ...o, index: 2 } : o,
      ) as CommitmentOutcome[],
    };
    const r = auditSlot(swapped);
    expect(r.violations.map((v) => v.kind)).toEqual(['out-of-order']);
    const v = r.violations[0];
    expect(v.position).toBe(1);
    expect(v.receipt).toBe(receipts[1]);
    expect(v.evidence.otherPosition).toBe(0);
    expect(v.evidence.otherReceipt).toBe(receipts[0]);
  });

  it('catches swapped transactions even when the fee transactions stay in place', () => {
    const input = honest();
    const c = committed;
    const tx = [...input.block.txHashes];
    [tx[2], tx[4]] = [tx[4], tx[2]];
    const found = kinds({ ...input, block: { txHashes: tx } });
    expect(found).toContain('included-tx-missing');
    expect(found).toContain('out-of-order');
    // Outcomes telling the truth about where they are still show the swap.
    const truthful = {
      ...input,
      block: { txHashes: tx },
      outcomes: input.outcomes.map((o) =>
        o.position === 0 ? { ...o, index: 4 } : o.position === 1 ? { ...o, index: 2 } : o,
      ) as CommitmentOutcome[],
    };
    expect(kinds(truthful)).toEqual(expect.arrayContaining(['fee-misplaced', 'out-of-order']));
    expect(h(c[0].hidden)).toEqual(truthful.block.txHashes[4]);
  });

  it('catches an included transaction missing from the block', () => {
    const input = honest();
    const tx = input.block.txHashes.filter((_, i) => i !== 4);
    const r = auditSlot({ ...input, block: { txHashes: tx } });
    expect(r.violations.map((v) => v.kind)).toContain('included-tx-missing');
    const v = r.violations.find((x) => x.kind === 'included-tx-missing');
    expect(v?.receipt).toBe(receipts[1]);
    expect(v?.evidence.expectedTxHash).toEqual(h(committed[1].hidden));
    expect(v?.evidence.otherBlockIndex).toBeUndefined();
  });

  it('catches an unjustified skip: the published key opens to a valid transaction', () => {
    const input = honest();
    const tx = input.block.txHashes.filter((_, i) => i !== 4);
    const r = auditSlot(
      withOutcome({ ...input, block: { txHashes: tx } }, 1, {
        ...evidence(1),
        status: 'skipped',
        reason: 'decryption-failed',
      }),
    );
    expect(r.violations.map((v) => v.kind)).toEqual(['unjustified-skip']);
    expect(r.violations[0].evidence).toMatchObject({
      claimedReason: 'decryption-failed',
      actualReason: 'opens',
    });
    expect(r.violations[0].receipt).toBe(receipts[1]);
  });

  it('catches a skip claimed with the wrong reason or without the key to show it', () => {
    const input = honest();
    expect(
      kinds(withOutcome(input, 3, { ...evidence(3), status: 'skipped', reason: 'wrong-chain' })),
    ).toEqual(['unjustified-skip']);
    expect(
      kinds(withOutcome(input, 3, { ...evidence(3, false), status: 'skipped', reason: 'wrong-sender' })),
    ).toEqual(['unjustified-skip']);
  });

  it('catches a sandwich inside the committed lane', () => {
    const input = honest();
    const t = input.block.txHashes;
    const sandwiched: AuditInput = {
      ...input,
      block: { txHashes: [t[0], t[1], front, t[2], back, ...t.slice(3)] },
      outcomes: input.outcomes.map((o) =>
        o.position === 0 ? { ...o, index: 3 } : o.position === 1 ? { ...o, index: 6 } : o,
      ) as CommitmentOutcome[],
    };
    const r = auditSlot(sandwiched);
    expect(r.violations.map((v) => v.kind).sort()).toEqual([
      'fee-misplaced',
      'foreign-tx-in-lane',
      'foreign-tx-in-lane',
    ]);
    expect(
      r.violations.filter((v) => v.kind === 'foreign-tx-in-lane').map((v) => v.evidence.blockTxHash),
    ).toEqual([front, back]);
  });

  it('catches a transaction put between the auction winners and the lane', () => {
    const input = honest();
    const t = input.block.txHashes;
    const displaced: AuditInput = {
      ...input,
      block: { txHashes: [t[0], front, ...t.slice(1)] },
      outcomes: input.outcomes.map((o) => (o.status === 'included' ? { ...o, index: o.index + 1 } : o)),
    };
    expect(kinds(displaced)).toEqual(['lane-displaced']);
  });

  it('catches a receipt the order contradicts', () => {
    const input = honest();
    const reordered = [committed[1], committed[0], ...committed.slice(2)].map((c) => c.commitment);
    const order = buildSlotOrder(SLOT, reordered);
    const r = auditSlot({
      ...input,
      commitments: reordered,
      order: { order, signature: signSlotOrder(sequencer, order, DOMAIN) },
      outcomes: [],
    });
    const mismatches = r.violations.filter((v) => v.kind === 'receipt-not-in-order');
    expect(mismatches.map((v) => v.receipt)).toEqual([receipts[0], receipts[1]]);
    expect(mismatches[0].evidence.orderCommitment).toEqual(committed[1].commitment);
  });

  it('catches a missing fee transaction, a missing outcome and inconsistent evidence', () => {
    const input = honest();
    const noFee = { ...input, block: { txHashes: input.block.txHashes.filter((_, i) => i !== 5) } };
    expect(kinds(noFee)).toEqual(['fee-missing']);
    const r = auditSlot({ ...input, outcomes: input.outcomes.filter((o) => o.position !== 2) });
    expect(r.violations.map((v) => v.kind)).toEqual(['missing-outcome']);
    expect(r.notes.length).toBe(1);
    const wrongCiphertext = withOutcome(input, 0, {
      ...evidence(0),
      ciphertext: committed[1].ciphertext,
      status: 'included',
      index: 2,
      txHash: h(committed[0].hidden),
    });
    expect(kinds(wrongCiphertext)).toEqual(['bad-evidence']);
    const foreignOutcome = {
      ...input,
      outcomes: [...input.outcomes, { ...evidence(0), position: 7, status: 'not-revealed' as const }],
    };
    expect(kinds(foreignOutcome)).toEqual(['outcome-mismatch']);
  });

  it('ignores forged receipts and receipts of other slots', () => {
    const input = honest();
    const forged = {
      receipt: { ...receipts[0].receipt, position: 3 },
      signature: signReceipt(impostor, { ...receipts[0].receipt, position: 3 }, DOMAIN),
    };
    const otherSlotReceipt = { ...receipts[0].receipt, slot: SLOT + 1n };
    const other = { receipt: otherSlotReceipt, signature: signReceipt(sequencer, otherSlotReceipt, DOMAIN) };
    const r = auditSlot({ ...input, receipts: [...receipts, forged, other] });
    expect(r.ok).toBe(true);
    expect(r.rejectedReceipts.map((x) => x.why)).toEqual(['bad-signature', 'other-slot']);
  });

  it('refuses an order the sequencer did not sign, or a list that does not match it', () => {
    const input = honest();
    expect(() =>
      auditSlot({
        ...input,
        order: { ...input.order, signature: signSlotOrder(impostor, input.order.order, DOMAIN) },
      }),
    ).toThrow(OrderMismatchError);
    expect(() => auditSlot({ ...input, commitments: input.commitments.slice().reverse() })).toThrow(
      OrderMismatchError,
    );
    expect(() => auditSlot({ ...input, commitments: input.commitments.slice(1) })).toThrow(
      OrderMismatchError,
    );
  });

  it('prints a violation as JSON proof: signed receipt, signed order and block evidence', () => {
    const input = honest();
    const tx = input.block.txHashes.filter((_, i) => i !== 4);
    const r = auditSlot({ ...input, block: { txHashes: tx } });
    const json = JSON.parse(JSON.stringify(toJsonValue(r)));
    expect(json.slot).toBe('0x1f4');
    expect(json.order.signature).toBe(toHex(input.order.signature));
    const v = json.violations[0];
    expect(v.kind).toBe('included-tx-missing');
    expect(v.commitment).toBe(toHex(committed[1].commitment));
    expect(v.receipt.signature).toBe(toHex(receipts[1].signature));
    expect(v.receipt.receipt.position).toBe(1);
    expect(v.evidence.expectedTxHash).toBe(toHex(h(committed[1].hidden)));
  });
});
