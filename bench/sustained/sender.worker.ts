/**
 * One open-loop load client of the sustained benchmark, run in a worker thread (see senders.ts):
 * signs its share of a step's transfers before the step (native libsecp256k1, TransferSigner),
 * then sends request i at its scheduled time whatever the answers before it did. Requests wait
 * in the connection pool only when every connection is busy; that wait, like a late answer,
 * counts against latency, because times are measured from the schedule, not from the send.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';
import { TransferSigner } from '../support';

export interface SenderInit {
  url: string;
  /** Keep-alive connections of this client. */
  connections: number;
}

export type SenderCommand =
  /** Sign `count` transfers round-robin over `keys` (hex), nonces from 0; keep every `sampleEvery`-th hash. */
  | { kind: 'sign'; keys: string[]; count: number; sampleEvery: number }
  /** Send request i at `startAt + offsetMs + i * intervalMs` (epoch ms, this machine's clock). */
  | { kind: 'go'; startAt: number; offsetMs: number; intervalMs: number }
  | { kind: 'close' };

export interface SenderSigned {
  kind: 'signed';
  /** Hashes of requests 0, sampleEvery, 2 * sampleEvery, ... */
  sampled: string[];
  ms: number;
}

export interface SenderResult {
  kind: 'done';
  /** 1 where the answer was the transaction's hash. */
  ok: Uint8Array;
  /** Answer time minus scheduled time, ms (NaN without an answer). */
  answerMs: Float64Array;
  /** Latest a request left after its scheduled time, ms: the client's own lag. */
  maxSendLagMs: number;
  /** JSON-RPC error codes of refused requests (-1: HTTP or network failure), counted. */
  errors: Record<number, number>;
  firstError?: string;
}

const { url, connections } = workerData as SenderInit;
const pool = new Pool(url, {
  connections,
  pipelining: 1,
  keepAliveTimeout: 60_000,
  headersTimeout: 60_000,
  bodyTimeout: 60_000,
});
const port = parentPort!;
const HEADERS = { 'content-type': 'application/json' };
let bodies: string[] = [];
let hashes: string[] = [];

function sign(keys: string[], count: number, sampleEvery: number): SenderSigned {
  const t0 = performance.now();
  const signer = new TransferSigner(keys);
  bodies = new Array<string>(count);
  hashes = new Array<string>(count);
  for (let i = 0; i < count; i += 1000) {
    const txs = signer.sign(Math.min(1000, count - i));
    txs.forEach((t, k) => {
      bodies[i + k] =
        `{"jsonrpc":"2.0","id":${i + k},"method":"eth_sendRawTransaction","params":["${t.raw}"]}`;
      hashes[i + k] = t.hash;
    });
  }
  const sampled = hashes.filter((_, i) => i % sampleEvery === 0);
  return { kind: 'signed', sampled, ms: performance.now() - t0 };
}

function go(startAt: number, offsetMs: number, intervalMs: number): Promise<SenderResult> {
  const n = bodies.length;
  const ok = new Uint8Array(n);
  const answerMs = new Float64Array(n).fill(NaN);
  const errors: Record<number, number> = {};
  let firstError: string | undefined;
  let maxSendLagMs = 0;
  let answered = 0;
  // Times on this thread's clock: the epoch start mapped through this worker's time origin.
  const t0 = startAt - performance.timeOrigin + offsetMs;
  const due = (i: number) => t0 + i * intervalMs;
  const fail = (code: number, what: string) => {
    errors[code] = (errors[code] ?? 0) + 1;
    firstError ??= what;
  };
  return new Promise((resolve) => {
    const settle = () => {
      if (++answered === n) resolve({ kind: 'done', ok, answerMs, maxSendLagMs, errors, firstError });
    };
    const fire = (i: number) => {
      pool
        .request({ path: '/', method: 'POST', headers: HEADERS, body: bodies[i] })
        .then(async (res) => {
          const text = await res.body.text();
          answerMs[i] = performance.now() - due(i);
          const json = JSON.parse(text) as { result?: unknown; error?: { code?: number; message?: string } };
          if (json.result === hashes[i]) ok[i] = 1;
          else if (json.error) fail(json.error.code ?? 0, `${json.error.code}: ${json.error.message}`);
          else fail(-1, `HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
        })
        .catch((e: unknown) => fail(-1, String(e)))
        .finally(settle);
    };
    let next = 0;
    const tick = () => {
      const now = performance.now();
      for (; next < n && due(next) <= now; next++) {
        maxSendLagMs = Math.max(maxSendLagMs, now - due(next));
        fire(next);
      }
      if (next < n) setTimeout(tick, Math.max(0, due(next) - performance.now()));
    };
    if (n === 0) resolve({ kind: 'done', ok, answerMs, maxSendLagMs, errors });
    else tick();
  });
}

port.on('message', (cmd: SenderCommand) => {
  if (cmd.kind === 'sign') port.postMessage(sign(cmd.keys, cmd.count, cmd.sampleEvery));
  else if (cmd.kind === 'go')
    void go(cmd.startAt, cmd.offsetMs, cmd.intervalMs).then((r) => {
      bodies = [];
      hashes = [];
      port.postMessage(r, [r.ok.buffer, r.answerMs.buffer]);
    });
  else void pool.close().then(() => port.close());
});
