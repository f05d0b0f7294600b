/**
 * The sustained-throughput benchmark: for each slot setting, the whole pipeline in separate
 * processes (pipeline.ts), its public senders funded through it (fund.ts), then open-loop
 * public transfers at rising rates beside a fixed side load, one step per rate (step.ts), until
 * a step is not sustained. Rows: one per (slot setting,
 * rate) and the highest sustained rate per slot setting, with what bounded it.
 */
import { hexlify, Wallet } from 'ethers';
import { SealaneClient } from '@sealane/sdk';
import { derivedKeys, progress, type Row } from '../support';
import { scrape } from './metrics';
import { fundSenders } from './fund';
import { cleanUpOnExit, Pipeline } from './pipeline';
import { Senders } from './senders';
import { runStep, stepNote, type StepResult } from './step';

export interface SustainedOptions {
  /** Offered public transfers per second, one step each, in rising order. */
  rates: number[];
  stepS: number;
  /** Load before each measured window (at least 4 slots are used). */
  warmupS: number;
  slotMs: number[];
  /** L2_BLOCK_GAS_LIMIT of the engine's genesis and the builder's budget. */
  gasLimit: number;
}

export const SUSTAINED_DEFAULTS: SustainedOptions = {
  rates: [500, 1000, 2000, 3000, 4000],
  stepS: 60,
  warmupS: 5,
  slotMs: [2000, 250],
  gasLimit: 30_000_000,
};

const TRANSFER_GAS = 21_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Senders per step: each sends at most this many transfers a second, far from the 64-nonce window. */
const PER_SENDER_TX_PER_S = 8;

export async function benchSustained(o: SustainedOptions = SUSTAINED_DEFAULTS): Promise<Row[]> {
  const release = cleanUpOnExit();
  try {
    const rows: Row[] = [];
    for (const slotMs of o.slotMs) rows.push(...(await oneSetting(o, slotMs)));
    return rows;
  } finally {
    release();
  }
}

async function oneSetting(o: SustainedOptions, slotMs: number): Promise<Row[]> {
  const perStep = o.rates.map((r) => Math.max(64, Math.ceil(r / PER_SENDER_TX_PER_S)));
  const all = derivedKeys(
    'sustained public',
    perStep.reduce((a, n) => a + n, 0),
  );
  const stepKeys = perStep.map((n, i) => {
    const from = perStep.slice(0, i).reduce((a, m) => a + m, 0);
    return all.slice(from, from + n).map((k) => hexlify(k.key));
  });
  const wallets = (label: string, n: number) => derivedKeys(label, n).map((k) => new Wallet(hexlify(k.key)));
  const searchers = wallets('sustained searcher', 5);
  const users = wallets('sustained private', 4);
  const funders = wallets('sustained funder', Math.min(32, Math.ceil(all.length / 56)));
  const funded = [...funders, ...searchers, ...users].map((w) => w.address);
  progress(`sustained @ ${slotMs} ms: starting Redis, two anvils, gateway, builder, poster`);
  const p = await Pipeline.start({ slotMs, gasLimit: o.gasLimit, funded });
  const senders = new Senders(p.gateway);
  const results: StepResult[] = [];
  try {
    const { feeRecipient } = await new SealaneClient(p.gateway).mempoolInfo();
    await fundSenders(
      p.gateway,
      p.devnet.l2RpcUrl,
      funders.map((w) => w.privateKey),
      all.map((k) => k.address),
      slotMs,
    );
    await drain(p, slotMs);
    const warmupS = Math.max(o.warmupS, (4 * slotMs) / 1000);
    for (const [i, rate] of o.rates.entries()) {
      progress(
        `sustained @ ${slotMs} ms, ${rate} tx/s: signing ${Math.ceil(rate * (warmupS + o.stepS))} transfers from ${stepKeys[i].length} senders, then ${warmupS} s warm-up and ${o.stepS} s measured`,
      );
      const r = await runStep(p, senders, {
        rate,
        warmupS,
        stepS: o.stepS,
        slotMs,
        keys: stepKeys[i],
        searchers,
        users,
        feeRecipient,
      });
      results.push(r);
      progress(`sustained @ ${slotMs} ms, ${rate} tx/s: ${stepNote(r)}`);
      if (!r.sustained) break;
      await drain(p, slotMs);
    }
  } finally {
    await senders.close();
    await p.stop();
  }
  return rowsOf(results, slotMs, o.gasLimit);
}

/** Waits (at most 30 s) for the public lane to empty, so the next step starts from none. */
async function drain(p: Pipeline, slotMs: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const depth = (await scrape(p.builderMetrics)).find(
      (m) => m.name === 'sealane_builder_public_lane_depth',
    );
    if ((depth?.value ?? 0) === 0) break;
    await sleep(slotMs);
  }
  await sleep(2 * slotMs);
}

function rowsOf(results: StepResult[], slotMs: number, gasLimit: number): Row[] {
  const rows: Row[] = results.map((r) => ({
    name: `sustained @ ${slotMs} ms, ${r.rate} tx/s offered: sealed`,
    value: r.sealed,
    unit: 'tx/s',
    note: stepNote(r),
  }));
  const ok = results.filter((r) => r.sustained);
  const best = ok.length ? ok[ok.length - 1].rate : 0;
  const perBlock = Math.floor(gasLimit / TRANSFER_GAS);
  const cap = (perBlock * 1000) / slotMs;
  const failed = results.find((r) => !r.sustained);
  const looked = failed ?? results[results.length - 1];
  rows.push({
    name: `sustained @ ${slotMs} ms: highest rate`,
    value: best,
    unit: 'tx/s',
    note: [
      `highest sustained of ${results.map((r) => r.rate).join(', ')} tx/s`,
      `gas limit ${(gasLimit / 1e6).toFixed(0)}M = ${perBlock} transfers a block = ${cap.toFixed(0)} tx/s (${((gasLimit * 1000) / slotMs / 1e6).toFixed(0)} Mgas/s) at most`,
      failed
        ? `first not sustained: ${failed.rate} tx/s (${failed.reasons.join('; ')})`
        : 'every rate tried was sustained',
      looked ? bound(looked) : '',
    ]
      .filter(Boolean)
      .join('; '),
  });
  return rows;
}

/** What bounded a step: the gas limit, the builder (its slowest phase) or the busiest process. */
export function bound(r: StepResult): string {
  const phases = r.phases.filter((x) => Number.isFinite(x.meanMs));
  const work = phases.reduce((a, x) => a + x.meanMs, 0);
  const slowest = [...phases].sort((a, b) => b.meanMs - a.meanMs)[0];
  const busiest = [...r.cpu].filter((x) => Number.isFinite(x.pct)).sort((a, b) => b.pct - a.pct)[0];
  const parts = [
    `at ${r.rate} tx/s the builder worked ${work.toFixed(0)} ms a slot of ${r.slotMs} ms` +
      (slowest ? `, most in ${slowest.phase} (mean ${slowest.meanMs.toFixed(0)} ms)` : ''),
  ];
  if (busiest) parts.push(`busiest process ${busiest.name} at ${busiest.pct.toFixed(0)}% of a core`);
  return parts.join(', ');
}
