/**
 * A small JSON-RPC client for execution engines (the L2 engine, L1): keep-alive HTTP, and
 * batch requests to cut the per-call overhead when sealing thousands of transactions.
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

export class EngineClient {
  private readonly agent: Agent;
  private nextId = 1;

  constructor(
    readonly url: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.agent = new Agent({ keepAliveTimeout: 30_000, connections: 8, pipelining: 1 });
  }

  private async post(body: unknown): Promise<unknown> {
    const res = await request(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      dispatcher: this.agent,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new EngineRpcError('http', res.statusCode, text.slice(0, 200));
    return JSON.parse(text);
  }

  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const r = (await this.post({ jsonrpc: '2.0', id: this.nextId++, method, params })) as RpcResponse;
    if (r.error) throw new EngineRpcError(method, r.error.code, r.error.message, r.error.data);
    return r.result as T;
  }

  /** Sends calls as JSON-RPC batches of at most `chunk`; results come back in call order. */
  async batch(calls: RpcCall[], chunk = 500): Promise<BatchResult[]> {
    const out: BatchResult[] = [];
    for (let i = 0; i < calls.length; i += chunk) {
      const part = calls.slice(i, i + chunk);
      const base = this.nextId;
      this.nextId += part.length;
      const res = (await this.post(
        part.map(([method, params], j) => ({ jsonrpc: '2.0', id: base + j, method, params })),
      )) as RpcResponse[];
      const byId = new Map(res.map((r) => [r.id, r]));
      part.forEach(([method], j) => {
        const r = byId.get(base + j);
        if (!r)
          out.push({ ok: false, error: new EngineRpcError(method, -32603, 'missing response in batch') });
        else if (r.error)
          out.push({
            ok: false,
            error: new EngineRpcError(method, r.error.code, r.error.message, r.error.data),
          });
        else out.push({ ok: true, result: r.result });
      });
    }
    return out;
  }

  /** Forwards a raw JSON-RPC request object as is (gateway read calls). */
  async forward(body: unknown): Promise<unknown> {
    return this.post(body);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
