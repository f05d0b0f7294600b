/**
 * The pure part of `sealane audit`: given the signed slot order and the published list behind it,
 * the receipts someone holds, the sealed block's transaction hashes and the sequencer's recorded
 * outcome of each commitment, list every way the block departs from the committed order.
 *
 * The layout checked is planCommittedLane's: for each position in order, the fee transaction,
 * then (if included) the revealed transaction right after it; nothing foreign in between. A skip
 * whose reason follows from public data (CHECKABLE_SKIP_REASONS) must come with the revealed key,
 * and re-opening the commitment must give the same reason; 'fee-failed' and 'execution-rejected'
 * depend on chain state and are listed as unverified.
 *
 * Receipts and the order are signed by the sequencer and the block is sealed on L2 and posted to
 * L1, so each violation that names a receipt or the order is a signed proof of misbehaviour.
 * Outcomes are the sequencer's unsigned claims: they say where to look, never what is true.
 */
import { keccak256, toHex } from '@sealane/protocol';
import { evidenceOf } from './audit-evidence';
import type {
  AuditEvidence,
  AuditInput,
  AuditReport,
  CommitmentOutcome,
  Violation,
  ViolationKind,
} from './audit-report';
import { equalBytes } from './encoding';
import { OrderMismatchError } from './mempool.error';
import { orderRoot } from './order';
import { CHECKABLE_SKIP_REASONS } from './skip-reason';
import { verifyReceipt, verifySlotOrder, type SignedReceipt } from './signatures';

const hex = (b: Uint8Array): string => toHex(b);

/** Throws OrderMismatchError if the order is not the sequencer's or the list does not match it. */
export function auditSlot(input: AuditInput): AuditReport {
  const { order: signedOrder, domain, commitments } = input;
  const order = signedOrder.order;
  if (!verifySlotOrder(order, signedOrder.signature, input.sequencer, domain)) {
    throw new OrderMismatchError('the slot order is not signed by the sequencer in this domain');
  }
  if (commitments.length !== order.count || !equalBytes(orderRoot(order.slot, commitments), order.root)) {
    throw new OrderMismatchError('the published commitments do not match the signed order root');
  }
  const violations: Violation[] = [];
  const rejectedReceipts: AuditReport['rejectedReceipts'] = [];
  const unverified: AuditReport['unverified'] = [];
  const notes: string[] = [];

  // Receipts: keep the ones that agree with the order, report the signed ones that do not.
  const held = new Map<number, SignedReceipt>();
  for (const signed of input.receipts) {
    const r = signed.receipt;
    if (!verifyReceipt(r, signed.signature, input.sequencer, domain)) {
      rejectedReceipts.push({ signed, why: 'bad-signature' });
      continue;
    }
    if (r.slot !== order.slot) {
      rejectedReceipts.push({ signed, why: 'other-slot' });
      continue;
    }
    const there = commitments[r.position];
    if (there === undefined || !equalBytes(there, r.commitment)) {
      violations.push({
        kind: 'receipt-not-in-order',
        position: r.position,
        commitment: r.commitment,
        receipt: signed,
        detail:
          there === undefined
            ? `receipt for position ${r.position}, the order has ${order.count} commitments`
            : `receipt for position ${r.position} names ${hex(r.commitment)}, the order has ${hex(there)}`,
        evidence: there === undefined ? {} : { orderCommitment: there },
      });
    } else {
      held.set(r.position, signed);
    }
  }
  const v = (kind: ViolationKind, position: number, detail: string, evidence: AuditEvidence = {}): void => {
    violations.push({
      kind,
      position,
      commitment: commitments[position],
      receipt: held.get(position),
      detail,
      evidence,
    });
  };

  // Outcomes: exactly one per position, naming the order's commitment.
  const outcomes = new Map<number, CommitmentOutcome>();
  for (const o of input.outcomes) {
    const there = commitments[o.position];
    if (there === undefined || !equalBytes(there, o.commitment)) {
      violations.push({
        kind: 'outcome-mismatch',
        position: o.position,
        commitment: o.commitment,
        receipt: held.get(o.position),
        detail: `an outcome for ${hex(o.commitment)} at position ${o.position}, which the order does not hold`,
        evidence: there === undefined ? {} : { orderCommitment: there },
      });
    } else if (outcomes.has(o.position)) {
      v('outcome-mismatch', o.position, `two outcomes for position ${o.position}`);
    } else {
      outcomes.set(o.position, o);
    }
  }

  const blockIndex = new Map<string, number>();
  input.block.txHashes.forEach((h, i) => {
    const k = hex(h);
    if (!blockIndex.has(k)) blockIndex.set(k, i);
  });
  const txAt = (i: number): Uint8Array | undefined => input.block.txHashes[i];
  const chainId = domain.chainId;

  // Per position: where its fee and transaction stand, in lane order.
  const lane: { position: number; indices: number[] }[] = [];
  const laneIndices = new Set<number>();
  let laneComplete = true;
  for (let pos = 0; pos < order.count; pos++) {
    const o = outcomes.get(pos);
    if (!o) {
      v('missing-outcome', pos, `no outcome recorded for position ${pos}`);
      laneComplete = false;
      continue;
    }
    const ev = evidenceOf(o, order.slot, chainId, (kind, detail, e) => v(kind, pos, detail, e));
    const indices: number[] = [];
    const feeIndex = ev.feeHash === undefined ? undefined : blockIndex.get(hex(ev.feeHash));
    const feeExpected = !(o.status === 'skipped' && o.reason === 'fee-failed');
    if (ev.feeHash === undefined && feeExpected) laneComplete = false;

    if (o.status === 'included') {
      const at = txAt(o.index);
      if (at === undefined || !equalBytes(at, o.txHash)) {
        const found = blockIndex.get(hex(o.txHash));
        v(
          'included-tx-missing',
          pos,
          `recorded as included at index ${o.index}, the block has another transaction there`,
          {
            blockIndex: o.index,
            blockTxHash: at,
            expectedTxHash: o.txHash,
            otherBlockIndex: found,
          },
        );
        if (found !== undefined) indices.push(found);
      } else {
        indices.push(o.index);
      }
      if (ev.opened && !ev.opened.ok) {
        v(
          'bad-evidence',
          pos,
          `included, but its revealed key gives '${ev.opened.reason}': ${ev.opened.detail}`,
          {
            actualReason: ev.opened.reason,
          },
        );
      } else if (ev.opened?.ok && !equalBytes(keccak256(ev.opened.tx.raw), o.txHash)) {
        v('bad-evidence', pos, 'the revealed transaction is not the one recorded as included', {
          expectedTxHash: keccak256(ev.opened.tx.raw),
          blockTxHash: o.txHash,
        });
      }
      if (ev.feeHash !== undefined) {
        const prev = txAt(o.index - 1);
        if (prev === undefined || !equalBytes(prev, ev.feeHash)) {
          v('fee-misplaced', pos, `the transaction at ${o.index} is not right after its fee transaction`, {
            blockIndex: o.index - 1,
            blockTxHash: prev,
            expectedTxHash: ev.feeHash,
            otherBlockIndex: feeIndex,
          });
        }
      }
    } else if (o.status === 'skipped') {
      if (!CHECKABLE_SKIP_REASONS.has(o.reason)) {
        unverified.push({ position: pos, reason: o.reason });
      } else if (!ev.opened) {
        v(
          'unjustified-skip',
          pos,
          `skipped as '${o.reason}' without the key, sender, ciphertext${o.reason === 'wrong-nonce' ? ' and fee transaction' : ''} to show it`,
          {
            claimedReason: o.reason,
          },
        );
      } else {
        const actual = ev.opened.ok ? 'opens' : ev.opened.reason;
        if (actual !== o.reason) {
          v('unjustified-skip', pos, `skipped as '${o.reason}', but re-opening gives '${actual}'`, {
            claimedReason: o.reason,
            actualReason: actual,
          });
        }
      }
    }

    if (o.status !== 'included' && feeExpected && ev.feeHash !== undefined && feeIndex === undefined) {
      v('fee-missing', pos, 'the fee transaction was not executed', { expectedTxHash: ev.feeHash });
    }
    if (feeIndex !== undefined) indices.unshift(feeIndex);
    for (const i of indices) laneIndices.add(i);
    lane.push({ position: pos, indices });
  }

  // Relative order: each position's transactions stand after the previous position's. Comparing
  // neighbours finds any inversion and names a single displaced commitment only once.
  let prev: { position: number; max: number } | undefined;
  for (const entry of lane) {
    if (entry.indices.length === 0) continue;
    const min = Math.min(...entry.indices);
    if (prev && min <= prev.max) {
      v(
        'out-of-order',
        entry.position,
        `position ${entry.position} stands at ${min}, before position ${prev.position} at ${prev.max}`,
        {
          blockIndex: min,
          otherPosition: prev.position,
          otherReceipt: held.get(prev.position),
          otherBlockIndex: prev.max,
        },
      );
    }
    prev = { position: entry.position, max: Math.max(...entry.indices) };
  }

  // Contiguity and place of the lane: only when every fee transaction is known.
  if (laneIndices.size > 0 && laneComplete) {
    const sorted = [...laneIndices].sort((a, b) => a - b);
    for (let i = sorted[0]; i <= sorted[sorted.length - 1]; i++) {
      if (!laneIndices.has(i)) {
        violations.push({
          kind: 'foreign-tx-in-lane',
          detail: `index ${i} is inside the committed lane and belongs to no commitment`,
          evidence: { blockIndex: i, blockTxHash: txAt(i) },
        });
      }
    }
    if (input.topOfBlock) {
      const top = input.topOfBlock;
      const topOk = top.every((h, i) => {
        const at = txAt(i);
        return at !== undefined && equalBytes(at, h);
      });
      if (!topOk || sorted[0] !== top.length) {
        violations.push({
          kind: 'lane-displaced',
          detail: `the committed lane starts at ${sorted[0]}, right after the ${top.length} auction transactions it must follow`,
          evidence: { blockIndex: sorted[0], blockTxHash: txAt(sorted[0]) },
        });
      }
    }
  } else if (order.count > 0 && !laneComplete) {
    notes.push('lane contiguity not checked: some fee transactions or outcomes are unknown');
  }

  return {
    slot: order.slot,
    ok: violations.length === 0,
    violations,
    rejectedReceipts,
    unverified,
    notes,
    order: signedOrder,
  };
}
