/**
 * `sealane status [--rpc URL] [--json]`: what a gateway says about its deployment, in a few
 * lines: readiness (GET /ready), the chain id, the sealed head and open slot, the parameter
 * version in force, the poster (sealane_getPosterStatus) and the keyper set
 * (sealane_getKeyperSet). `--json` prints one JSON object instead. Reads only; each read that
 * fails is reported on its own and the others still shown.
 */
import { parseFlags, toJson, UsageError, withUsage } from './args';

export const STATUS_USAGE = `usage: sealane status [--rpc URL] [--json]
  --rpc URL   the gateway to ask (default http://127.0.0.1:8545)
  --json      one JSON object (for machines) instead of the summary
exit: 0 ready, 1 answering but not ready (or a read failed), 2 usage, 3 the gateway did not answer`;

export const DEFAULT_RPC = 'http://127.0.0.1:8545';

interface Check {
  ok: boolean;
  required: boolean;
  error?: string;
}

interface ReadinessBody {
  ready: boolean;
  stopping?: boolean;
  checks?: Record<string, Check>;
  leader?: string | null;
  sealedHead?: number | null;
  posterLag?: number | null;
}

interface ParamsBody {
  sealedHead: number;
  openSlot: number;
  current: { version: number; activationSlot: number };
  scheduled: { version: number; activationSlot: number }[];
  intake: { paused?: boolean } | null;
}

interface PosterBody {
  postedBlock: number;
  sentBlock: number;
  lagBlocks: number;
  inFlight: number;
  maxInFlight: number;
  nextBatch: number;
  activity: string;
  updatedAtMs: number;
}

interface KeyperSetBody {
  eon: string;
  threshold: number;
  keypers: string[];
  ready: boolean;
  why?: string;
  qualified?: number[];
}

/** The whole report: what `--json` prints. A part that could not be read is null, its error in `errors`. */
export interface StatusReport {
  rpc: string;
  reachable: boolean;
  ready: boolean;
  chainId: number | null;
  sealedHead: number | null;
  openSlot: number | null;
  leader: string | null;
  checks: Record<string, Check> | null;
  params: { version: number; activationSlot: number; scheduled: number; intakePaused: boolean } | null;
  poster: PosterBody | null;
  keypers: {
    eon: string;
    threshold: number;
    keypers: number;
    ready: boolean;
    qualified?: number;
    why?: string;
  } | null;
  errors: Record<string, string>;
}

class Unreachable extends Error {}

async function post<T>(url: string, method: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
      signal: AbortSignal.timeout(5000),
    });
  } catch (e) {
    throw new Unreachable((e as Error).message);
  }
  const body = (await res.json()) as { result?: T; error?: { code: number; message: string } };
  if (body.error) throw new Error(`${body.error.message} (${body.error.code})`);
  return body.result as T;
}

async function getReady(url: string): Promise<ReadinessBody> {
  let res: Response;
  try {
    res = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(5000) });
  } catch (e) {
    throw new Unreachable((e as Error).message);
  }
  // 503 still carries the body: which check failed.
  return (await res.json()) as ReadinessBody;
}

/** Asks the gateway at `url` for everything the report holds. */
export async function readStatus(url: string): Promise<StatusReport> {
  const parts = await Promise.allSettled([
    getReady(url),
    post<string>(url, 'eth_chainId'),
    post<ParamsBody>(url, 'sealane_getParams'),
    post<PosterBody | null>(url, 'sealane_getPosterStatus'),
    post<KeyperSetBody>(url, 'sealane_getKeyperSet'),
  ]);
  const names = ['ready', 'chainId', 'params', 'poster', 'keypers'] as const;
  const errors: Record<string, string> = {};
  parts.forEach((p, i) => {
    if (p.status === 'rejected') errors[names[i]] = (p.reason as Error).message;
  });
  const value = <T>(i: number): T | null => (parts[i].status === 'fulfilled' ? (parts[i].value as T) : null);
  const ready = value<ReadinessBody>(0);
  const chainId = value<string>(1);
  const params = value<ParamsBody>(2);
  const keypers = value<KeyperSetBody>(4);
  return {
    rpc: url,
    reachable: !parts.every((p) => p.status === 'rejected' && p.reason instanceof Unreachable),
    ready: ready?.ready === true,
    chainId: chainId === null ? null : Number(chainId),
    sealedHead: params?.sealedHead ?? ready?.sealedHead ?? null,
    openSlot: params?.openSlot ?? null,
    leader: ready?.leader ?? null,
    checks: ready?.checks ?? null,
    params: params && {
      version: params.current.version,
      activationSlot: params.current.activationSlot,
      scheduled: params.scheduled.length,
      intakePaused: params.intake?.paused === true,
    },
    poster: value<PosterBody | null>(3),
    keypers: keypers && {
      eon: keypers.eon,
      threshold: keypers.threshold,
      keypers: keypers.keypers.length,
      ready: keypers.ready,
      ...(keypers.qualified ? { qualified: keypers.qualified.length } : {}),
      ...(keypers.why ? { why: keypers.why } : {}),
    },
    errors,
  };
}

const short = (h: string) => (h.length > 18 ? `${h.slice(0, 10)}…${h.slice(-6)}` : h);

/** The human summary, one line per part. */
export function formatStatus(r: StatusReport): string[] {
  const failed = (part: string) => `unavailable (${r.errors[part] ?? 'no answer'})`;
  const lines = [`gateway  ${r.rpc}: ${!r.reachable ? 'NOT ANSWERING' : r.ready ? 'ready' : 'NOT READY'}`];
  if (!r.reachable) return [...lines, `         ${r.errors.ready ?? ''}`.trimEnd()];
  lines.push(
    `chain    ${r.chainId === null ? failed('chainId') : `${r.chainId} (0x${r.chainId.toString(16)})`}`,
  );
  lines.push(
    r.sealedHead === null
      ? `head     ${failed('params')}`
      : `head     sealed ${r.sealedHead}${r.openSlot === null ? '' : `, open slot ${r.openSlot}`}${r.leader ? `, builder ${r.leader}` : ''}`,
  );
  lines.push(
    r.params
      ? `params   version ${r.params.version} (from slot ${r.params.activationSlot}), ${r.params.scheduled} scheduled; bundle intake ${r.params.intakePaused ? 'PAUSED' : 'open'}`
      : `params   ${failed('params')}`,
  );
  const p = r.poster;
  lines.push(
    p
      ? `poster   posted to block ${p.postedBlock} (sent ${p.sentBlock}), lag ${p.lagBlocks}, ${p.inFlight}/${p.maxInFlight} in flight, next batch ${p.nextBatch}, ${p.activity}`
      : `poster   ${r.errors.poster ? failed('poster') : 'no status: no poster of this deployment has run'}`,
  );
  const k = r.keypers;
  lines.push(
    k
      ? `keypers  eon ${short(k.eon)}: ${k.threshold} of ${k.keypers}, ${k.ready ? `key ready (${k.qualified ?? k.keypers} qualified)` : `no key yet${k.why ? ` (${k.why})` : ''}`}`
      : `keypers  ${failed('keypers')}`,
  );
  if (r.checks)
    lines.push(
      `checks   ${Object.entries(r.checks)
        .map(
          ([n, c]) =>
            `${n} ${c.ok ? 'ok' : `FAILED${c.required ? '' : ' (not required)'}: ${c.error ?? ''}`}`,
        )
        .join(', ')}`,
    );
  else lines.push(`checks   ${failed('ready')}`);
  return lines;
}

export function status(argv: string[]): Promise<number> {
  return withUsage('status', STATUS_USAGE, async () => {
    const flags = parseFlags(argv, { values: ['rpc'], booleans: ['json'] });
    const url = flags.values.get('rpc') ?? DEFAULT_RPC;
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
      throw new UsageError(`--rpc must be an http(s) URL, got "${url}"`);
    const r = await readStatus(url);
    if (flags.on.has('json')) console.log(toJson(r));
    else for (const l of formatStatus(r)) console.log(l);
    if (!r.reachable) return 3;
    return r.ready && Object.keys(r.errors).length === 0 ? 0 : 1;
  });
}
