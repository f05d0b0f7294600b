/**
 * One step of the sustained benchmark: a rate held for a warm-up and then a measured window, with
 * the side load running throughout, and the figures of the window: offered, accepted and sealed
 * tx/s, gas/s, submit-to-sealed latency of a sample, slot overruns, the poster's lag, the lane's
 * backlog, the builder's phase timings and each process's CPU; then whether it was sustained.
 */
import { Wallet } from 'ethers';
import { rpcBatch } from '../soak/procs';
import { percentile, progress } from '../support';
import { delta, histogramDelta, scrape } from './metrics';
import type { Pipeline } from './pipeline';
import { epochMs, type Senders } from './senders';
import { SideLoad, sideNote, type SideCounts } from './side-load';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PHASES = ['close', 'clear', 'plan', 'seal', 'record'] as const;
/** Transfers in a step's latency sample, about. */
const SAMPLE = 2000;

export interface StepSpec {
  rate: number;
  warmupS: number;
  stepS: number;
  slotMs: number;
  /** Hex keys of this step's senders: fresh ones each step, so no nonce is left over from another. */
  keys: string[];
  searchers: Wallet[];
  users: Wallet[];
  feeRecipient: string;
}

export interface StepResult {
  slotMs: number;
  rate: number;
  offered: number;
  accepted: number;
  sealed: number;
  gasPerS: number;
  p50: number;
  p99: number;
  /** Sampled accepted transfers without a receipt by the end of the drain. */
  unsealedSamples: number;
  samples: number;
  overruns: number;
  maxPosterLag: number;
  backlog: number;
  sealDelayP99: number;
  blockTxsMax: number;
  phases: { phase: string; meanMs: number; p99Ms: number }[];
  cpu: { name: string; pct: number }[];
  /** Refused or failed requests by JSON-RPC code (-1: HTTP or network), over the whole step. */
  refusals: Record<number, number>;
  /** What the gateway counted as accepted in the window (its own metric), per second. */
  gatewayAccepted: number;
  firstError?: string;
  maxSendLagMs: number;
  signS: number;
  side: SideCounts;
  sustained: boolean;
  reasons: string[];
}

export async function runStep(p: Pipeline, senders: Senders, s: StepSpec): Promise<StepResult> {
  const { rate, slotMs } = s;
  const count = Math.ceil(rate * (s.warmupS + s.stepS));
  const signMs = await senders.sign(s.keys, count, Math.max(1, Math.floor((rate * s.stepS) / SAMPLE)));
  p.assertAlive();
  const startAt = epochMs() + 500;
  const winFrom = startAt + s.warmupS * 1000;
  const winTo = winFrom + s.stepS * 1000;
  const side = new SideLoad(
    {
      gateway: p.gateway,
      l2Url: p.devnet.l2RpcUrl,
      slotMs,
      feeRecipient: s.feeRecipient,
      head: () => p.head,
    },
    s.searchers,
    s.users,
  );
  side.start();
  const sending = senders.send(startAt, rate);
  await sleep(winFrom - epochMs());
  const [b0, g0, cpu0] = [await scrape(p.builderMetrics), await scrape(p.gateway), p.cpu()];
  const cpuAt0 = epochMs();
  let maxPosterLag = 0;
  while (epochMs() < winTo) {
    const lag = await scrape(p.posterMetrics).then(
      (x) => x.find((m) => m.name === 'sealane_batcher_lag_blocks')?.value ?? 0,
      () => 0,
    );
    maxPosterLag = Math.max(maxPosterLag, lag);
    await sleep(Math.min(1000, winTo - epochMs()));
  }
  const [b1, g1, cpu1] = [await scrape(p.builderMetrics), await scrape(p.gateway), p.cpu()];
  const cpuSpan = (epochMs() - cpuAt0) / 1000;
  progress(
    `sustained @ ${slotMs} ms, ${rate} tx/s: window over; waiting for the answers and the sample's blocks`,
  );
  const sends = await sending;
  const sideCounts = side.stop();
  p.assertAlive();

  // Accepted and offered: transfers scheduled inside the window.
  const first = Math.ceil(((winFrom - startAt) * rate) / 1000);
  const last = Math.min(sends.count, Math.ceil(((winTo - startAt) * rate) / 1000));
  let accepted = 0;
  for (let j = first; j < last; j++) if (sends.ok(j)) accepted++;

  // Latency of the sample: scheduled time to its block's arrival on the event bus.
  const sample = sends.samples.filter((x) => x.j >= first && x.j < last && sends.ok(x.j));
  const blockOf = new Map<string, number>();
  const drainUntil = Date.now() + Math.max(10_000, 10 * slotMs);
  for (let todo = sample; todo.length && Date.now() < drainUntil;) {
    const rs = await rpcBatch<{ blockNumber: string } | null>(
      p.devnet.l2RpcUrl,
      todo.map((x) => ['eth_getTransactionReceipt', [x.hash]]),
    );
    rs.forEach((r, i) => r && blockOf.set(todo[i].hash, Number(r.blockNumber)));
    todo = todo.filter((x) => !blockOf.has(x.hash) || !p.blocks.has(blockOf.get(x.hash)!));
    if (todo.length) await sleep(slotMs);
  }
  const lat = sample.map((x) => {
    const at = p.blocks.get(blockOf.get(x.hash) ?? -1)?.at;
    return at === undefined ? Infinity : at - (startAt + (x.j * 1000) / rate);
  });

  // Blocks recorded as sealed inside the window, and their gas.
  const inWindow = [...p.blocks].filter(([, b]) => b.at >= winFrom && b.at < winTo).map(([n]) => n);
  const heads = await rpcBatch<{ gasUsed: string; transactions: string[] } | null>(
    p.devnet.l2RpcUrl,
    inWindow.map((n) => ['eth_getBlockByNumber', ['0x' + n.toString(16), false]]),
  );
  const sealedTxs = inWindow.reduce((a, n) => a + p.blocks.get(n)!.txCount, 0);
  const gas = heads.reduce((a, h) => a + Number(h?.gasUsed ?? 0), 0);

  const r: StepResult = {
    slotMs,
    rate,
    offered: (last - first) / s.stepS,
    accepted: accepted / s.stepS,
    sealed: sealedTxs / s.stepS,
    gasPerS: gas / s.stepS,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    unsealedSamples: lat.filter((x) => x === Infinity).length,
    samples: lat.length,
    overruns: delta(b0, b1, 'sealane_builder_slot_overruns_total'),
    maxPosterLag,
    backlog: b1.find((m) => m.name === 'sealane_builder_public_lane_depth')?.value ?? NaN,
    sealDelayP99: histogramDelta(b0, b1, 'sealane_builder_seal_delay_seconds').p99 * 1000,
    blockTxsMax: Math.max(0, ...inWindow.map((n) => p.blocks.get(n)!.txCount)),
    phases: PHASES.map((phase) => {
      const h = histogramDelta(b0, b1, 'sealane_builder_slot_phase_seconds', { phase });
      return { phase, meanMs: h.mean * 1000, p99Ms: h.p99 * 1000 };
    }),
    cpu: [...cpu1].map(([name, t]) => ({ name, pct: (100 * (t - (cpu0.get(name) ?? NaN))) / cpuSpan })),
    refusals: sends.errors,
    gatewayAccepted:
      delta(g0, g1, 'sealane_gateway_requests_total', { method: 'eth_sendRawTransaction', code: '0' }) /
      s.stepS,
    firstError: sends.firstError,
    maxSendLagMs: sends.maxSendLagMs,
    signS: signMs / 1000,
    side: await sideCounts,
    sustained: false,
    reasons: [],
  };
  judge(r);
  return r;
}

/** The criteria: accepted ≈ offered, sealed keeps up, backlog under a slot, no overrun, p99 < 2 slots. */
function judge(r: StepResult): void {
  const why = r.reasons;
  if (r.accepted < 0.99 * r.offered) why.push(`accepted ${pct(r.accepted / r.offered)} of offered`);
  if (r.sealed < 0.95 * r.accepted) why.push(`sealed ${pct(r.sealed / r.accepted)} of accepted`);
  const slotWorth = (r.rate * r.slotMs) / 1000;
  if (!(r.backlog < slotWorth))
    why.push(`backlog ${r.backlog} txs at the end (a slot's worth: ${slotWorth})`);
  if (r.overruns > 0) why.push(`${r.overruns} slot overruns`);
  if (!(r.p99 < 2 * r.slotMs)) why.push(`p99 ${fmtMs(r.p99)} ≥ 2 slots`);
  r.sustained = why.length === 0;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const fmtMs = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} ms` : 'unsealed');

/** The step's figures as one row's note. */
export function stepNote(r: StepResult): string {
  const phases = r.phases
    .filter((x) => Number.isFinite(x.meanMs))
    .map((x) => `${x.phase} ${x.meanMs.toFixed(0)}/${fmtP99(x.p99Ms)}`)
    .join(', ');
  const cpu = r.cpu
    .filter((x) => Number.isFinite(x.pct))
    .sort((a, b) => b.pct - a.pct)
    .map((x) => `${x.name} ${x.pct.toFixed(0)}%`)
    .join(', ');
  const refused = Object.entries(r.refusals)
    .map(([code, n]) => `${n} x ${code}`)
    .join(', ');
  return [
    r.sustained ? 'SUSTAINED' : `NOT sustained (${r.reasons.join('; ')})`,
    `offered ${r.offered.toFixed(0)}, accepted ${r.accepted.toFixed(0)} (gateway's count ${r.gatewayAccepted.toFixed(0)}), sealed ${r.sealed.toFixed(0)} tx/s`,
    `${(r.gasPerS / 1e6).toFixed(1)} Mgas/s, fullest block ${r.blockTxsMax} txs`,
    `submit to sealed p50 ${fmtMs(r.p50)}, p99 ${fmtMs(r.p99)} (${r.samples} sampled${r.unsealedSamples ? `, ${r.unsealedSamples} unsealed` : ''})`,
    `overruns ${r.overruns}, seal delay p99 ≤ ${fmtP99(r.sealDelayP99)} ms, backlog ${r.backlog}, max poster lag ${r.maxPosterLag} blocks`,
    `builder phases mean/p99 ms: ${phases}`,
    `cpu (100% = a core): ${cpu}`,
    `${refused ? `refused: ${refused}; ` : ''}client lag ≤ ${r.maxSendLagMs.toFixed(0)} ms, signed in ${r.signS.toFixed(0)} s`,
    sideNote(r.side),
  ].join('; ');
}

const fmtP99 = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(0) : '>10000');
