/**
 * Coalesces JSON-RPC calls made in the same turn of the event loop into batch requests, with a
 * bound on requests in flight. Lets each bundle's simulation be written as plain sequential
 * code (simulate, then trace transaction 1, then 2, ...) while thousands of bundles share a
 * handful of HTTP requests per step. Also tells its failures apart: the engine's answer about
 * one call, or the transport's (the engine unreachable).
 */
import { EngineRpcError, type EngineClient, type RpcCall } from '@sealane/engine';
import { SimulatorError } from './simulator.error';

interface Pending {
  call: RpcCall;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

const MIN_SHARE = 16;

export interface BatcherOptions {
  /** Most calls in one batch request. */
  maxBatch: number;
  /** Most batch requests in flight at once. */
  maxInFlight: number;
}

export class RpcBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly engine: EngineClient,
    private readonly opts: BatcherOptions,
  ) {}

  /** Resolves with the result, or rejects with the engine's EngineRpcError for this call alone. */
  call<T = unknown>(method: string, params: unknown[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ call: [method, params], resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after pending promise continuations, so a whole step's calls gather first.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.opts.maxInFlight) {
      // Spread a large step over the free request slots (the engine serves them in parallel),
      // but keep small steps in one request: below MIN_SHARE, HTTP overhead outweighs it.
      const slots = this.opts.maxInFlight - this.inFlight;
      const share = Math.max(MIN_SHARE, Math.ceil(this.queue.length / slots));
      const size = Math.min(this.opts.maxBatch, share);
      const part = this.queue.splice(0, size);
      this.inFlight++;
      this.send(part)
        .catch((e: unknown) => part.forEach((p) => p.reject(e)))
        .finally(() => {
          this.inFlight--;
          if (this.queue.length > 0) this.schedule();
        });
    }
  }

  /**
   * One batch request. When the engine refuses the request as a whole (one error object for the
   * batch, a non-200 answer), each half is sent again on its own, so that one call the engine
   * cannot take (too large, say) fails alone instead of failing every call batched with it:
   * at most 2n - 1 requests for n calls, and only on that path.
   */
  private async send(part: Pending[]): Promise<void> {
    const results = await this.engine.batch(
      part.map((p) => p.call),
      part.length,
    );
    const whole = results.every((r) => !r.ok && r.error.wholeRequest);
    if (whole && part.length > 1) {
      const mid = part.length >> 1;
      await Promise.all([this.send(part.slice(0, mid)), this.send(part.slice(mid))]);
      return;
    }
    results.forEach((r, i) => (r.ok ? part[i].resolve(r.result) : part[i].reject(r.error)));
  }
}

export const isRpcError = (e: unknown): e is EngineRpcError => e instanceof EngineRpcError;

/**
 * Whether an error says the engine could not be reached (or timed out) rather than anything about
 * the bundle: such a failure is not the bundle's, so it is passed up instead of failing it.
 */
export function isTransportFailure(e: unknown): boolean {
  let cur: unknown = e;
  while (cur instanceof SimulatorError && cur.cause !== undefined) cur = cur.cause;
  // undici and node socket errors carry a code (UND_ERR_CONNECT_TIMEOUT, ECONNREFUSED, ...).
  const code = cur instanceof Error ? (cur as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^(UND_ERR|E[A-Z]+$)/.test(code);
}
