/**
 * The encrypted mempool, two figures.
 *
 * Intake: sealane_commit requests per second the gateway accepts over HTTP, from 2 keep-alive
 * clients in worker threads (as in the ingest benchmarks). Only the gateway runs, so no slot is
 * ever sealed and slots 1..100 all stay open. Every commit is signed, encrypted and validated
 * (prepareCommit) before the clock starts; commits are spread over many unfunded senders (the fee
 * is checked by value at commit, not against a balance) and over those 100 slots, with the
 * per-sender limit at its maximum, so that no answer is a rate-limit refusal.
 *
 * Latency: the full sequencer (gateway and builder, no L1), and funded dev keys sending private
 * transactions with the SDK concurrently (one in flight per sender, each started at a random
 * phase of the slot), at a 2 s and a 250 ms slot. For each: the SDK's time from the commit call
 * to the sealed outcome, and the inclusion block minus the open slot at commit time, in slots.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { performance as perf } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { computeAddress, getBytes, hexlify, Signature, Transaction } from 'ethers';
import { ecdsaSign, privateKeyVerify } from 'secp256k1';
import { DEV_KEYS } from '@sealane/config';
import { REDIS } from '@sealane/core';
import {
  checkCommitReceipt,
  commitRequestToJson,
  prepareCommit,
  signedReceiptFromJson,
  type CommitRules,
  type PreparedCommit,
} from '@sealane/mempool';
import { fromHex, nativeRecoveryAvailable, toHex } from '@sealane/protocol';
import type { MempoolInfo } from '@sealane/sdk';
import { Keys, type SealaneRedis } from '@sealane/store';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import type {
  CommitClientCommand,
  CommitClientInit,
  CommitClientReply,
  CommitClientResult,
  PreparedCommitRequest,
} from './mempool.client';
import type { PrivateTxSample, UsersInit, UsersResult } from './mempool.users';
import { L2_CHAIN_ID, median, now, progress, type Row } from './support';

// ---------------------------------------------------------------------------------------------
// Intake

const CLIENTS = 2;
const SENDERS = 200;
/** Slots 1..SLOTS are targeted; the gateway allows at most 100 ahead of head 0. */
const SLOTS = 100;
const WARMUP_COMMITS = 2000;
const COMMITS_PER_REP = 6000;
const REPS = 5;
/** The parameter's maximum; with SENDERS x SLOTS pairs each sees only a few commitments anyway. */
const PER_SENDER_LIMIT = 1000;
const GWEI = 10n ** 9n;

interface Sender {
  key: Uint8Array;
  /** Lowercase, as the gateway names it in receipts. */
  address: string;
  nonce: number;
}

/** Unfunded sender keys, derived from an index: intake checks the fee by value, not balance. */
function makeSenders(n: number): Sender[] {
  const out: Sender[] = [];
  for (let i = 0; out.length < n; i++) {
    const key = new Uint8Array(createHash('sha256').update(`sealane bench committer ${i}`).digest());
    if (!privateKeyVerify(key)) continue;
    out.push({ key, address: computeAddress(hexlify(key)).toLowerCase(), nonce: 0 });
  }
  return out;
}

/** A signed EIP-1559 transfer, signed natively (ethers' JS curve code is far slower). */
function signTransfer(key: Uint8Array, nonce: number, to: string, value: bigint): Uint8Array {
  const tx = Transaction.from({
    type: 2,
    chainId: L2_CHAIN_ID,
    nonce,
    to,
    value,
    gasLimit: 21_000n,
    maxFeePerGas: 100n * GWEI,
    maxPriorityFeePerGas: GWEI,
  });
  const { signature, recid } = ecdsaSign(getBytes(tx.unsignedHash), key);
  tx.signature = Signature.from({
    r: hexlify(signature.slice(0, 32)),
    s: hexlify(signature.slice(32, 64)),
    yParity: recid as 0 | 1,
  });
  return getBytes(tx.serialized);
}

let nextId = 1;
let nextCommit = 0;

interface Prepared {
  request: PreparedCommitRequest;
  prepared: PreparedCommit;
}

/**
 * `count` commits, round-robin over the senders and the slots: a fee transfer (nonce n) to the
 * fee recipient and a hidden transfer (nonce n + 1), encrypted for (sender, slot) with a fresh key.
 * Returns them and the time prepareCommit alone took (encryption and its checks, not signing).
 */
function makeCommits(senders: Sender[], rules: CommitRules, count: number): { out: Prepared[]; ms: number } {
  const out: Prepared[] = [];
  let ms = 0;
  for (let i = 0; i < count; i++) {
    const k = nextCommit++;
    const who = senders[k % senders.length];
    const slot = 1 + (Math.floor(k / senders.length) % SLOTS);
    const n = who.nonce;
    who.nonce += 2;
    const feeTx = signTransfer(who.key, n, rules.feeRecipient, rules.feeWei);
    const signedTx = signTransfer(
      who.key,
      n + 1,
      '0x000000000000000000000000000000000000bEEF',
      1000n + BigInt(n),
    );
    const t0 = now();
    const prepared = prepareCommit({
      signedTx,
      feeTx,
      sender: who.address,
      slot: BigInt(slot),
      params: rules,
    });
    ms += now() - t0;
    const json = commitRequestToJson(prepared.request);
    const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'sealane_commit', params: [json] });
    out.push({ request: [body, toHex(prepared.commitment), json.sender, json.slot], prepared });
  }
  return { out, ms };
}

/** A client in its own worker thread, so the main event loop does gateway work only. */
class CommitClient {
  private readonly worker: Worker;
  private pending: ((r: CommitClientReply) => void) | undefined;

  constructor(url: string) {
    this.worker = new Worker(join(__dirname, 'mempool.client.js'), {
      workerData: { url } satisfies CommitClientInit,
    });
    this.worker.on('message', (r: CommitClientReply) => this.pending?.(r));
    this.worker.on('error', (e) => progress(`commit client failed: ${String(e)}`));
  }

  private ask(cmd: CommitClientCommand): Promise<CommitClientReply> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.worker.postMessage(cmd);
    });
  }

  async load(commits: Prepared[]): Promise<void> {
    await this.ask({ kind: 'load', commits: commits.map((c) => c.request) });
  }

  async go(): Promise<CommitClientResult> {
    return (await this.ask({ kind: 'go' })) as CommitClientResult;
  }

  async close(): Promise<void> {
    this.worker.postMessage({ kind: 'close' } satisfies CommitClientCommand);
    await new Promise((r) => this.worker.once('exit', r));
  }
}

interface RepResult {
  cps: number;
  sent: number;
  ok: number;
  errors: number;
  firstError?: string;
  statuses: Record<number, number>;
  rpcErrors: Record<number, number>;
  latencies: Float64Array[];
  elu: number;
}

async function runRep(clients: CommitClient[], commits: Prepared[]): Promise<RepResult> {
  await Promise.all(clients.map((c, k) => c.load(commits.filter((_, i) => i % clients.length === k))));
  const elu0 = perf.eventLoopUtilization();
  const t0 = now();
  const results = await Promise.all(clients.map((c) => c.go()));
  const seconds = (now() - t0) / 1000;
  const elu = perf.eventLoopUtilization(elu0).utilization;
  const ok = results.reduce((a, r) => a + r.ok, 0);
  return {
    cps: ok / seconds,
    sent: results.reduce((a, r) => a + r.sent, 0),
    ok,
    errors: results.reduce((a, r) => a + r.errors, 0),
    firstError: results.find((r) => r.firstError)?.firstError,
    statuses: mergeCounts(results.map((r) => r.statuses)),
    rpcErrors: mergeCounts(results.map((r) => r.rpcErrors)),
    latencies: results.map((r) => r.latencies),
    elu,
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

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method, params }),
  });
  const r = (await res.json()) as { result?: T; error?: { code: number; message: string } };
  if (r.error) throw new Error(`${method}: ${r.error.message} (code ${r.error.code})`);
  return r.result as T;
}

function rulesOf(info: MempoolInfo): CommitRules {
  return {
    chainId: BigInt(info.chainId),
    feeRecipient: info.feeRecipient,
    feeWei: BigInt(info.commitmentFeeWei),
    minBytes: info.paddingBucketMinBytes,
    maxBytes: info.paddingBucketMaxBytes,
  };
}

export async function benchMempoolIntake(): Promise<Row[]> {
  if (!nativeRecoveryAvailable()) throw new Error('native secp256k1 is not available');
  const s = await startSealane({
    env: {
      COMPONENTS: 'gateway',
      GATEWAY_PORT: '0',
      GENESIS_PARAMS: JSON.stringify({ commitmentsPerSenderPerSlot: PER_SENDER_LIMIT }),
    },
    logger: ['error'],
  });
  const url = s.gatewayUrl!;
  let clients: CommitClient[] = [];
  try {
    const info = await rpc<MempoolInfo>(url, 'sealane_getMempoolInfo');
    if (info.openSlot !== 1) throw new Error(`expected open slot 1 with no builder, got ${info.openSlot}`);
    const rules = rulesOf(info);
    const total = WARMUP_COMMITS + REPS * COMMITS_PER_REP;
    progress(`mempool intake: preparing ${total} commits (${SENDERS} senders x ${SLOTS} slots)`);
    const senders = makeSenders(SENDERS);
    let prepareMs = 0;
    const make = (n: number) => {
      const { out, ms } = makeCommits(senders, rules, n);
      prepareMs += ms;
      return out;
    };
    // One commit sent by hand first: its receipt must pass the SDK's own check, or "accepted"
    // would mean nothing. It is not counted below.
    const [probe] = make(1);
    const trust = {
      sequencer: info.sequencer,
      domain: { chainId: BigInt(info.domain.chainId), salt: fromHex(info.domain.salt) },
    };
    const receipt = await rpc<unknown>(url, 'sealane_commit', [commitRequestToJson(probe.prepared.request)]);
    checkCommitReceipt(probe.prepared, signedReceiptFromJson(receipt), trust);
    const warmup = make(WARMUP_COMMITS);
    const reps = Array.from({ length: REPS }, () => make(COMMITS_PER_REP));
    const prepareRate = (total + 1) / (prepareMs / 1000);

    clients = Array.from({ length: CLIENTS }, () => new CommitClient(url));
    const w = await runRep(clients, warmup);
    const results: RepResult[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const r = await runRep(clients, reps[rep]);
      results.push(r);
      progress(
        `mempool intake rep ${rep + 1}/${REPS}: ${r.cps.toFixed(0)} commits/s, ${r.errors} errors, ` +
          `gateway loop ${(r.elu * 100).toFixed(0)}% busy`,
      );
    }

    // Every accepted commitment must be stored in its slot's order.
    const redis = s.app.get<symbol, SealaneRedis>(REDIS);
    const keys = s.app.get(Keys);
    let stored = 0;
    for (let slot = 1; slot <= SLOTS; slot++) stored += await redis.llen(keys.slotCommitments(slot));

    const all = [w, ...results];
    const errors = all.reduce((a, r) => a + r.errors, 0);
    const accepted = 1 + all.reduce((a, r) => a + r.ok, 0);
    const firstError = all.find((r) => r.firstError)?.firstError;
    if (firstError) progress(`mempool intake: first failed response: ${firstError}`);
    const statusNote = [counts(mergeCounts(all.map((r) => r.statuses)), 'HTTP')]
      .concat(errors ? [counts(mergeCounts(all.map((r) => r.rpcErrors)), 'JSON-RPC error')] : [])
      .join('; ');
    const cps = median(results.map((r) => r.cps));
    const lat = results.flatMap((r) => r.latencies.flatMap((a) => Array.from(a)));
    const spread = (xs: number[]) => `min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}`;
    return [
      {
        name: 'mempool intake: sealane_commit over HTTP',
        value: cps,
        unit: 'commits/s',
        note: `median of ${REPS} x ${COMMITS_PER_REP.toLocaleString('en-US')}, ${CLIENTS} keep-alive clients, ${SENDERS} senders x ${SLOTS} slots, pre-encrypted (${spread(results.map((r) => r.cps))})`,
      },
      {
        name: 'mempool intake: failed responses',
        value: errors,
        unit: 'responses',
        note: `of ${(total + 1).toLocaleString('en-US')} sent (incl. warm-up and 1 probe); ${accepted.toLocaleString('en-US')} accepted, ${stored.toLocaleString('en-US')} stored; ${statusNote}`,
      },
      { name: 'mempool intake: latency p50', value: percentile(lat, 50), unit: 'ms', note: 'client side' },
      { name: 'mempool intake: latency p99', value: percentile(lat, 99), unit: 'ms', note: 'client side' },
      {
        name: 'mempool intake: gateway event loop busy',
        value: median(results.map((r) => r.elu)) * 100,
        unit: '%',
        note: 'share of the timed runs the main thread (gateway only) was busy; near 100%: it is the limit',
      },
      {
        name: 'mempool intake: client prepareCommit',
        value: prepareRate,
        unit: 'commits/s',
        note: 'encrypt + local checks (2 native recoveries), 1 thread; signing excluded; not part of the HTTP figure',
      },
    ];
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await s.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Commit-to-inclusion latency

interface LatencyCase {
  slotMs: number;
  auctionCloseOffsetMs: number;
  revealWindowMs: number;
  /** Timed private transactions, after one untimed per user. */
  count: number;
}

const LATENCY_CASES: LatencyCase[] = [
  { slotMs: 2000, auctionCloseOffsetMs: 150, revealWindowMs: 100, count: 90 },
  { slotMs: 250, auctionCloseOffsetMs: 120, revealWindowMs: 80, count: 450 },
];
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
  const { slotMs, auctionCloseOffsetMs, revealWindowMs, count } = c;
  const s: Sealane = await startSealane({
    env: {
      COMPONENTS: 'gateway,builder',
      GATEWAY_PORT: '0',
      L1_RPC_URL: 'http://127.0.0.1:1',
      INBOX_ADDRESS: '0x' + '11'.repeat(20),
      GENESIS_PARAMS: JSON.stringify({ slotMs, auctionCloseOffsetMs, revealWindowMs }),
    },
    logger: ['error'],
  });
  const label = `mempool latency @ ${slotMs} ms slot`;
  let samples: PrivateTxSample[];
  let seconds: number;
  try {
    progress(`${label}: ${USER_KEYS.length} users, 1 warm-up each, then ${count} private transactions`);
    const t0 = now();
    const r = await runUsers({
      url: s.gatewayUrl!,
      keys: [...USER_KEYS],
      slotMs,
      warmup: true,
      count,
      pollMs: POLL_MS,
      timeoutMs: TIMEOUT_MS,
    });
    seconds = (now() - t0) / 1000;
    if (r.fatal) throw new Error(`users failed: ${r.fatal}`);
    samples = r.samples;
  } finally {
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
  const other = [...outcomes].map(([k, v]) => `${v} ${k}`);
  const cfg = `close offset ${auctionCloseOffsetMs} ms, reveal window ${revealWindowMs} ms`;
  return [
    {
      name: `${label}: commit to sealed, p50`,
      value: percentile(ms, 50),
      unit: 'ms',
      note: `${n}; ${USER_KEYS.length} concurrent SDK users, random slot phase; order seen after p50 ${percentile(ordered, 50)} ms; SDK polls every ${POLL_MS} ms`,
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

export async function benchMempoolLatency(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of LATENCY_CASES) rows.push(...(await benchLatency(c)));
  return rows;
}
