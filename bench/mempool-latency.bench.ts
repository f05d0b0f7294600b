/**
 * Commit-to-inclusion latency of private transactions: the full sequencer (gateway and builder,
 * no L1), and funded dev keys sending private transactions with the SDK concurrently (one in
 * flight per sender, each started at a random phase of the slot), at a 2 s and a 250 ms slot, in
 * both modes in the same run: 'user' (the SDK waits for the order and reveals its key) and
 * 'keypers' (the SDK returns once receipted; the five keypers of the devnet set, t = 3, run in
 * the sequencer's process and release the slot's key after the order). For each: the time from
 * the commit call to the sealed outcome, and the inclusion block minus the open slot, in slots;
 * in keyper mode also the key release latency: from the order's announcement on the order
 * channel to the t-th share in the store, as an observer subscribed to that channel sees it.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DEV_KEYS } from '@sealane/config';
import { REDIS } from '@sealane/core';
import { KeyperStore, Keys, type SealaneRedis } from '@sealane/store';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import type { PrivateTxSample, UsersInit, UsersResult } from './mempool.users';
import { now, percentile, progress, type Row } from './support';

interface LatencyCase {
  reveal: 'user' | 'keypers';
  slotMs: number;
  auctionCloseOffsetMs: number;
  revealWindowMs: number;
  /** Timed private transactions, after one untimed per user. */
  count: number;
}

const LATENCY_CASES: LatencyCase[] = (['user', 'keypers'] as const).flatMap((reveal) => [
  { reveal, slotMs: 2000, auctionCloseOffsetMs: 150, revealWindowMs: 100, count: 90 },
  { reveal, slotMs: 250, auctionCloseOffsetMs: 120, revealWindowMs: 80, count: 450 },
]);
/** Funded dev keys 1..9; key 0 is the sequencer's (the fee recipient), whose nonces are Sealane's. */
const USER_KEYS = DEV_KEYS.slice(1);
/** The SDK's order and outcome polling interval (its default is 25 ms). */
const POLL_MS = 10;
const TIMEOUT_MS = 30_000;

function runUsers(init: UsersInit): Promise<UsersResult & { fatal?: string }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'mempool.users.js'), { workerData: init });
    worker.once('message', (r: UsersResult & { fatal?: string }) => {
      resolve(r);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

async function benchLatency(c: LatencyCase): Promise<Row[]> {
  const { reveal, slotMs, auctionCloseOffsetMs, revealWindowMs, count } = c;
  const s: Sealane = await startSealane({
    env: {
      ...(reveal === 'keypers'
        ? { COMPONENTS: 'gateway,builder,keyper', KEYPER_INDEX: '1,2,3,4,5', KEYPER_DKG_PHASE_MS: '2000' }
        : { COMPONENTS: 'gateway,builder' }),
      GATEWAY_PORT: '0',
      L1_RPC_URL: 'http://127.0.0.1:1',
      INBOX_ADDRESS: '0x' + '11'.repeat(20),
      GENESIS_PARAMS: JSON.stringify({ slotMs, auctionCloseOffsetMs, revealWindowMs }),
    },
    logger: ['error'],
  });
  const label = `mempool latency @ ${slotMs} ms slot, reveal by ${reveal === 'user' ? 'user' : 'keypers'}`;
  let samples: PrivateTxSample[];
  let seconds: number;
  let release: ReleaseWatch | undefined;
  try {
    if (reveal === 'keypers') release = await watchRelease(s);
    progress(`${label}: ${USER_KEYS.length} users, 1 warm-up each, then ${count} private transactions`);
    const t0 = now();
    const r = await runUsers({
      url: s.gatewayUrl!,
      keys: [...USER_KEYS],
      slotMs,
      warmup: true,
      count,
      reveal,
      pollMs: POLL_MS,
      timeoutMs: TIMEOUT_MS,
    });
    seconds = (now() - t0) / 1000;
    if (r.fatal) throw new Error(`users failed: ${r.fatal}`);
    samples = r.samples;
  } finally {
    await release?.stop();
    await s.stop();
  }

  const included = samples.filter((x) => x.state === 'included' && x.block !== undefined);
  // What happened to the rest, grouped: outcome, the builder's reason, and the SDK's error if it
  // threw (slot numbers dropped so that like groups with like).
  const outcomes = new Map<string, number>();
  for (const x of samples.filter((y) => !included.includes(y))) {
    const sdkError = x.error?.replace(/^\w*Error: /, '').replace(/slot \d+/g, 'slot N');
    const key = [x.state, x.reason && `(${x.reason})`, sdkError && `after SDK error "${sdkError}"`]
      .filter(Boolean)
      .join(' ');
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }
  for (const [k, v] of outcomes) progress(`${label}: ${v} x ${k}`);
  const ms = included.map((x) => x.sealedMs!);
  const slots = included.map((x) => x.block! - x.openSlot);
  const rolled = included.filter((x) => x.slot! > x.openSlot).length;
  const ordered = included.map((x) => x.orderedMs!);
  progress(
    `${label}: ${included.length}/${samples.length} included in ${seconds.toFixed(0)} s; ` +
      `p50 ${percentile(ms, 50)} ms / ${percentile(slots, 50)} slots`,
  );
  const n = `${included.length} included`;
  const releaseRows: Row[] = release
    ? [
        {
          name: `${label}: key release after the order, p50`,
          value: percentile(release.ms, 50),
          unit: 'ms',
          note: `${release.ms.length} slots with commitments: order announced -> ${3}rd share stored; 5 keypers in the sequencer's process (blst signing)`,
        },
        {
          name: `${label}: key release after the order, p99`,
          value: percentile(release.ms, 99),
          unit: 'ms',
          note: `max ${Math.max(...release.ms)} ms`,
        },
      ]
    : [];
  const other = [...outcomes].map(([k, v]) => `${v} ${k}`);
  const cfg = `close offset ${auctionCloseOffsetMs} ms, reveal window ${revealWindowMs} ms`;
  return [
    ...releaseRows,
    {
      name: `${label}: commit to sealed, p50`,
      value: percentile(ms, 50),
      unit: 'ms',
      note:
        reveal === 'user'
          ? `${n}; ${USER_KEYS.length} concurrent SDK users, random slot phase; order seen after p50 ${percentile(ordered, 50)} ms; SDK polls every ${POLL_MS} ms`
          : `${n}; ${USER_KEYS.length} concurrent SDK users, random slot phase; the SDK returns at the receipt (p50 ${percentile(
              included.map((x) => x.committedMs ?? 0),
              50,
            )} ms), the outcome is polled every ${POLL_MS} ms`,
    },
    {
      name: `${label}: commit to sealed, p99`,
      value: percentile(ms, 99),
      unit: 'ms',
      note: `${n}${included.length < 100 ? ', so p99 is the max' : `; max ${Math.max(...ms)} ms`}`,
    },
    {
      name: `${label}: inclusion, p50`,
      value: percentile(slots, 50),
      unit: 'slots',
      note: `inclusion block - open slot at commit; ${rolled} of ${included.length} rolled to the next slot (open slot already closed)`,
    },
    {
      name: `${label}: inclusion, p99`,
      value: percentile(slots, 99),
      unit: 'slots',
      note: `max ${Math.max(...slots)}`,
    },
    {
      name: `${label}: included`,
      value: included.length,
      unit: 'txs',
      note: `of ${samples.length} timed (${other.length ? other.join(', ') : 'none skipped, expired or failed'}); ${cfg}; ${seconds.toFixed(0)} s incl. warm-up`,
    },
  ];
}

interface ReleaseWatch {
  ms: number[];
  stop(): Promise<void>;
}

/** Times each slot's key release: the order channel's message, then the shares until t are in. */
async function watchRelease(s: Sealane): Promise<ReleaseWatch> {
  const redis = s.app.get<SealaneRedis>(REDIS);
  const keys = s.app.get(Keys);
  const store = new KeyperStore(redis, keys);
  const sub = redis.duplicate();
  const ms: number[] = [];
  const pending: Promise<void>[] = [];
  sub.on('message', (_c: string, m: string) => {
    const t0 = now();
    const slot = Number(m);
    pending.push(
      (async () => {
        for (let i = 0; i < 2000; i++) {
          if ((await store.shares(slot)).size >= 3) return void ms.push(Math.round(now() - t0));
          await new Promise((r) => setTimeout(r, 1));
        }
      })(),
    );
  });
  await sub.subscribe(keys.orderChannel());
  return {
    ms,
    stop: async () => {
      await Promise.all(pending);
      sub.disconnect();
    },
  };
}

export async function benchMempoolLatency(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of LATENCY_CASES) rows.push(...(await benchLatency(c)));
  return rows;
}
