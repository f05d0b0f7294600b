/** A raw WebSocket JSON-RPC client for tests: requests by id, notifications by subscription. */
import WebSocket from 'ws';
import { waitFor } from './rpc';

export interface RpcAnswer<T = unknown> {
  id: number | string | null;
  result?: T;
  error?: { code: number; message: string; data?: unknown };
}

interface Notification {
  method: string;
  params: { subscription: string; result: unknown };
}

export class WsClient {
  readonly answers: RpcAnswer[] = [];
  readonly notifications: Notification[] = [];
  closed?: { code: number; reason: string };
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as RpcAnswer | RpcAnswer[] | Notification;
      if (!Array.isArray(m) && 'method' in m) this.notifications.push(m);
      else for (const a of Array.isArray(m) ? m : [m]) this.answers.push(a);
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: String(reason) }));
  }

  static open(url: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
      );
    });
  }

  /** Sends a raw text frame; the answer is found with `answer`. */
  sendRaw(text: string): void {
    this.ws.send(text);
  }

  answer<T = unknown>(id: number | string | null): Promise<RpcAnswer<T>> {
    return waitFor(`the answer to request ${id}`, () =>
      Promise.resolve(this.answers.find((a) => a.id === id) as RpcAnswer<T> | undefined),
    );
  }

  async request<T = unknown>(method: string, params: unknown[] = []): Promise<RpcAnswer<T>> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return this.answer<T>(id);
  }

  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const a = await this.request<T>(method, params);
    if (a.error) throw new Error(`${method}: ${a.error.message} (${a.error.code})`);
    return a.result as T;
  }

  subscribe(kind: string, ...params: unknown[]): Promise<string> {
    return this.call<string>('eth_subscribe', [kind, ...params]);
  }

  /** The results notified to one subscription, in arrival order. */
  of<T = unknown>(subscription: string): T[] {
    return this.notifications
      .filter((n) => n.params.subscription === subscription)
      .map((n) => n.params.result as T);
  }

  /** Waits until `subscription` has at least `count` results, and answers them. */
  async take<T = unknown>(subscription: string, count: number, ms = 60_000): Promise<T[]> {
    await waitFor(
      `${count} notifications of ${subscription}`,
      () => Promise.resolve(this.of(subscription).length >= count),
      ms,
    );
    return this.of<T>(subscription);
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      // A server that does not answer the closing handshake is not waited for long.
      const t = setTimeout(() => this.ws.terminate(), 2000);
      this.ws.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.ws.close();
    });
  }
}
