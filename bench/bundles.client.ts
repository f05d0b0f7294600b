/**
 * One searcher client, run in a worker thread: sends its pre-signed eth_sendBundle requests to
 * the gateway one at a time over a single keep-alive connection, and checks that every answer is
 * exactly `{ bundleHash }` with the bundle's hash. Any JSON-RPC error counts as a failure.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Client } from 'undici';

export interface BundleClientInit {
  url: string;
}

/** A request ready to send: the exact body, its X-Flashbots-Signature, the expected hash. */
export type PreparedBundle = [body: string, signature: string, bundleHash: string];

export type BundleClientCommand =
  { kind: 'load'; bundles: PreparedBundle[] } | { kind: 'go' } | { kind: 'close' };

export interface BundleClientResult {
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

export type BundleClientReply = { kind: 'loaded' } | BundleClientResult;

const { url } = workerData as BundleClientInit;
// One connection and one request in flight, like the ingest clients.
const client = new Client(url, { keepAliveTimeout: 60_000, pipelining: 1 });
const port = parentPort!;
let bundles: PreparedBundle[] = [];

async function run(): Promise<BundleClientResult> {
  const latencies = new Float64Array(bundles.length);
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const statuses: Record<number, number> = {};
  const rpcErrors: Record<number, number> = {};
  for (let i = 0; i < bundles.length; i++) {
    const [body, signature, hash] = bundles[i];
    const t0 = performance.now();
    let problem: string | undefined;
    try {
      const res = await client.request({
        path: '/',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-flashbots-signature': signature },
        body,
      });
      const text = await res.body.text();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      const json = JSON.parse(text) as { result?: unknown; error?: { code?: number } };
      const okStatus = res.statusCode >= 200 && res.statusCode < 300;
      const result = json.result as Record<string, unknown> | null | undefined;
      const exact =
        typeof result === 'object' &&
        result !== null &&
        Object.keys(result).length === 1 &&
        result.bundleHash === hash;
      if (json.error !== undefined) {
        const code = json.error?.code ?? 0;
        rpcErrors[code] = (rpcErrors[code] ?? 0) + 1;
      }
      if (!okStatus || json.error !== undefined || !exact)
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
  return { kind: 'done', sent: bundles.length, ok, errors, firstError, statuses, rpcErrors, latencies };
}

port.on('message', (cmd: BundleClientCommand) => {
  if (cmd.kind === 'load') {
    bundles = cmd.bundles;
    port.postMessage({ kind: 'loaded' } satisfies BundleClientReply);
  } else if (cmd.kind === 'go') {
    void run().then((result) => port.postMessage(result, [result.latencies.buffer]));
  } else {
    void client.close().then(() => port.close());
  }
});
