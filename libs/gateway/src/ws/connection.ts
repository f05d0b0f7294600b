/**
 * One WebSocket client of the gateway: each text message is a JSON-RPC body (single or batch)
 * answered by the gateway's dispatcher, plus the socket's subscriptions. Nothing is buffered
 * without bound: a reader that lets the send buffer grow past its bound is closed, and reading
 * pauses while too many of its requests are still being answered.
 */
import type { RawData, WebSocket } from 'ws';
import { JSONRPC } from '@sealane/rpc';
import type { RpcContext } from '@sealane/rpc';
import { SubscriptionSet, type PreparedNews, type Subscription } from './subscriptions';

/** Requests of one socket answered at once; past it the socket is not read until one is done. */
export const MAX_IN_FLIGHT = 64;

/** WebSocket close codes (RFC 6455 §7.4.1). */
export const CLOSE = { GOING_AWAY: 1001, POLICY: 1008 } as const;

export interface ConnectionOptions {
  maxBodyBytes: number;
  maxBufferedBytes: number;
  maxSubscriptions: number;
  /** The gateway's dispatcher. */
  handle(body: string, headers: RpcContext['headers']): Promise<unknown>;
  /** Ties the headers object of one message to this socket, for eth_subscribe to find it. */
  bind(headers: RpcContext['headers'], scope: MessageScope): void;
  onError(e: unknown): void;
}

/** What eth_subscribe, answering one message, needs: the socket, and where to leave new subscriptions. */
export interface MessageScope {
  conn: WsConnection;
  created: Subscription[];
}

const errorBody = (code: number, message: string) =>
  JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } });

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function sizeOf(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}

export class WsConnection {
  readonly subs: SubscriptionSet;
  /** Cleared at each ping, set by the pong (or any message): a peer that stays silent is dropped. */
  alive = true;
  /** Settles when the socket has closed. */
  readonly done: Promise<void>;
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly headers: RpcContext['headers'],
    private readonly opts: ConnectionOptions,
  ) {
    this.subs = new SubscriptionSet(opts.maxSubscriptions);
    ws.on('message', (data) => this.onMessage(data));
    ws.on('pong', () => (this.alive = true));
    // ws reports protocol faults (a frame past maxPayload, bad UTF-8) here, then closes itself.
    ws.on('error', () => undefined);
    this.done = new Promise((resolve) =>
      ws.once('close', () => {
        this.closed = true;
        this.subs.clear();
        resolve();
      }),
    );
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN;
  }

  /** The closing handshake; a peer that does not answer it is dropped by ws after its timeout. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.subs.clear();
    this.ws.close(code, reason.slice(0, 120));
  }

  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }

  /** Keepalive: drops a peer that did not answer the last ping. */
  ping(): void {
    if (!this.alive) return this.terminate();
    this.alive = false;
    if (this.isOpen) this.ws.ping();
  }

  /** The notifications a sealed block makes for this socket's subscriptions. */
  deliver(p: PreparedNews): void {
    if (!this.isOpen || this.subs.size === 0) return;
    const now = this.subs.deliver(p);
    if (now === null) return this.close(CLOSE.POLICY, 'subscription backlog too large: read your answers');
    this.sendAll(now);
  }

  private sendAll(msgs: readonly string[]): void {
    for (const m of msgs) if (!this.send(m)) return;
  }

  /** Sends, unless the peer has left more than the bound unread: then it is closed instead. */
  private send(msg: string): boolean {
    if (!this.isOpen) return false;
    if (this.ws.bufferedAmount > this.opts.maxBufferedBytes) {
      this.close(
        CLOSE.POLICY,
        `slow consumer: more than ${this.opts.maxBufferedBytes} bytes unread (WS_MAX_BUFFERED_BYTES)`,
      );
      return false;
    }
    this.ws.send(msg);
    return true;
  }

  private onMessage(data: RawData): void {
    this.alive = true;
    if (!this.isOpen) return;
    if (sizeOf(data) > this.opts.maxBodyBytes) {
      this.send(errorBody(JSONRPC.INVALID_REQUEST, `request body exceeds ${this.opts.maxBodyBytes} bytes`));
      return;
    }
    // A headers object of its own per message: eth_subscribe finds this socket and this message by it.
    const headers = { ...this.headers };
    const scope: MessageScope = { conn: this, created: [] };
    this.opts.bind(headers, scope);
    if (++this.inFlight >= MAX_IN_FLIGHT) this.ws.pause();
    this.opts
      .handle(textOf(data), headers)
      .then(
        (out) => {
          if (out !== undefined) this.send(JSON.stringify(out));
        },
        (e: unknown) => {
          this.opts.onError(e);
          this.send(errorBody(JSONRPC.INTERNAL_ERROR, 'internal error'));
        },
      )
      .finally(() => {
        // Only now, after the answer naming them, do the new subscriptions' notifications go out.
        this.sendAll(this.subs.activate(scope.created));
        if (--this.inFlight < MAX_IN_FLIGHT && this.ws.isPaused && this.isOpen) this.ws.resume();
      });
  }
}
