/**
 * One commitment client, run in a worker thread: sends its pre-prepared sealane_commit requests
 * to the gateway one at a time over a single keep-alive connection, and checks that every answer
 * is a receipt for exactly that commitment, sender and slot. Any JSON-RPC error is a failure.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Client } from 'undici';

export interface CommitClientInit {
  url: string;
}

/** A request ready to send: the exact body, then what its receipt must name. */
export type PreparedCommitRequest = [body: string, commitment: string, sender: string, slot: string];

export type CommitClientCommand =
  { kind: 'load'; commits: PreparedCommitRequest[] } | { kind: 'go' } | { kind: 'close' };

export interface CommitClientResult {
  kind: 'done';
  sent: number;
  ok: number;
  errors: number;
  firstError?: string;
  /** How many answers came with each HTTP status code. */
  statuses: Record<number, number>;
  /** JSON-RPC error codes of the failed answers, counted. */
  rpcErrors: Record<number, number>;
  /** Request round-trip times in ms, in send order. */
  latencies: Float64Array;
}

export type CommitClientReply = { kind: 'loaded' } | CommitClientResult;

const { url } = workerData as CommitClientInit;
// One connection and one request in flight, like the ingest and bundle clients.
const client = new Client(url, { keepAliveTimeout: 60_000, pipelining: 1 });
const port = parentPort!;
let commits: PreparedCommitRequest[] = [];

async function run(): Promise<CommitClientResult> {
  const latencies = new Float64Array(commits.length);
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const statuses: Record<number, number> = {};
  const rpcErrors: Record<number, number> = {};
  for (let i = 0; i < commits.length; i++) {
    const [body, commitment, sender, slot] = commits[i];
    const t0 = performance.now();
    let problem: string | undefined;
    try {
      const res = await client.request({
        path: '/',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await res.body.text();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      const json = JSON.parse(text) as { result?: Record<string, unknown> | null; error?: { code?: number } };
      if (json.error !== undefined) {
        const code = json.error?.code ?? 0;
        rpcErrors[code] = (rpcErrors[code] ?? 0) + 1;
      }
      const r = json.result;
      const receipt =
        typeof r === 'object' &&
        r !== null &&
        r.commitment === commitment &&
        r.sender === sender &&
        r.slot === slot &&
        typeof r.position === 'string' &&
        typeof r.signature === 'string';
      if (res.statusCode < 200 || res.statusCode >= 300 || json.error !== undefined || !receipt)
        problem = `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
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
  return { kind: 'done', sent: commits.length, ok, errors, firstError, statuses, rpcErrors, latencies };
}

port.on('message', (cmd: CommitClientCommand) => {
  if (cmd.kind === 'load') {
    commits = cmd.commits;
    port.postMessage({ kind: 'loaded' } satisfies CommitClientReply);
  } else if (cmd.kind === 'go') {
    void run().then((result) => port.postMessage(result, [result.latencies.buffer]));
  } else {
    void client.close().then(() => port.close());
  }
});
