/**
 * One slot of `sealane audit`: fetches the signed order, the slot's public evidence
 * (sealane_getSlotCommitments) and the sealed block through a gateway, runs @sealane/mempool's
 * auditSlot over them and the user's receipts, and prints the report; on a violation, the signed
 * receipts and the block evidence as JSON proof.
 */
import {
  auditSlot,
  OrderMismatchError,
  signedReceiptToJson,
  signedSlotOrderFromJson,
  SKIP_REASONS,
  toJsonValue,
  type AuditReport,
  type CommitmentOutcome,
  type MempoolDomain,
  type SignedReceipt,
  type SkipReason,
} from '@sealane/mempool';
import { fromHex, toHex } from '@sealane/protocol';
import { keysFromSlotKey } from './audit-keypers';

export const AUDIT_EXIT = { clean: 0, violation: 1, usage: 2, cannotAudit: 3 } as const;

/** Where the audit prints its report (out) and why it could not audit (err). */
export interface AuditLog {
  out(line: string): void;
  err(line: string): void;
}

/** The calls of one audit, against one gateway. */
export type Rpc = <T>(method: string, params: unknown[]) => Promise<T>;

export interface SlotCommitmentJson {
  position: number;
  commitment: string;
  sender: string;
  ciphertext: string;
  feeTx: string;
  key: string | null;
  outcome:
    | { status: 'included'; index: number; txHash: string }
    | { status: 'skipped'; code: string }
    | { status: 'not-revealed' }
    | null;
}

/** sealane_getSlotCommitments' entries as auditSlot's outcomes (positions without one are left out). */
export function outcomesFromJson(entries: SlotCommitmentJson[]): CommitmentOutcome[] {
  const out: CommitmentOutcome[] = [];
  for (const e of entries) {
    if (!e.outcome) continue;
    const base = {
      position: e.position,
      commitment: fromHex(e.commitment),
      sender: e.sender,
      ciphertext: fromHex(e.ciphertext),
      feeTx: fromHex(e.feeTx),
      ...(e.key ? { key: fromHex(e.key) } : {}),
    };
    const o = e.outcome;
    if (o.status === 'included')
      out.push({ ...base, status: 'included', index: o.index, txHash: fromHex(o.txHash) });
    else if (o.status === 'skipped') {
      // A code this version does not know cannot be re-checked: it reads as depending on chain state.
      const reason = (SKIP_REASONS as readonly string[]).includes(o.code) ? o.code : 'execution-rejected';
      out.push({ ...base, status: 'skipped', reason: reason as SkipReason });
    } else out.push({ ...base, status: 'not-revealed' });
  }
  return out;
}

interface BlockJson {
  number: string;
  hash: string;
  parentHash: string;
  transactions: string[];
}

const short = (h: string): string => `${h.slice(0, 10)}…`;

function describe(report: AuditReport, outcomes: CommitmentOutcome[], held: Set<number>): string[] {
  const byPos = new Map(outcomes.map((o) => [o.position, o]));
  const lines: string[] = [];
  for (let pos = 0; pos < report.order.order.count; pos++) {
    const o = byPos.get(pos);
    const what = !o
      ? 'no outcome recorded'
      : o.status === 'included'
        ? `included at index ${o.index}`
        : o.status === 'skipped'
          ? `skipped: ${o.reason}`
          : 'not revealed';
    lines.push(`  #${pos} ${what}${held.has(pos) ? '   (your receipt)' : ''}`);
  }
  return lines;
}

/** Audits `slot` against the receipts for it; returns its AUDIT_EXIT code. */
export async function auditOne(
  io: AuditLog,
  rpc: Rpc,
  slot: number,
  receipts: SignedReceipt[],
  trust: { sequencer: string; domain: MempoolDomain },
): Promise<number> {
  const q = '0x' + slot.toString(16);
  const evidence = await rpc<{ commitments: SlotCommitmentJson[] } | null>('sealane_getSlotCommitments', [q]);
  if (!evidence) {
    io.err(`slot ${slot} is not sealed yet: audit it once its block is`);
    return AUDIT_EXIT.cannotAudit;
  }
  const orderJson = await rpc<Record<string, unknown> | null>('sealane_getSlotOrder', [q]);
  const block = await rpc<BlockJson | null>('eth_getBlockByNumber', [q, false]);
  const blockProof = block && {
    number: block.number,
    hash: block.hash,
    parentHash: block.parentHash,
    transactions: block.transactions,
  };
  const receiptsJson = receipts.map(signedReceiptToJson);
  if (!orderJson || !block) {
    io.out(`slot ${slot}: VIOLATION ${!orderJson ? 'no signed order was published' : 'no sealed block'}`);
    io.out('proof:');
    io.out(JSON.stringify({ slot: q, receipts: receiptsJson, block: blockProof }, null, 2));
    return AUDIT_EXIT.violation;
  }
  const { signed: order, commitments } = signedSlotOrderFromJson(orderJson);
  // Commitments sealed to the slot: the slot key, checked against the keypers' eon key, opens them.
  const keyed = await keysFromSlotKey(rpc, slot, evidence.commitments, trust.domain.chainId);
  if (keyed.line) io.out(`slot ${slot}: ${keyed.line}`);
  if (keyed.violation) {
    io.out(`slot ${slot}: VIOLATION ${keyed.violation}`);
    io.out('proof:');
    io.out(
      JSON.stringify({ slot: q, order: orderJson, receipts: receiptsJson, slotKey: keyed.slotKey }, null, 2),
    );
    return AUDIT_EXIT.violation;
  }
  const outcomes = outcomesFromJson(evidence.commitments);
  let report: AuditReport;
  try {
    report = auditSlot({
      ...trust,
      order,
      commitments: commitments ?? [],
      receipts,
      block: { txHashes: block.transactions.map((h) => fromHex(h)) },
      outcomes,
    });
  } catch (e) {
    if (!(e instanceof OrderMismatchError)) throw e;
    io.out(`slot ${slot}: VIOLATION the published order does not hold: ${e.message}`);
    io.out('proof:');
    io.out(JSON.stringify({ slot: q, order: orderJson, receipts: receiptsJson, block: blockProof }, null, 2));
    return AUDIT_EXIT.violation;
  }

  const held = new Set<number>();
  for (const r of receipts)
    if (!report.rejectedReceipts.some((x) => x.signed === r)) held.add(r.receipt.position);
  io.out(
    `slot ${slot}: block ${Number(block.number)} ${short(block.hash)} with ${block.transactions.length} transactions; ` +
      `order of ${order.order.count} commitments signed by ${trust.sequencer}`,
  );
  for (const l of describe(report, outcomes, held)) io.out(l);
  for (const r of report.rejectedReceipts)
    io.out(
      `  receipt for position ${r.signed.receipt.position} proves nothing here: ${r.why === 'bad-signature' ? 'not signed by the sequencer' : 'another slot'}`,
    );
  for (const u of report.unverified)
    io.out(`  #${u.position}: '${u.reason}' depends on chain state at execution, not re-checked`);
  for (const n of report.notes) io.out(`  note: ${n}`);
  if (report.ok) {
    io.out(
      `slot ${slot}: OK, ${held.size} receipt(s) checked: every commitment stands at its position, every checkable skip holds`,
    );
    return AUDIT_EXIT.clean;
  }
  for (const v of report.violations)
    io.out(
      `slot ${slot}: VIOLATION ${v.kind}${v.position === undefined ? '' : ` at position ${v.position}`}: ${v.detail}`,
    );
  io.out('proof:');
  io.out(
    JSON.stringify(
      {
        slot: q,
        sequencer: trust.sequencer,
        domain: { chainId: '0x' + trust.domain.chainId.toString(16), salt: toHex(trust.domain.salt) },
        order: orderJson,
        receipts: receiptsJson,
        block: blockProof,
        violations: report.violations.map((v) => ({
          kind: v.kind,
          position: v.position,
          detail: v.detail,
          commitment: v.commitment && toHex(v.commitment),
          receipt: v.receipt && signedReceiptToJson(v.receipt),
          evidence: toJsonValue({ ...v.evidence, otherReceipt: undefined }),
          otherReceipt: v.evidence.otherReceipt && signedReceiptToJson(v.evidence.otherReceipt),
        })),
      },
      null,
      2,
    ),
  );
  return AUDIT_EXIT.violation;
}
