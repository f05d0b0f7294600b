/**
 * Probes of the parts Sealane depends on (Redis, a JSON-RPC node, the Inbox on L1), shared by the
 * start-up checks and the gateway's readiness. Each answers within its timeout and says what is
 * wrong in words an operator can act on; none throws.
 */
import Redis from 'ioredis';
import { contractInterface } from '@sealane/contracts';

/** `unreachable`: nothing answered (it may be restarting), as opposed to a wrong answer. */
export type Probe<T = undefined> = { ok: true; value: T } | { ok: false; error: string; unreachable?: true };

/** A URL without its password, fit for a message. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

const reason = (e: unknown): string => {
  const err = e as {
    name?: string;
    cause?: { code?: string; message?: string };
    code?: string;
    message?: string;
  };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'no answer in time';
  return err?.cause?.code ?? err?.cause?.message ?? err?.code ?? err?.message ?? String(e);
};

export async function rpcCall(
  url: string,
  method: string,
  params: unknown[],
  timeoutMs = 3000,
): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as { result?: unknown; error?: { message?: string } };
  if (body.error) throw new Error(body.error.message ?? 'JSON-RPC error');
  return body.result;
}

/** A fresh connection that tries once: a Redis that is down answers at once, not after retries. */
export async function probeRedisUrl(url: string, timeoutMs = 3000): Promise<Probe> {
  const r = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // connect() only rejects with "Connection is closed."; the socket's own error says why.
  let cause: unknown;
  r.on('error', (e) => (cause ??= e));
  try {
    await r.connect();
    const pong = await r.ping();
    return pong === 'PONG' ? { ok: true, value: undefined } : { ok: false, error: `PING answered ${pong}` };
  } catch (e) {
    return { ok: false, error: reason(cause ?? e), unreachable: true };
  } finally {
    r.disconnect();
  }
}

/** PING on a live connection, bounded in time (a reconnecting client would otherwise queue it). */
export async function probeRedis(redis: Redis, timeoutMs = 2000): Promise<Probe> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in time (${redis.status})`)), timeoutMs);
    });
    await Promise.race([redis.ping(), timeout]);
    return { ok: true, value: undefined };
  } catch (e) {
    return { ok: false, error: reason(e) };
  } finally {
    clearTimeout(timer);
  }
}

/** The node's chain id, checked against the expected one when given. */
export async function probeChain(
  url: string,
  expectedChainId?: number,
  timeoutMs = 3000,
): Promise<Probe<number>> {
  try {
    const id = Number(BigInt((await rpcCall(url, 'eth_chainId', [], timeoutMs)) as string));
    if (expectedChainId !== undefined && id !== expectedChainId) {
      return { ok: false, error: `is chain ${id}, expected ${expectedChainId}` };
    }
    return { ok: true, value: id };
  } catch (e) {
    return { ok: false, error: `unreachable: ${reason(e)}`, unreachable: true };
  }
}

/** The Inbox has code at `address` and answers its `nextBlock()` view; the value is that block. */
export async function probeInbox(l1Url: string, address: string, timeoutMs = 3000): Promise<Probe<number>> {
  let code: string;
  try {
    code = (await rpcCall(l1Url, 'eth_getCode', [address, 'latest'], timeoutMs)) as string;
  } catch (e) {
    return { ok: false, error: `cannot be checked: L1 unreachable (${reason(e)})`, unreachable: true };
  }
  if (!code || code === '0x') return { ok: false, error: 'has no contract code on L1' };
  try {
    const iface = contractInterface('Inbox');
    const data = iface.encodeFunctionData('nextBlock');
    const out = (await rpcCall(l1Url, 'eth_call', [{ to: address, data }, 'latest'], timeoutMs)) as string;
    const [next] = iface.decodeFunctionResult('nextBlock', out);
    return { ok: true, value: Number(next) };
  } catch (e) {
    return { ok: false, error: `is not a Sealane Inbox (nextBlock() failed: ${reason(e)})` };
  }
}
