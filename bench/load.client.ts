/**
 * One load client, run in a worker thread by the HTTP intake benchmarks (see load.ts): sends its
 * pre-built JSON-RPC requests to the gateway over `connections` keep-alive connections, each
 * waiting for its answer before sending the next (as that many searchers or wallets would), and
 * checks every answer against what its request expects, the way `check` says. An answer succeeds
 * with a 2xx status, no JSON-RPC error and a result that passes the check.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Client } from 'undici';

/** How an answer's `result` is judged against its request's `expect`. */
export type Check =
  /** The result is the expected string itself (eth_sendRawTransaction: the transaction hash). */
  | { result: 'equals' }
  /**
   * The result is an object holding each expected field with exactly its value; with `only`, and
   * no other field; every field named in `strings` must also be there, as a string.
   */
  | { result: 'fields'; only?: boolean; strings?: readonly string[] };

/** A request ready to send and what its answer must hold. */
export interface LoadRequest {
  /** The exact body. */
  body: string;
  /** Headers besides content-type. */
  headers?: Record<string, string>;
  /** A string for an 'equals' check, field values for a 'fields' check. */
  expect: string | Record<string, string>;
}

export interface ClientInit {
  url: string;
  check: Check;
  /** Connections, each with one request in flight at a time. */
  connections: number;
}

export type ClientCommand =
  /** Requests to send next, loaded before the clock starts. */
  { kind: 'load'; requests: LoadRequest[] } | { kind: 'go' } | { kind: 'close' };

export interface ClientResult {
  kind: 'done';
  sent: number;
  ok: number;
  errors: number;
  firstError?: string;
  /** How many answers came with each HTTP status code. */
  statuses: Record<number, number>;
  /** JSON-RPC error codes of the failed answers, counted. */
  rpcErrors: Record<number, number>;
  /** Request round-trip times in ms, by request. */
  latencies: Float64Array;
}

export type ClientReply = { kind: 'loaded' } | ClientResult;

const { url, check, connections } = workerData as ClientInit;
// No pipelining: each connection is a client that waits for each answer, like a wallet.
const conns = Array.from(
  { length: connections },
  () => new Client(url, { keepAliveTimeout: 60_000, pipelining: 1 }),
);
const port = parentPort!;
let requests: Required<LoadRequest>[] = [];

function passes(result: unknown, expect: LoadRequest['expect']): boolean {
  if (check.result === 'equals') return result === expect;
  if (typeof result !== 'object' || result === null || typeof expect !== 'object') return false;
  const r = result as Record<string, unknown>;
  for (const k in expect) if (r[k] !== expect[k]) return false;
  if (check.only && Object.keys(r).length !== Object.keys(expect).length) return false;
  return (check.strings ?? []).every((k) => typeof r[k] === 'string');
}

async function run(): Promise<ClientResult> {
  const latencies = new Float64Array(requests.length);
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const statuses: Record<number, number> = {};
  const rpcErrors: Record<number, number> = {};
  let next = 0;
  // Each connection takes the next request not yet sent, until none is left.
  const drive = async (client: Client): Promise<void> => {
    for (let i = next++; i < requests.length; i = next++) await one(client, i);
  };
  const one = async (client: Client, i: number): Promise<void> => {
    const { body, headers, expect } = requests[i];
    const t0 = performance.now();
    let problem: string | undefined;
    try {
      const res = await client.request({ path: '/', method: 'POST', headers, body });
      const text = await res.body.text();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      const json = JSON.parse(text) as { result?: unknown; error?: { code?: number } };
      if (json.error !== undefined) {
        const code = json.error?.code ?? 0;
        rpcErrors[code] = (rpcErrors[code] ?? 0) + 1;
      }
      const okStatus = res.statusCode >= 200 && res.statusCode < 300;
      if (!okStatus || json.error !== undefined || !passes(json.result, expect))
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
  };
  await Promise.all(conns.map(drive));
  return { kind: 'done', sent: requests.length, ok, errors, firstError, statuses, rpcErrors, latencies };
}

port.on('message', (cmd: ClientCommand) => {
  if (cmd.kind === 'load') {
    // The full headers are made here, so that the timed loop only sends.
    requests = cmd.requests.map((r) => ({
      ...r,
      headers: { 'content-type': 'application/json', ...r.headers },
    }));
    port.postMessage({ kind: 'loaded' } satisfies ClientReply);
  } else if (cmd.kind === 'go') {
    void run().then((result) => port.postMessage(result, [result.latencies.buffer]));
  } else {
    void Promise.all(conns.map((c) => c.close())).then(() => port.close());
  }
});
