/**
 * WebSockets on the gateway port, against the real embedded devnet: the unmodified ethers
 * WebSocketProvider, and a raw `ws` client for eth_subscribe (newHeads, logs, slot results),
 * bad input, the subscription and connection limits, and the stop closing every socket.
 */
import { getCreateAddress, id as keccakText, WebSocketProvider, zeroPadValue } from 'ethers';
import { JSONRPC, SEALANE_CODES } from '@sealane/rpc';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { L2_CHAIN_ID, rpc, rpcRaw, wallet, waitFor } from './support/rpc';
import { WsClient } from './support/ws-client';

const TOPIC = keccakText('sealane websocket test');
const OTHER = keccakText('another event');
/** Runtime: LOG2(calldata, TOPIC, caller). */
const RUNTIME = '36600060003733' + '7f' + TOPIC.slice(2) + '366000a200';
const INIT = '0x602d600c600039602d6000f3' + RUNTIME;

interface Head {
  number: string;
  hash: string;
  parentHash: string;
  transactions?: unknown;
}
interface Log {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  logIndex: string;
  removed: boolean;
}
interface Receipt {
  blockNumber: string;
  status: string;
  logs: Log[];
}

describe('WebSockets on the gateway port (e2e)', () => {
  let s: Sealane;
  let url: string;
  let wsUrl: string;
  const clients: WsClient[] = [];
  const open = async () => {
    const c = await WsClient.open(wsUrl);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    s = await startSealane({
      env: {
        COMPONENTS: 'gateway,builder',
        GATEWAY_PORT: '0',
        RPC_MAX_BODY_BYTES: '65536',
        WS_MAX_SUBSCRIPTIONS: '5',
        WS_MAX_CONNECTIONS: '8',
        GENESIS_PARAMS: JSON.stringify({ slotMs: 400 }),
      },
      logger: ['error'],
    });
    url = s.gatewayUrl!;
    wsUrl = url.replace(/^http/, 'ws');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await s?.stop();
  });

  it('serves the unmodified ethers WebSocketProvider: blocks in order and calls over the socket', async () => {
    const provider = new WebSocketProvider(wsUrl);
    try {
      expect((await provider.getNetwork()).chainId).toBe(BigInt(L2_CHAIN_ID));
      const seen: number[] = [];
      await provider.on('block', (n: number) => seen.push(n));
      await waitFor('three blocks from ethers', () => Promise.resolve(seen.length >= 3));
      const first = seen[0];
      expect(seen.slice(0, 3)).toEqual([first, first + 1, first + 2]);
      expect(await provider.getBlockNumber()).toBeGreaterThanOrEqual(first + 2);
      expect(await provider.getBalance(wallet(1).address, first)).toBeGreaterThan(0n);
    } finally {
      await provider.destroy();
    }
  });

  it('newHeads: consecutive headers, the same as eth_getBlockByNumber, without transactions', async () => {
    const c = await open();
    const sub = await c.subscribe('newHeads');
    expect(sub).toMatch(/^0x[0-9a-f]{32}$/);
    const heads = (await c.take<Head>(sub, 4)).slice(0, 4);
    for (const [i, h] of heads.entries()) {
      expect(h.transactions).toBeUndefined();
      const block = await rpc<Head>(url, 'eth_getBlockByNumber', [h.number, false]);
      expect(h.hash).toBe(block.hash);
      if (i > 0) {
        expect(Number(h.number)).toBe(Number(heads[i - 1].number) + 1);
        expect(h.parentHash).toBe(heads[i - 1].hash);
      }
    }
    expect(await c.call('eth_unsubscribe', [sub])).toBe(true);
    expect(await c.call('eth_unsubscribe', [sub])).toBe(false);
  });

  it('logs: exactly the matching logs of each sealed block, geth filter rules', async () => {
    const c = await open();
    const heads = await c.subscribe('newHeads');
    const from = wallet(4);
    const a = getCreateAddress({ from: from.address, nonce: 0 }).toLowerCase();
    const b = getCreateAddress({ from: from.address, nonce: 1 }).toLowerCase();
    const caller = zeroPadValue(from.address, 32).toLowerCase();
    const exact = await c.subscribe('logs', { address: a, topics: [TOPIC, caller] });
    const either = await c.subscribe('logs', { address: [b, a], topics: [null, [OTHER, caller]] });
    const none = await c.subscribe('logs', { address: a, topics: [OTHER] });
    const tooLong = await c.subscribe('logs', { topics: [TOPIC, null, null] });

    const tx = (nonce: number, o: { to?: string; data: string }) =>
      from.signTransaction({
        type: 2,
        chainId: L2_CHAIN_ID,
        nonce,
        ...o,
        gasLimit: 200_000n,
        maxFeePerGas: 100n * 10n ** 9n,
        maxPriorityFeePerGas: 10n ** 9n,
      });
    const raws = [
      await tx(0, { data: INIT }),
      await tx(1, { data: INIT }),
      await tx(2, { to: a, data: '0x01' }),
      await tx(3, { to: a, data: '0x0203' }),
      await tx(4, { to: b, data: '0x' + 'ee'.repeat(40) }),
      await tx(5, { to: a, data: '0x' }),
    ];
    const hashes: string[] = [];
    for (const r of raws) hashes.push(await rpc<string>(url, 'eth_sendRawTransaction', [r]));
    const receipts = await waitFor('the receipts', async () => {
      const rs = await Promise.all(
        hashes.map((h) => rpc<Receipt | null>(url, 'eth_getTransactionReceipt', [h])),
      );
      return rs.every(Boolean) && (rs as Receipt[]);
    });
    expect(receipts.map((r) => r.status)).toEqual(Array(6).fill('0x1'));
    // The head after the last of them: every log of that block was sent before it.
    const last = Math.max(...receipts.map((r) => Number(r.blockNumber)));
    await waitFor('the head after the transactions', () =>
      Promise.resolve(c.of<Head>(heads).some((h) => Number(h.number) > last)),
    );
    const key = (l: Log) => [l.transactionHash, l.logIndex, l.address, l.data, ...l.topics].join();
    const logsOf = (...i: number[]) => i.flatMap((j) => receipts[j].logs).map(key);
    expect(c.of<Log>(exact).map(key)).toEqual(logsOf(2, 3, 5));
    expect(c.of<Log>(either).map(key)).toEqual(logsOf(2, 3, 4, 5));
    expect(c.of<Log>(exact).every((l) => l.removed === false && l.address === a)).toBe(true);
    expect(c.of<Log>(exact)[0].data).toBe('0x01');
    expect(c.of(none)).toEqual([]);
    expect(c.of(tooLong)).toEqual([]);
  });

  it('sealane_slotResults: the published results of each block once sealed', async () => {
    const c = await open();
    const sub = await c.subscribe('sealane_slotResults');
    const results = (await c.take<{ slot: number; block: number }>(sub, 2)).slice(0, 2);
    expect(results[1].block).toBe(results[0].block + 1);
    for (const r of results) {
      expect(r.slot).toBe(r.block);
      expect(await rpc(url, 'sealane_getSlotResults', ['0x' + r.block.toString(16)])).toEqual(r);
      expect(await rpc(url, 'eth_getBlockByNumber', ['0x' + r.block.toString(16), false])).not.toBeNull();
    }
  });

  it('answers bad input with clear errors and keeps serving the socket', async () => {
    const c = await open();
    const kind = await c.request('eth_subscribe', ['newPendingTransactions']);
    expect(kind.error).toMatchObject({ code: JSONRPC.INVALID_PARAMS });
    expect(kind.error!.message).toMatch(/unknown subscription kind.*newHeads, logs, sealane_slotResults/);
    const filter = await c.request('eth_subscribe', ['logs', { address: '0x1234' }]);
    expect(filter.error).toMatchObject({
      code: JSONRPC.INVALID_PARAMS,
      message: expect.stringMatching(/address/),
    });
    const topics = await c.request('eth_subscribe', ['logs', { topics: ['nope'] }]);
    expect(topics.error).toMatchObject({ code: JSONRPC.INVALID_PARAMS });
    c.sendRaw('{"jsonrpc":"2.0","id":');
    expect((await c.answer(null)).error).toMatchObject({ code: JSONRPC.PARSE_ERROR });
    c.answers.length = 0;
    c.sendRaw(
      JSON.stringify({ jsonrpc: '2.0', id: 'big', method: 'eth_chainId', params: ['x'.repeat(70_000)] }),
    );
    expect((await c.answer(null)).error).toEqual({
      code: JSONRPC.INVALID_REQUEST,
      message: 'request body exceeds 65536 bytes',
    });
    expect(await c.call('eth_unsubscribe', ['0x' + '00'.repeat(16)])).toBe(false);
    expect((await c.request('eth_unsubscribe', [7])).error).toMatchObject({ code: JSONRPC.INVALID_PARAMS });
    // A batch mixing a subscription and a call is answered as one batch.
    c.sendRaw(
      JSON.stringify([
        { jsonrpc: '2.0', id: 'b1', method: 'eth_chainId' },
        { jsonrpc: '2.0', id: 'b2', method: 'eth_subscribe', params: ['newHeads'] },
      ]),
    );
    expect((await c.answer('b1')).result).toBe('0x5ea1');
    const batched = (await c.answer<string>('b2')).result!;
    await c.take(batched, 1);
    expect(await c.call('eth_chainId')).toBe('0x5ea1');
    expect(c.closed).toBeUndefined();
    // Over HTTP there is no socket to notify.
    const { json } = await rpcRaw(
      url,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }),
    );
    expect(json).toMatchObject({
      error: {
        code: JSONRPC.METHOD_NOT_FOUND,
        message: expect.stringMatching(/^notifications not supported/),
      },
    });
  });

  it('refuses subscriptions past WS_MAX_SUBSCRIPTIONS and connections past WS_MAX_CONNECTIONS', async () => {
    const c = await open();
    const subs: string[] = [];
    for (let i = 0; i < 5; i++) subs.push(await c.subscribe('newHeads'));
    const over = await c.request('eth_subscribe', ['newHeads']);
    expect(over.error).toMatchObject({
      code: SEALANE_CODES.RateLimitedError,
      message: expect.stringMatching(/too many subscriptions on this connection: at most 5/),
    });
    expect(await c.call('eth_unsubscribe', [subs[0]])).toBe(true);
    expect(await c.subscribe('newHeads')).toMatch(/^0x/);

    const extra: WsClient[] = [];
    let refused: { status?: number } | undefined;
    for (let i = 0; i < 9 && !refused; i++) {
      try {
        extra.push(await open());
      } catch (e) {
        refused = e as { status?: number };
      }
    }
    expect(refused?.status).toBe(503);
    await extra.pop()!.close();
    const again = await waitFor('a place freed by a closed socket', () => open().catch(() => null));
    expect(await again.call('eth_chainId')).toBe('0x5ea1');
    await Promise.all([...extra, again].map((x) => x.close()));
  });

  it('the stop closes every socket with 1001', async () => {
    const c = await open();
    await c.subscribe('newHeads');
    await s.stop();
    await waitFor('the socket to close', () => Promise.resolve(c.closed));
    expect(c.closed).toEqual({ code: 1001, reason: 'the gateway is stopping' });
  });
});
