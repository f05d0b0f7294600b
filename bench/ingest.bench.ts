/**
 * Public-lane ingest: transactions per second the gateway accepts over HTTP, one
 * eth_sendRawTransaction per request, from 2 concurrent keep-alive clients. Only the gateway
 * runs (no builder draining the lane or competing for the CPU), with a pool large enough never
 * to refuse.
 */
import { join } from 'node:path';
import { performance as perf } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { PublicLane } from '@sealane/store';
import { startSealane } from '../apps/sealane/src/sealane';
import type { ClientCommand, ClientInit, ClientReply, ClientResult } from './ingest.client';
import { median, now, progress, TransferSigner, type Row, type SignedTransfer } from './support';

const TARGET_TPS = 3000;
const CLIENTS = 2;
const WARMUP_TXS = 2000;
/** About 4 s per repetition at the target rate. */
const TXS_PER_REP = 12_000;
const REPS = 5;

/**
 * A client in its own worker thread. The gateway runs on this process's main event loop; clients
 * on that same loop would spend it building requests and parsing answers, so the figure would
 * charge their work to the gateway and cap it below what the gateway does alone. In workers, the
 * main loop does gateway work only, and its utilisation says whether the gateway is the limit.
 */
class ClientWorker {
  private readonly worker: Worker;
  private pending: ((r: ClientReply) => void) | undefined;

  constructor(url: string) {
    this.worker = new Worker(join(__dirname, 'ingest.client.js'), {
      workerData: { url } satisfies ClientInit,
    });
    this.worker.on('message', (r: ClientReply) => this.pending?.(r));
    this.worker.on('error', (e) => progress(`ingest client failed: ${String(e)}`));
  }

  private ask(cmd: ClientCommand): Promise<ClientReply> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.worker.postMessage(cmd);
    });
  }

  async load(txs: SignedTransfer[]): Promise<void> {
    await this.ask({ kind: 'load', txs: txs.map((t) => [t.raw, t.hash]) });
  }

  async go(): Promise<ClientResult> {
    return (await this.ask({ kind: 'go' })) as ClientResult;
  }

  async close(): Promise<void> {
    this.worker.postMessage({ kind: 'close' } satisfies ClientCommand);
    await new Promise((r) => this.worker.once('exit', r));
  }
}

interface RepResult {
  tps: number;
  sent: number;
  ok: number;
  errors: number;
  firstError?: string;
  statuses: Record<number, number>;
  latencies: Float64Array[];
  /** Share of the time the main event loop (the gateway's) was busy. */
  elu: number;
}

/** Splits `txs` between the clients and times them sending all of it at once. */
async function runRep(clients: ClientWorker[], txs: SignedTransfer[]): Promise<RepResult> {
  await Promise.all(clients.map((c, k) => c.load(txs.filter((_, i) => i % clients.length === k))));
  const elu0 = perf.eventLoopUtilization();
  const t0 = now();
  const results = await Promise.all(clients.map((c) => c.go()));
  const seconds = (now() - t0) / 1000;
  const elu = perf.eventLoopUtilization(elu0).utilization;
  const ok = results.reduce((a, r) => a + r.ok, 0);
  return {
    tps: ok / seconds,
    sent: results.reduce((a, r) => a + r.sent, 0),
    ok,
    errors: results.reduce((a, r) => a + r.errors, 0),
    firstError: results.find((r) => r.firstError)?.firstError,
    statuses: mergeCounts(results.map((r) => r.statuses)),
    latencies: results.map((r) => r.latencies),
    elu,
  };
}

function mergeCounts(all: Record<number, number>[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const counts of all) for (const [k, n] of Object.entries(counts)) out[+k] = (out[+k] ?? 0) + n;
  return out;
}

function percentile(all: Float64Array[], p: number): number {
  const xs = all.flatMap((a) => Array.from(a)).sort((a, b) => a - b);
  return xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
}

export async function benchIngest(): Promise<Row[]> {
  progress(`ingest: signing ${WARMUP_TXS + REPS * TXS_PER_REP} transfers`);
  const signer = new TransferSigner();
  const warmup = signer.sign(WARMUP_TXS);
  const reps = Array.from({ length: REPS }, () => signer.sign(TXS_PER_REP));

  const s = await startSealane({
    env: {
      COMPONENTS: 'gateway',
      GATEWAY_PORT: '0',
      GENESIS_PARAMS: JSON.stringify({ publicPoolCapacity: 1_000_000 }),
    },
    logger: ['error'],
  });
  const clients = Array.from({ length: CLIENTS }, () => new ClientWorker(s.gatewayUrl!));
  try {
    const lane = s.app.get(PublicLane);
    // Warm-up: JIT, connections, the gateway's params cache; not counted.
    const w = await runRep(clients, warmup);
    let stored = w.ok;
    const results: RepResult[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const r = await runRep(clients, reps[rep]);
      results.push(r);
      stored += r.ok;
      progress(
        `ingest rep ${rep + 1}/${REPS}: ${r.tps.toFixed(0)} tx/s, ${r.errors} errors, gateway loop ${(r.elu * 100).toFixed(0)}% busy`,
      );
    }
    // Every accepted transaction must really be in the lane, or "accepted" means nothing.
    const inLane = await lane.size();
    const errors = w.errors + results.reduce((a, r) => a + r.errors, 0);
    const firstError = w.firstError ?? results.find((r) => r.firstError)?.firstError;
    if (firstError) progress(`ingest: first failed response: ${firstError}`);

    const statuses = mergeCounts([w, ...results].map((r) => r.statuses));
    const statusNote = Object.entries(statuses)
      .map(([code, n]) => `${n.toLocaleString('en-US')} x HTTP ${code}`)
      .join(', ');
    const tps = median(results.map((r) => r.tps));
    const sent = WARMUP_TXS + REPS * TXS_PER_REP;
    const lat = results.flatMap((r) => r.latencies);
    const reached = tps >= TARGET_TPS ? 'target reached' : 'target NOT reached';
    return [
      {
        name: 'ingest: eth_sendRawTransaction over HTTP',
        value: tps,
        unit: 'tx/s',
        note: `median of ${REPS} x ${TXS_PER_REP.toLocaleString('en-US')} txs, ${CLIENTS} keep-alive clients; ${reached} (${TARGET_TPS.toLocaleString('en-US')})`,
      },
      { name: 'ingest: throughput / target', value: tps / TARGET_TPS, unit: 'x', note: reached },
      {
        name: 'ingest: failed responses',
        value: errors,
        unit: 'responses',
        note: `of ${sent.toLocaleString('en-US')} sent (incl. warm-up); ${inLane.toLocaleString('en-US')} in the lane, ${stored.toLocaleString('en-US')} accepted; ${statusNote}`,
      },
      {
        name: 'ingest: latency p50',
        value: percentile(lat, 50),
        unit: 'ms',
        note: 'per request, client side',
      },
      {
        name: 'ingest: latency p99',
        value: percentile(lat, 99),
        unit: 'ms',
        note: 'per request, client side',
      },
      {
        name: 'ingest: gateway event loop busy',
        value: median(results.map((r) => r.elu)) * 100,
        unit: '%',
        note: 'near 100%: the gateway thread itself is the limit',
      },
    ];
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await s.stop();
  }
}
