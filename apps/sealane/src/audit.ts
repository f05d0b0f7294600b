/**
 * `sealane audit`: checks a sealed slot against the signed receipts a user holds. It fetches the
 * signed order, the slot's public evidence (sealane_getSlotCommitments), the sealed block and the
 * sequencer's domain through a gateway, runs @sealane/mempool's auditSlot, and prints a short
 * report; on a violation, the signed receipts and the block evidence as JSON proof.
 *
 * I/O is injected (the CLI passes fetch and the file system) so the decoding and the report stay
 * testable; the checks themselves are auditSlot's.
 */
import {
  auditSlot,
  OrderMismatchError,
  signedReceiptFromJson,
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

export interface AuditIo {
  out(line: string): void;
  err(line: string): void;
  readFile(path: string): string;
  /** One JSON-RPC call to a gateway; throws on an error answer or an unreachable gateway. */
  rpc<T>(url: string, method: string, params: unknown[]): Promise<T>;
  /** The gateway when --gateway is not given (this deployment's, from its settings). */
  defaultGateway(): string;
}

/** The calls of one audit, against one gateway. */
type Rpc = <T>(method: string, params: unknown[]) => Promise<T>;

export const AUDIT_EXIT = { clean: 0, violation: 1, usage: 2, cannotAudit: 3 } as const;

export const AUDIT_USAGE = `usage: sealane audit --gateway URL --receipts FILE [--slot N] [--sequencer ADDRESS]
  --receipts FILE    a JSON array of signed receipts, as sealane_commit returned them
  --slot N           audit only slot N (default: every slot the receipts name)
  --sequencer ADDR   the sequencer's address to trust (default: what the gateway announces)
exit: 0 clean, 1 a violation (proof printed), 2 usage, 3 cannot audit (slot not sealed, gateway down)`;

class UsageError extends Error {}

interface AuditArgs {
  gateway?: string;
  receipts: string;
  slot?: number;
  sequencer?: string;
}

function parseArgs(argv: string[]): AuditArgs {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!['gateway', 'receipts', 'slot', 'sequencer'].includes(name))
      throw new UsageError(`unknown option --${name}`);
    if (flags.has(name)) throw new UsageError(`--${name} given twice`);
    if (eq < 0 && i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
    flags.set(name, eq > 0 ? a.slice(eq + 1) : argv[++i]);
  }
  const receipts = flags.get('receipts');
  if (!receipts) throw new UsageError('--receipts FILE is required');
  const slot = flags.get('slot');
  if (slot !== undefined && !/^(0x[0-9a-fA-F]{1,13}|[0-9]{1,15})$/.test(slot))
    throw new UsageError(`--slot must be a block number, got "${slot}"`);
  const sequencer = flags.get('sequencer');
  if (sequencer !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(sequencer))
    throw new UsageError(`--sequencer must be a 20-byte 0x address`);
  return {
    gateway: flags.get('gateway'),
    receipts,
    slot: slot === undefined ? undefined : Number(slot),
    sequencer: sequencer?.toLowerCase(),
  };
}

/** The receipts file: an array of receipt JSONs (a single one, or { receipts: [...] }, also do). */
export function parseReceiptsFile(text: string): SignedReceipt[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError('the receipts file is not JSON');
  }
  const list = Array.isArray(json)
    ? json
    : json !== null && typeof json === 'object' && Array.isArray((json as { receipts?: unknown }).receipts)
      ? (json as { receipts: unknown[] }).receipts
      : [json];
  return list.map((r, i) => {
    try {
      return signedReceiptFromJson(r);
    } catch (e) {
      throw new UsageError(`receipt ${i}: ${(e as Error).message}`);
    }
  });
}

interface SlotCommitmentJson {
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

async function auditOne(
  io: AuditIo,
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

/** Runs `sealane audit`; returns the exit code. */
export async function auditCli(argv: string[], io: AuditIo): Promise<number> {
  let args: AuditArgs;
  let receipts: SignedReceipt[];
  let url: string;
  try {
    args = parseArgs(argv);
    url = args.gateway ?? io.defaultGateway();
    let text: string;
    try {
      text = io.readFile(args.receipts);
    } catch (e) {
      throw new UsageError(`cannot read ${args.receipts}: ${(e as Error).message}`);
    }
    receipts = parseReceiptsFile(text);
    if (receipts.length === 0) throw new UsageError('the receipts file holds no receipt');
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`sealane audit: ${e.message}`);
    io.err(AUDIT_USAGE);
    return AUDIT_EXIT.usage;
  }
  const slots =
    args.slot !== undefined
      ? [args.slot]
      : [...new Set(receipts.map((r) => Number(r.receipt.slot)))].sort((a, b) => a - b);
  const rpc: Rpc = (method, params) => io.rpc(url, method, params);
  let info: { sequencer: string; domain: { chainId: string; salt: string } };
  try {
    info = await rpc('sealane_getMempoolInfo', []);
  } catch (e) {
    io.err(`sealane audit: the gateway did not answer: ${(e as Error).message}`);
    return AUDIT_EXIT.cannotAudit;
  }
  const trust = {
    sequencer: args.sequencer ?? info.sequencer,
    domain: { chainId: BigInt(info.domain.chainId), salt: fromHex(info.domain.salt) },
  };
  let code: number = AUDIT_EXIT.clean;
  for (const slot of slots) {
    const mine = receipts.filter((r) => Number(r.receipt.slot) === slot);
    let c: number;
    try {
      c = await auditOne(io, rpc, slot, mine, trust);
    } catch (e) {
      io.err(`sealane audit: slot ${slot}: ${(e as Error).message}`);
      c = AUDIT_EXIT.cannotAudit;
    }
    // A violation outranks a slot that could not be audited.
    if (c === AUDIT_EXIT.violation || code === AUDIT_EXIT.clean) code = c;
  }
  return code;
}
