/**
 * A small JSON-RPC client for execution engines (the L2 engine, L1): keep-alive HTTP, and
 * batch requests to cut the per-call overhead when sealing thousands of transactions.
 *
 * Whatever the engine answers, a call ends in its result or an EngineRpcError: an answer that
 * is not JSON, not HTTP 200, or (for a batch) not an array becomes an error for every call it
 * was meant to answer, never a TypeError. Only a transport failure (unreachable, timeout)
 * rejects as such, since nothing about the calls can be learnt from it.
 */
import { Agent, request } from 'undici';

export class EngineRpcError extends Error {
  override readonly name = 'EngineRpcError';
  constructor(
    readonly method: string,
    readonly code: number,
    /** The engine's own message, as it sent it. */
    readonly rpcMessage: string,
    readonly data?: unknown,
    /**
     * Set when the engine refused the whole request this call travelled in (one error object
     * for a batch, a non-200 answer, unreadable JSON): it says nothing about this call itself.
     */
    readonly wholeRequest = false,
  ) {
    super(`${method}: ${rpcMessage} (code ${code})`);
  }
}

interface RpcResponse {
  id: number;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export type RpcCall = [method: string, params: unknown[]];
export type BatchResult = { ok: true; result: unknown } | { ok: false; error: EngineRpcError };

/**
 * Most bytes in one request body. anvil 1.7 refuses a body above 2,097,152 bytes (2 MiB,
 * measured: at 2,097,153 it answers one `{"id":null,"error":{"code":-32600}}` object instead
 * of the batch's array); half of it leaves room for any engine with a smaller limit.
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;
const JSON_PARSE_ERROR = -32700;
const INTERNAL_ERROR = -32603;

/** Why a whole request failed, as the engine put it, for every call of that request. */
class WholeRequestFailure {
  constructor(
    readonly code: number,
    readonly message: string,
    readonly data?: unknown,
  ) {}
  errorFor(method: string): EngineRpcError {
    return new EngineRpcError(method, this.code, this.message, this.data, true);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function rpcErrorOf(v: unknown): { code: number; message: string; data?: unknown } | null {
  if (!isObject(v) || !isObject(v.error)) return null;
  const e = v.error;
  return {
    code: typeof e.code === 'number' ? e.code : INTERNAL_ERROR,
    message: typeof e.message === 'string' ? e.message : JSON.stringify(e).slice(0, 200),
    data: e.data,
  };
}

export class EngineClient {
  private readonly agent: Agent;
  private nextId = 1;

  constructor(
    readonly url: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.agent = new Agent({ keepAliveTimeout: 30_000, connections: 8, pipelining: 1 });
  }

  /** The parsed answer, or the reason the whole request failed (non-200, not JSON). */
  private async post(body: string): Promise<unknown> {
    const res = await request(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      dispatcher: this.agent,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200)
      return new WholeRequestFailure(res.statusCode, `HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return new WholeRequestFailure(JSON_PARSE_ERROR, `unreadable answer: ${text.slice(0, 200)}`);
    }
  }

  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const r = await this.post(JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }));
    // Named 'http', as before: the gateway tells an engine fault from the call's own error by it.
    if (r instanceof WholeRequestFailure) throw r.errorFor('http');
    const err = rpcErrorOf(r);
    if (err) throw new EngineRpcError(method, err.code, err.message, err.data);
    if (!isObject(r) || !('result' in r))
      throw new EngineRpcError(method, INTERNAL_ERROR, 'answer without result', undefined, true);
    return r.result as T;
  }

  /**
   * Sends calls as JSON-RPC batches of at most `chunk` calls and MAX_REQUEST_BYTES bytes (a call
   * larger than that alone goes in a request of its own); results come back in call order.
   */
  async batch(calls: RpcCall[], chunk = 500): Promise<BatchResult[]> {
    const out: BatchResult[] = [];
    let i = 0;
    while (i < calls.length) {
      const bodies: string[] = [];
      let bytes = 2;
      const base = this.nextId;
      while (i + bodies.length < calls.length && bodies.length < chunk) {
        const [method, params] = calls[i + bodies.length];
        const body = JSON.stringify({ jsonrpc: '2.0', id: base + bodies.length, method, params });
        if (bodies.length > 0 && bytes + body.length + 1 > MAX_REQUEST_BYTES) break;
        bodies.push(body);
        bytes += body.length + 1;
      }
      const part = calls.slice(i, i + bodies.length);
      this.nextId += part.length;
      i += part.length;
      out.push(...this.readBatch(part, base, await this.post(`[${bodies.join(',')}]`)));
    }
    return out;
  }

  private readBatch(part: RpcCall[], base: number, res: unknown): BatchResult[] {
    let failure: WholeRequestFailure | null = res instanceof WholeRequestFailure ? res : null;
    if (!failure && !Array.isArray(res)) {
      const err = rpcErrorOf(res);
      failure = err
        ? new WholeRequestFailure(err.code, err.message, err.data)
        : new WholeRequestFailure(INTERNAL_ERROR, 'batch answered with something other than an array');
    }
    if (failure) return part.map(([method]) => ({ ok: false, error: failure.errorFor(method) }));
    const byId = new Map<unknown, unknown>();
    for (const r of res as unknown[]) if (isObject(r)) byId.set(r.id, r);
    return part.map(([method], j) => {
      const r = byId.get(base + j) as RpcResponse | undefined;
      const err = rpcErrorOf(r);
      if (!r)
        return { ok: false, error: new EngineRpcError(method, INTERNAL_ERROR, 'missing response in batch') };
      if (err) return { ok: false, error: new EngineRpcError(method, err.code, err.message, err.data) };
      if (!('result' in r))
        return { ok: false, error: new EngineRpcError(method, INTERNAL_ERROR, 'answer without result') };
      return { ok: true, result: r.result };
    });
  }

  /** Forwards a raw JSON-RPC request object as is (gateway read calls). */
  async forward(body: unknown): Promise<unknown> {
    const r = await this.post(JSON.stringify(body));
    if (r instanceof WholeRequestFailure) throw r.errorFor('http');
    return r;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
