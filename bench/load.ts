/**
 * The harness the HTTP intake benchmarks share (ingest, bundles, mempool intake): the gateway
 * alone, CLIENTS keep-alive clients in worker threads (load.client.ts) sending pre-built requests,
 * a warm-up, timed repetitions, and the rows every such benchmark reports. Each benchmark keeps
 * what is its own: how it builds its requests, what it checks in Redis after, its rows' words.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance as perf } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import type { Check, ClientCommand, ClientInit, ClientReply, ClientResult, LoadRequest } from './load.client';
import { median, now, percentile, progress, type Row } from './support';

export type { Check, LoadRequest } from './load.client';

export const CLIENTS = 2;
/**
 * Connections per client, each with one request in flight. With one, the benchmark measured round
 * trips rather than capacity: the gateway's loop sat idle a quarter to half of the time waiting
 * for the next request. 2 x 8 keeps it busy, as many searchers and wallets at once would.
 */
export const CONNECTIONS = 8;

/** How the load was offered, for the rows' notes. */
export const LOAD_NOTE = `${CLIENTS} clients x ${CONNECTIONS} keep-alive connections`;

/**
 * Only the gateway (no builder draining the lanes or competing for the CPU), on a free port, with
 * its own embedded Redis. RECOVERY_THREADS from the environment is passed on, so
 * `RECOVERY_THREADS=3 npm run bench -- ingest` tries another pool size; `env` overrides it.
 */
export function startGateway(
  genesis: Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<Sealane> {
  return startSealane({
    env: {
      COMPONENTS: 'gateway',
      GATEWAY_PORT: '0',
      GENESIS_PARAMS: JSON.stringify(genesis),
      RECOVERY_THREADS: process.env.RECOVERY_THREADS,
      ...env,
    },
    logger: ['error'],
  });
}

/** Runs `fn` against a gateway started by startGateway, and stops it after. */
export async function withGateway<T>(
  genesis: Record<string, unknown>,
  fn: (s: Sealane) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  const s = await startGateway(genesis, env);
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}

/**
 * A client in its own worker thread. The gateway runs on this process's main event loop; clients
 * on that same loop would spend it building requests and parsing answers, so the figure would
 * charge their work to the gateway and cap it below what the gateway does alone. In workers, the
 * main loop does gateway work only, and its utilisation says whether the gateway is the limit.
 */
export class LoadClient {
  private readonly worker: Worker;
  private pending: ((r: ClientReply) => void) | undefined;

  constructor(url: string, check: Check, label: string) {
    this.worker = new Worker(join(__dirname, 'load.client.js'), {
      workerData: { url, check, connections: CONNECTIONS } satisfies ClientInit,
    });
    this.worker.on('message', (r: ClientReply) => this.pending?.(r));
    this.worker.on('error', (e) => progress(`${label} client failed: ${String(e)}`));
  }

  private ask(cmd: ClientCommand): Promise<ClientReply> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.worker.postMessage(cmd);
    });
  }

  async load(requests: LoadRequest[]): Promise<void> {
    await this.ask({ kind: 'load', requests });
  }

  async go(): Promise<ClientResult> {
    return (await this.ask({ kind: 'go' })) as ClientResult;
  }

  async close(): Promise<void> {
    this.worker.postMessage({ kind: 'close' } satisfies ClientCommand);
    await new Promise((r) => this.worker.once('exit', r));
  }
}

export function spawnClients(url: string, check: Check, label: string): LoadClient[] {
  return Array.from({ length: CLIENTS }, () => new LoadClient(url, check, label));
}

export async function closeClients(clients: LoadClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}

/** The clients' results of one repetition, summed up. */
export interface RepResult extends Omit<ClientResult, 'kind' | 'latencies'> {
  /** Accepted requests per second. */
  rate: number;
  /** Each client's round-trip times. */
  latencies: Float64Array[];
  /** Share of the time the main event loop (the gateway's) was busy. */
  elu: number;
  /** Share of all the machine's cores busy (any process: gateway, its workers, clients, Redis). */
  cpu: number;
}

/** Busy and total CPU time of all cores since boot, from the OS. */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

/** Splits `requests` between the clients and times them sending all of it at once. */
export async function runRep(clients: LoadClient[], requests: LoadRequest[]): Promise<RepResult> {
  await Promise.all(clients.map((c, k) => c.load(requests.filter((_, i) => i % clients.length === k))));
  const elu0 = perf.eventLoopUtilization();
  const cpu0 = cpuTimes();
  const t0 = now();
  const results = await Promise.all(clients.map((c) => c.go()));
  const seconds = (now() - t0) / 1000;
  const elu = perf.eventLoopUtilization(elu0).utilization;
  const cpu1 = cpuTimes();
  const ok = results.reduce((a, r) => a + r.ok, 0);
  return {
    rate: ok / seconds,
    sent: results.reduce((a, r) => a + r.sent, 0),
    ok,
    errors: results.reduce((a, r) => a + r.errors, 0),
    firstError: results.find((r) => r.firstError)?.firstError,
    statuses: mergeCounts(results.map((r) => r.statuses)),
    rpcErrors: mergeCounts(results.map((r) => r.rpcErrors)),
    latencies: results.map((r) => r.latencies),
    elu,
    cpu: (cpu1.busy - cpu0.busy) / Math.max(1, cpu1.total - cpu0.total),
  };
}

function mergeCounts(all: Record<number, number>[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const counts of all) for (const [k, n] of Object.entries(counts)) out[+k] = (out[+k] ?? 0) + n;
  return out;
}

const counts = (c: Record<number, number>, what: string) =>
  Object.entries(c)
    .map(([code, n]) => `${n.toLocaleString('en-US')} x ${what} ${code}`)
    .join(', ');

/** "min X, max Y" of per-repetition figures, for a note. */
export const spread = (xs: number[]) =>
  `min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}`;

export interface LoadSpec {
  url: string;
  check: Check;
  /** Starts the progress lines: "ingest", "bundles", ... */
  label: string;
  /** The rate's unit in the progress lines, as "tx/s". */
  unit: string;
  warmup: LoadRequest[];
  reps: LoadRequest[][];
  /** Runs after the warm-up. */
  afterWarmup?: () => void;
  /** Runs after each timed repetition (0-based); what it returns ends that repetition's line. */
  afterRep?: (rep: number) => string | undefined;
}

/** What the warm-up and the timed repetitions gave, summed up. */
export interface LoadRun {
  reps: number;
  /** Median accepted requests per second over the repetitions, and each repetition's. */
  rate: number;
  rates: number[];
  /** Requests sent and accepted, and failed answers, warm-up included. */
  sent: number;
  accepted: number;
  errors: number;
  /** HTTP statuses counted, and JSON-RPC error codes if any answer failed. */
  statusNote: string;
  /** Client-side round trips over the repetitions, in ms. */
  p50: number;
  p99: number;
  /** Median share of the repetitions the main (gateway) event loop was busy, in %. */
  busy: number;
  /** Median share of the repetitions all the machine's cores were busy, in %. */
  cpu: number;
}

/** Spawns the clients, sends the warm-up, then each repetition in turn, and closes the clients. */
export async function measureLoad(spec: LoadSpec): Promise<LoadRun> {
  const { label, unit } = spec;
  const clients = spawnClients(spec.url, spec.check, label);
  const results: RepResult[] = [];
  let warmup: RepResult;
  try {
    // Warm-up: JIT, connections, the gateway's caches; not counted.
    warmup = await runRep(clients, spec.warmup);
    spec.afterWarmup?.();
    for (let rep = 0; rep < spec.reps.length; rep++) {
      const r = await runRep(clients, spec.reps[rep]);
      results.push(r);
      const extra = spec.afterRep?.(rep);
      progress(
        `${label} rep ${rep + 1}/${spec.reps.length}: ${r.rate.toFixed(0)} ${unit}, ${r.errors} errors, ` +
          `gateway loop ${(r.elu * 100).toFixed(0)}% busy, all cores ${(r.cpu * 100).toFixed(0)}% busy` +
          `${extra ? `; ${extra}` : ''}`,
      );
    }
  } finally {
    await closeClients(clients);
  }
  const all = [warmup, ...results];
  const errors = all.reduce((a, r) => a + r.errors, 0);
  const firstError = all.find((r) => r.firstError)?.firstError;
  if (firstError) progress(`${label}: first failed response: ${firstError}`);
  const lat = results.flatMap((r) => r.latencies.flatMap((a) => Array.from(a)));
  return {
    reps: results.length,
    rate: median(results.map((r) => r.rate)),
    rates: results.map((r) => r.rate),
    sent: all.reduce((a, r) => a + r.sent, 0),
    accepted: all.reduce((a, r) => a + r.ok, 0),
    errors,
    statusNote: [counts(mergeCounts(all.map((r) => r.statuses)), 'HTTP')]
      .concat(errors ? [counts(mergeCounts(all.map((r) => r.rpcErrors)), 'JSON-RPC error')] : [])
      .join('; '),
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    busy: median(results.map((r) => r.elu)) * 100,
    cpu: median(results.map((r) => r.cpu)) * 100,
  };
}

export interface LoadRows {
  /** Starts every row's name: "ingest", "bundle ingest", ... */
  prefix: string;
  /** The throughput row: its name after the prefix, unit and note. */
  rate: { name: string; unit: string; note: string };
  /** Rows of the benchmark's own to put right after the throughput. */
  afterRate?: Row[];
  /** The failed-responses note before the status counts, as "of 1,000 sent; ...". */
  failures: string;
  latencyNote?: string;
  busyNote?: string;
}

/** The rows every intake benchmark reports: throughput, failures, latency p50/p99, gateway busy. */
export function loadRows(run: LoadRun, r: LoadRows): Row[] {
  const latencyNote = r.latencyNote ?? 'client side';
  return [
    { name: `${r.prefix}: ${r.rate.name}`, value: run.rate, unit: r.rate.unit, note: r.rate.note },
    ...(r.afterRate ?? []),
    {
      name: `${r.prefix}: failed responses`,
      value: run.errors,
      unit: 'responses',
      note: `${r.failures}; ${run.statusNote}`,
    },
    { name: `${r.prefix}: latency p50`, value: run.p50, unit: 'ms', note: latencyNote },
    { name: `${r.prefix}: latency p99`, value: run.p99, unit: 'ms', note: latencyNote },
    {
      name: `${r.prefix}: gateway event loop busy`,
      value: run.busy,
      unit: '%',
      note:
        r.busyNote ??
        'HTTP, parsing, Redis; signatures are recovered on worker threads (RECOVERY_THREADS); near 100%: this thread is the limit',
    },
    {
      name: `${r.prefix}: all cores busy`,
      value: run.cpu,
      unit: '%',
      note: `${cpus().length} cores shared by the gateway, its recovery threads, the clients and Redis; near 100%: the machine is the limit`,
    },
  ];
}
