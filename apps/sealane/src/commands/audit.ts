/**
 * `sealane audit --gateway URL --receipts FILE [--slot N]`: checks sealed slots against the signed
 * receipts a user holds, one slot at a time (audit-slot.ts), with the sequencer's domain the
 * gateway announces. I/O is injected (the CLI passes fetch and the file system) so the decoding
 * and the report stay testable; the checks themselves are @sealane/mempool's auditSlot.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '@sealane/config';
import { signedReceiptFromJson, type SignedReceipt } from '@sealane/mempool';
import { fromHex } from '@sealane/protocol';
import { SealaneClient } from '@sealane/sdk';
import { AUDIT_EXIT, auditOne, type AuditLog, type Rpc } from './audit-slot';

export interface AuditIo extends AuditLog {
  readFile(path: string): string;
  /** One JSON-RPC call to a gateway; throws on an error answer or an unreachable gateway. */
  rpc<T>(url: string, method: string, params: unknown[]): Promise<T>;
  /** The gateway when --gateway is not given (this deployment's, from its settings). */
  defaultGateway(): string;
}

export const AUDIT_USAGE = `usage: sealane audit --gateway URL --receipts FILE [--slot N] [--sequencer ADDRESS] [--json]
  --receipts FILE    a JSON array of signed receipts, as sealane_commit returned them
  --slot N           audit only slot N (default: every slot the receipts name)
  --sequencer ADDR   the sequencer's address to trust (default: what the gateway announces)
  --json             one JSON object: per slot its verdict, the report's lines and any proof
exit: 0 clean, 1 a violation (proof printed), 2 usage, 3 cannot audit (slot not sealed, gateway down)`;

class UsageError extends Error {}

interface AuditArgs {
  gateway?: string;
  receipts: string;
  slot?: number;
  sequencer?: string;
  json: boolean;
}

function parseArgs(argv: string[]): AuditArgs {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"`);
    if (a === '--json') {
      flags.set('json', 'true');
      continue;
    }
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
    json: flags.has('json'),
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
    const error = `the gateway did not answer: ${(e as Error).message}`;
    if (args.json) io.out(JSON.stringify({ ok: false, exit: AUDIT_EXIT.cannotAudit, gateway: url, error }));
    else io.err(`sealane audit: ${error}`);
    return AUDIT_EXIT.cannotAudit;
  }
  const trust = {
    sequencer: args.sequencer ?? info.sequencer,
    domain: { chainId: BigInt(info.domain.chainId), salt: fromHex(info.domain.salt) },
  };
  let code: number = AUDIT_EXIT.clean;
  const results: SlotResult[] = [];
  for (const slot of slots) {
    const mine = receipts.filter((r) => Number(r.receipt.slot) === slot);
    const log = args.json ? collector(slot) : { io, result: undefined };
    let c: number;
    try {
      c = await auditOne(log.io, rpc, slot, mine, trust);
    } catch (e) {
      log.io.err(`sealane audit: slot ${slot}: ${(e as Error).message}`);
      c = AUDIT_EXIT.cannotAudit;
    }
    if (log.result) results.push({ ...log.result, exit: c, verdict: VERDICTS[c] ?? 'cannot-audit' });
    // A violation outranks a slot that could not be audited.
    if (c === AUDIT_EXIT.violation || code === AUDIT_EXIT.clean) code = c;
  }
  if (args.json)
    io.out(
      JSON.stringify({
        ok: code === AUDIT_EXIT.clean,
        exit: code,
        gateway: url,
        sequencer: trust.sequencer,
        slots: results,
      }),
    );
  return code;
}

const VERDICTS: Record<number, string> = {
  [AUDIT_EXIT.clean]: 'clean',
  [AUDIT_EXIT.violation]: 'violation',
  [AUDIT_EXIT.cannotAudit]: 'cannot-audit',
};

/** One slot's part of `--json`: the report's lines, the proof (printed after "proof:") and errors. */
interface SlotResult {
  slot: number;
  exit: number;
  verdict: string;
  lines: string[];
  proof?: unknown;
  errors: string[];
}

function collector(slot: number): { io: AuditLog; result: SlotResult } {
  const result: SlotResult = { slot, exit: 0, verdict: '', lines: [], errors: [] };
  let proofNext = false;
  const out = (l: string) => {
    if (proofNext) result.proof = JSON.parse(l) as unknown;
    else if (l !== 'proof:') result.lines.push(l);
    proofNext = l === 'proof:';
  };
  return { io: { out, err: (l) => result.errors.push(l) }, result };
}

/** The `audit` command: auditCli on this process's arguments, console and files. */
export function audit(argv: string[]): Promise<number> {
  return auditCli(argv, {
    out: (l) => console.log(l),
    err: (l) => console.error(l),
    readFile: (p) => readFileSync(p, 'utf8'),
    rpc: (url, method, params) => new SealaneClient(url).rpc(method, params),
    defaultGateway: () => {
      const config = loadConfig();
      return `http://${config.GATEWAY_HOST}:${config.GATEWAY_PORT}`;
    },
  });
}
