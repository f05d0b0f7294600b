import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { JSONRPC } from '@sealane/rpc';
import { CLOSE, MAX_IN_FLIGHT, WsConnection, type MessageScope } from './connection';
import { headerOf, PreparedNews } from './subscriptions';

/** Just what WsConnection uses of a ws socket, recording what it is told. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  isPaused = false;
  sent: string[] = [];
  closedWith?: { code: number; reason: string };
  terminated = false;
  pings = 0;
  send(m: string) {
    this.sent.push(m);
  }
  close(code: number, reason: string) {
    this.closedWith = { code, reason };
    this.readyState = 2;
  }
  terminate() {
    this.terminated = true;
    this.readyState = 3;
  }
  ping() {
    this.pings++;
  }
  pause() {
    this.isPaused = true;
  }
  resume() {
    this.isPaused = false;
  }
  message(text: string) {
    this.emit('message', Buffer.from(text), false);
  }
}

const block = (n: number) =>
  new PreparedNews({ number: n, header: headerOf({ number: n, transactions: [] }), logs: [], results: null });
const flush = () => new Promise((r) => setImmediate(r));

function connection(handle: (body: string, scope: MessageScope) => Promise<unknown>) {
  const ws = new FakeSocket();
  const scopes = new WeakMap<object, MessageScope>();
  const conn = new WsConnection(
    ws as unknown as WebSocket,
    { origin: 'test' },
    {
      maxBodyBytes: 100,
      maxBufferedBytes: 1000,
      maxSubscriptions: 3,
      handle: (body, headers) => handle(body, scopes.get(headers)!),
      bind: (headers, scope) => scopes.set(headers, scope),
      onError: () => undefined,
    },
  );
  return { ws, conn };
}

describe('one WebSocket connection', () => {
  it('answers an oversized message with an error and keeps serving', async () => {
    const { ws } = connection((body) => Promise.resolve({ echo: body }));
    ws.message('x'.repeat(101));
    ws.message('"ok"');
    await flush();
    expect(JSON.parse(ws.sent[0])).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: JSONRPC.INVALID_REQUEST, message: 'request body exceeds 100 bytes' },
    });
    expect(JSON.parse(ws.sent[1])).toEqual({ echo: '"ok"' });
    expect(ws.closedWith).toBeUndefined();
  });

  it("sends a subscription's news only after the answer that names it", async () => {
    const ref: { conn?: WsConnection } = {};
    const made = connection(async (_body, scope) => {
      const s = scope.conn.subs.add({ kind: 'newHeads' });
      scope.created.push(s);
      // A block sealed while the request is still being answered.
      ref.conn!.deliver(block(7));
      await flush();
      ref.conn!.deliver(block(8));
      return { jsonrpc: '2.0', id: 1, result: s.id };
    });
    ref.conn = made.conn;
    made.ws.message('subscribe');
    await flush();
    await flush();
    const [answer, ...news] = made.ws.sent.map((m) => JSON.parse(m));
    expect(answer).toMatchObject({ id: 1, result: expect.stringMatching(/^0x/) });
    expect(news.map((n) => [n.params.subscription, n.params.result.number])).toEqual([
      [answer.result, 7],
      [answer.result, 8],
    ]);
    made.conn.deliver(block(9));
    expect(made.ws.sent).toHaveLength(4);
  });

  it('closes a slow reader with 1008 instead of buffering for it', async () => {
    const { ws, conn } = connection(async (_b, scope) => {
      scope.created.push(scope.conn.subs.add({ kind: 'newHeads' }));
      return { id: 1 };
    });
    ws.message('subscribe');
    await flush();
    conn.deliver(block(1));
    expect(ws.sent).toHaveLength(2);
    ws.bufferedAmount = 1001;
    conn.deliver(block(2));
    expect(ws.sent).toHaveLength(2);
    expect(ws.closedWith).toEqual({ code: CLOSE.POLICY, reason: expect.stringMatching(/^slow consumer/) });
    expect(conn.subs.size).toBe(0);
  });

  it('drops a peer that did not answer the last ping', () => {
    const { ws, conn } = connection(() => Promise.resolve(undefined));
    conn.ping();
    ws.emit('pong');
    conn.ping();
    expect(ws.terminated).toBe(false);
    conn.ping();
    expect(ws.pings).toBe(2);
    expect(ws.terminated).toBe(true);
  });

  it('stops reading while too many of its requests are being answered', async () => {
    const waiting: (() => void)[] = [];
    const { ws } = connection(() => new Promise((r) => waiting.push(() => r({ id: 1 }))));
    for (let i = 0; i < MAX_IN_FLIGHT; i++) ws.message('{}');
    expect(ws.isPaused).toBe(true);
    waiting.shift()!();
    await flush();
    expect(ws.isPaused).toBe(false);
    expect(ws.sent).toHaveLength(1);
  });
});
