/**
 * One ingest client, run in a worker thread: sends its transactions to the gateway one
 * eth_sendRawTransaction request at a time over a single keep-alive connection, and checks
 * that every answer is the transaction's hash.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Client } from 'undici';

export interface ClientInit {
  url: string;
}

export type ClientCommand =
  /** Transactions to send next, as [raw, expected hash]; loaded before the clock starts. */
  { kind: 'load'; txs: [raw: string, hash: string][] } | { kind: 'go' } | { kind: 'close' };

export interface ClientResult {
  kind: 'done';
  sent: number;
  ok: number;
  errors: number;
  firstError?: string;
  /** How many answers came with each HTTP status code. */
  statuses: Record<number, number>;
  /** Request round-trip times in ms, in send order. */
  latencies: Float64Array;
}

export type ClientReply = { kind: 'loaded' } | ClientResult;

const { url } = workerData as ClientInit;
// One connection and one request in flight: a client that waits for each answer, like a wallet.
const client = new Client(url, { keepAliveTimeout: 60_000, pipelining: 1 });
const port = parentPort!;
let txs: [string, string][] = [];
let nextId = 1;

async function run(): Promise<ClientResult> {
  const latencies = new Float64Array(txs.length);
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const statuses: Record<number, number> = {};
  for (let i = 0; i < txs.length; i++) {
    const [raw, hash] = txs[i];
    const t0 = performance.now();
    let problem: string | undefined;
    try {
      const res = await client.request({
        path: '/',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"jsonrpc":"2.0","id":${nextId++},"method":"eth_sendRawTransaction","params":["${raw}"]}`,
      });
      const text = await res.body.text();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      const json = JSON.parse(text) as { result?: unknown };
      // Success is the transaction's hash as the result, with any 2xx; each status is tallied.
      const okStatus = res.statusCode >= 200 && res.statusCode < 300;
      if (!okStatus || json.result !== hash) problem = `HTTP ${res.statusCode}: ${text.slice(0, 200)}`;
    } catch (e) {
      problem = String(e);
    }
    latencies[i] = performance.now() - t0;
    if (problem === undefined) ok++;
    else {
      errors++;
      firstError ??= problem;
    }
  }
  return { kind: 'done', sent: txs.length, ok, errors, firstError, statuses, latencies };
}

port.on('message', (cmd: ClientCommand) => {
  if (cmd.kind === 'load') {
    txs = cmd.txs;
    port.postMessage({ kind: 'loaded' } satisfies ClientReply);
  } else if (cmd.kind === 'go') {
    void run().then((result) => port.postMessage(result, [result.latencies.buffer]));
  } else {
    void client.close().then(() => port.close());
  }
});
