/**
 * WebSockets on the gateway's own HTTP port (`ws://host:port/`): every message is answered by the
 * gateway's JSON-RPC dispatcher, as a POST body would be, and eth_subscribe / eth_unsubscribe
 * (newHeads, logs, sealane_slotResults) work as on geth. One Redis subscriber and one read per
 * sealed block serve every socket. GET / and POST / stay the HTTP routes they are.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import Redis from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SealaneConfig } from '@sealane/config';
import { CONFIG, closeQuietly, ENDPOINTS, REDIS, type Endpoints } from '@sealane/core';
import { L2Engine } from '@sealane/engine';
import { arity, invalidParams, JSONRPC, RpcError, type RpcContext } from '@sealane/rpc';
import {
  BundleStore,
  ChainStore,
  EVENTS,
  Keys,
  redisConnectionOptions,
  type BlockSealedEvent,
  type SealaneRedis,
} from '@sealane/store';
import { GatewayService } from '../gateway.service';
import { BlockFeed, readBlockNews } from './block-feed';
import { CLOSE, WsConnection, type MessageScope } from './connection';
import { parseSubscribe, PreparedNews, type BlockNews } from './subscriptions';

/** How often the sealed head is polled besides the events (a lost event costs at most this). */
export const HEAD_POLL_MS = 1000;
/** Keepalive: a peer that has not answered a ping by the next one is dropped. */
export const PING_INTERVAL_MS = 30_000;
/** How long a stop waits for clients to answer the closing handshake before dropping them. */
const CLOSE_WAIT_MS = 1000;

/** eth_subscribe over HTTP: as geth answers it, code -32601. */
const notSupported = (method: string) =>
  new RpcError(
    JSONRPC.METHOD_NOT_FOUND,
    `notifications not supported: ${method} needs a WebSocket connection (ws:// on the gateway port)`,
  );

function refuse(socket: Duplex, status: number, text: string, message: string): void {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: null,
    error: { code: JSONRPC.INVALID_REQUEST, message },
  });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

@Injectable()
export class WsGateway implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('gateway-ws');
  private readonly conns = new Set<WsConnection>();
  private readonly scopes = new WeakMap<object, MessageScope>();
  private readonly feed: BlockFeed;
  private wss?: WebSocketServer;
  private server?: Server;
  private subscriber?: Redis;
  private timers: NodeJS.Timeout[] = [];
  private upgrading = 0;
  private stopping = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly gateway: GatewayService,
    @Inject(CONFIG) private readonly config: SealaneConfig,
    @Inject(ENDPOINTS) private readonly endpoints: Endpoints,
    @Inject(REDIS) redis: SealaneRedis,
    keys: Keys,
    engine: L2Engine,
  ) {
    const chain = new ChainStore(redis, keys);
    const bundles = new BundleStore(redis, keys);
    this.feed = new BlockFeed({
      sealedHead: () => chain.sealedHead(),
      read: (n) => readBlockNews({ engine, results: (m) => bundles.results(m) }, n),
      wanted: () => [...this.conns].some((c) => c.subs.size > 0),
      publish: (news) => this.publish(news),
      onReadError: (n, e) =>
        this.logger.warn(`block ${n} for subscriptions: ${(e as Error)?.message ?? String(e)}; retrying`),
    });
    gateway.dispatcher
      .register('eth_subscribe', (p, ctx) => {
        const scope = this.scopeOf(ctx, 'eth_subscribe');
        const s = scope.conn.subs.add(parseSubscribe(p));
        scope.created.push(s);
        return s.id;
      })
      .register('eth_unsubscribe', (p, ctx) => {
        const scope = this.scopeOf(ctx, 'eth_unsubscribe');
        arity(p, 1);
        if (typeof p[0] !== 'string') throw invalidParams('subscription id must be a 0x hex string');
        return scope.conn.subs.remove(p[0]);
      });
  }

  private scopeOf(ctx: RpcContext, method: string): MessageScope {
    const scope = this.scopes.get(ctx.headers);
    if (!scope) throw notSupported(method);
    return scope;
  }

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    // Above RPC_MAX_BODY_BYTES a message is answered with an error; only far above is the socket dropped (1009).
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: 4 * this.config.RPC_MAX_BODY_BYTES,
      perMessageDeflate: false,
    });
    this.server.on('upgrade', this.onUpgrade);
    this.subscribeEvents();
    this.timers = [
      setInterval(() => void this.feed.poll(), HEAD_POLL_MS),
      setInterval(() => this.conns.forEach((c) => c.ping()), PING_INTERVAL_MS),
    ];
    for (const t of this.timers) t.unref();
    void this.feed.poll();
  }

  /** The builder's block-sealed events of this deployment, on one subscriber connection. */
  private subscribeEvents(): void {
    const sub = new Redis(redisConnectionOptions(this.endpoints.redisUrl));
    this.subscriber = sub;
    // Redis away: ioredis reconnects (and resubscribes) by itself, and the poll covers the gap.
    sub.on('error', () => undefined);
    sub.on('message', (channel: string, message: string) => {
      if (channel !== EVENTS.blockSealed) return;
      try {
        const { data } = JSON.parse(message) as { data?: BlockSealedEvent };
        if (data?.prefix === this.config.KEY_PREFIX) this.feed.heard(data.number);
      } catch {
        /* not an event of ours */
      }
    });
    // Again at every (re)connection: subscribing twice to a channel is harmless.
    sub.on('ready', () => void sub.subscribe(EVENTS.blockSealed).catch(() => undefined));
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => undefined);
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/') {
      // Another route's WebSocket, if one listens; else nobody serves it.
      if (this.server!.listenerCount('upgrade') === 1)
        refuse(socket, 404, 'Not Found', 'WebSockets are served at /');
      return;
    }
    if (this.stopping) return refuse(socket, 503, 'Service Unavailable', 'the gateway is stopping');
    if (this.conns.size + this.upgrading >= this.config.WS_MAX_CONNECTIONS)
      return refuse(
        socket,
        503,
        'Service Unavailable',
        `too many WebSocket connections: at most ${this.config.WS_MAX_CONNECTIONS} (WS_MAX_CONNECTIONS); try again later`,
      );
    // Counted from here, so that upgrades under way cannot pass the bound together.
    this.upgrading++;
    const upgraded = () => {
      socket.off('close', upgraded);
      this.upgrading--;
    };
    socket.once('close', upgraded);
    this.wss!.handleUpgrade(req, socket, head, (ws) => {
      upgraded();
      this.accept(ws, req);
    });
  };

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const conn = new WsConnection(
      ws,
      { ...req.headers },
      {
        maxBodyBytes: this.config.RPC_MAX_BODY_BYTES,
        maxBufferedBytes: this.config.WS_MAX_BUFFERED_BYTES,
        maxSubscriptions: this.config.WS_MAX_SUBSCRIPTIONS,
        handle: (body, headers) => this.gateway.handle(body, headers),
        bind: (headers, scope) => this.scopes.set(headers, scope),
        onError: (e) => this.logger.error(`websocket message: ${(e as Error)?.stack ?? String(e)}`),
      },
    );
    this.conns.add(conn);
    ws.once('close', () => this.conns.delete(conn));
    if (this.stopping) conn.close(CLOSE.GOING_AWAY, 'the gateway is stopping');
  }

  /** Fan-out: each block's news serialized once, handed to every socket. */
  private publish(news: BlockNews): void {
    const p = new PreparedNews(news);
    for (const c of this.conns) {
      try {
        c.deliver(p);
      } catch (e) {
        this.logger.error(`websocket delivery: ${(e as Error)?.stack ?? String(e)}`);
      }
    }
  }

  /**
   * Before the HTTP server closes (it would wait for upgraded sockets for ever): every socket
   * gets 1001, the feed stops, the subscriber quits, before the shared Redis closes.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.server?.off('upgrade', this.onUpgrade);
    const open = [...this.conns];
    const closed = Promise.all(open.map((c) => c.done));
    for (const c of open) c.close(CLOSE.GOING_AWAY, 'the gateway is stopping');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
    for (const c of this.conns) c.terminate();
    await this.feed.stop();
    await closeQuietly(this.subscriber);
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
  }
}
