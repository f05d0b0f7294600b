/**
 * JSON-RPC 2.0 over any transport: envelope parsing, batches, notifications, and mapping
 * every thrown error to a stable code. Pure: handlers are injected; no I/O here.
 */
import { isSealaneError } from '@sealane/protocol';
import { JSONRPC, SEALANE_CODES } from './codes';

export type JsonRpcId = string | number | null;

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export type JsonRpcResponse =
  | { jsonrpc: '2.0'; id: JsonRpcId; result: unknown }
  | { jsonrpc: '2.0'; id: JsonRpcId; error: JsonRpcErrorObject };

/** An error that is already a JSON-RPC error (bad params, unknown method, upstream answer). */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export const invalidParams = (message: string): RpcError => new RpcError(JSONRPC.INVALID_PARAMS, message);

/** What a handler sees besides its params: e.g. the raw body and headers for authentication. */
export interface RpcContext {
  rawBody: string;
  headers: Record<string, string | string[] | undefined>;
  /** The request's place in its batch (absent for a single request): tells apart the items of one signed body. */
  batchIndex?: number;
  /** Counters shared by every request of one body, for handlers that bound the work a body may ask for. */
  perBody?: Map<string, number>;
}

export type RpcHandler = (params: unknown[], ctx: RpcContext) => Promise<unknown> | unknown;

/** Turns anything thrown into a JSON-RPC error object; internals never leak to the caller. */
export function toErrorObject(e: unknown, onInternal?: (e: unknown) => void): JsonRpcErrorObject {
  if (e instanceof RpcError)
    return { code: e.code, message: e.message, ...(e.data === undefined ? {} : { data: e.data }) };
  if (isSealaneError(e)) {
    return {
      code: SEALANE_CODES[e.name],
      message: e.message,
      data: { name: e.name, ...(e.data ? { detail: e.data } : {}) },
    };
  }
  onInternal?.(e);
  return { code: JSONRPC.INTERNAL_ERROR, message: 'internal error' };
}

function isValidId(id: unknown): id is JsonRpcId {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

export interface DispatcherOptions {
  maxBatch: number;
  onInternalError?: (e: unknown, method: string) => void;
  /**
   * Gives an unexpected error a stable meaning before it would become an internal error
   * (e.g. Redis unreachable while it restarts): a SealaneError to answer instead, or undefined.
   */
  translateError?: (e: unknown) => unknown;
  /**
   * Told of every answered request: its method (`(unknown)` for one not registered), the
   * answer's code (0 for a result) and how long the handler took. For metrics.
   */
  onAnswered?: (method: string, code: number, ms: number) => void;
}

export class JsonRpcDispatcher {
  private readonly handlers = new Map<string, RpcHandler>();

  constructor(private readonly opts: DispatcherOptions) {}

  register(method: string, handler: RpcHandler): this {
    this.handlers.set(method, handler);
    return this;
  }

  methods(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /**
   * Handles one HTTP body. Returns the response value to send as JSON, or undefined when
   * nothing must be sent (only notifications).
   */
  async handle(
    rawBody: string,
    headers: RpcContext['headers'] = {},
  ): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return {
        jsonrpc: '2.0',
        id: null,
        error: { code: JSONRPC.PARSE_ERROR, message: 'parse error: body is not valid JSON' },
      };
    }
    const ctx: RpcContext = { rawBody, headers, perBody: new Map() };
    if (Array.isArray(body)) {
      if (body.length === 0) return this.fail(null, JSONRPC.INVALID_REQUEST, 'invalid request: empty batch');
      if (body.length > this.opts.maxBatch) {
        return this.fail(
          null,
          JSONRPC.INVALID_REQUEST,
          `invalid request: batch of ${body.length} exceeds ${this.opts.maxBatch}`,
        );
      }
      const out = await Promise.all(body.map((r, i) => this.one(r, { ...ctx, batchIndex: i })));
      const sent = out.filter((r): r is JsonRpcResponse => r !== undefined);
      return sent.length ? sent : undefined;
    }
    return this.one(body, ctx);
  }

  private fail(id: JsonRpcId, code: number, message: string): JsonRpcResponse {
    return { jsonrpc: '2.0', id, error: { code, message } };
  }

  private async one(req: unknown, ctx: RpcContext): Promise<JsonRpcResponse | undefined> {
    if (typeof req !== 'object' || req === null || Array.isArray(req)) {
      return this.fail(null, JSONRPC.INVALID_REQUEST, 'invalid request: expected an object');
    }
    const r = req as Record<string, unknown>;
    const isNotification = !('id' in r);
    const id = isValidId(r.id) ? r.id : null;
    if (!isNotification && !isValidId(r.id))
      return this.fail(null, JSONRPC.INVALID_REQUEST, 'invalid request: bad id');
    if (r.jsonrpc !== '2.0')
      return this.fail(id, JSONRPC.INVALID_REQUEST, 'invalid request: jsonrpc must be "2.0"');
    if (typeof r.method !== 'string')
      return this.fail(id, JSONRPC.INVALID_REQUEST, 'invalid request: method must be a string');
    if (r.params !== undefined && !Array.isArray(r.params)) {
      return this.fail(id, JSONRPC.INVALID_PARAMS, 'invalid params: params must be an array');
    }
    const handler = this.handlers.get(r.method);
    if (!handler) {
      this.opts.onAnswered?.('(unknown)', JSONRPC.METHOD_NOT_FOUND, 0);
      return isNotification
        ? undefined
        : this.fail(id, JSONRPC.METHOD_NOT_FOUND, `method not found: ${r.method.slice(0, 64)}`);
    }
    const started = performance.now();
    const answered = (code: number) =>
      this.opts.onAnswered?.(r.method as string, code, performance.now() - started);
    try {
      const result = await handler((r.params as unknown[] | undefined) ?? [], ctx);
      answered(0);
      return isNotification
        ? undefined
        : { jsonrpc: '2.0', id, result: result === undefined ? null : result };
    } catch (e) {
      const error = toErrorObject(this.opts.translateError?.(e) ?? e, (err) =>
        this.opts.onInternalError?.(err, r.method as string),
      );
      answered(error.code);
      return isNotification ? undefined : { jsonrpc: '2.0', id, error };
    }
  }
}
