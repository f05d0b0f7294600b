/**
 * The engine client against what engines really answer: a batch larger than anvil's request
 * limit (2 MiB) goes in several requests and every call gets its result; an answer that is one
 * error object, not HTTP 200, or not JSON becomes a typed error for each call, never a TypeError.
 */
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@sealane/config';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import { EngineClient, EngineRpcError, MAX_REQUEST_BYTES, type RpcCall } from '@sealane/engine';

describe('engine client (e2e)', () => {
  let devnet: Devnet;
  let engine: EngineClient;

  beforeAll(async () => {
    devnet = await startEmbedded(
      loadConfig({ L1_RPC_URL: 'http://127.0.0.1:1', INBOX_ADDRESS: '0x' + '11'.repeat(20) }),
    );
    engine = new EngineClient(devnet.l2RpcUrl);
  });
  afterAll(async () => {
    await engine?.close();
    await devnet?.stop();
    if (devnet) rmSync(devnet.dataDir, { recursive: true, force: true });
  });

  it('splits a batch by bytes so that anvil answers every call', async () => {
    // 40 calls of 100 KB each: 4 MB in all, twice anvil's limit, within the count chunk.
    const data = '0x' + '00'.repeat(50_000);
    const calls: RpcCall[] = Array.from({ length: 40 }, () => [
      'eth_call',
      [{ to: '0x' + '22'.repeat(20), data }, 'latest'],
    ]);
    expect(JSON.stringify(calls).length).toBeGreaterThan(2 * 1024 * 1024);
    const out = await engine.batch(calls);
    expect(out).toHaveLength(40);
    expect(out.every((r) => r.ok && r.result === '0x')).toBe(true);
  });

  it("turns anvil's answer to a request over its limit into an error for that call alone", async () => {
    const big: RpcCall = [
      'eth_call',
      [{ to: '0x' + '22'.repeat(20), data: '0x' + '00'.repeat(MAX_REQUEST_BYTES * 1.1) }, 'latest'],
    ];
    const small: RpcCall = ['eth_chainId', []];
    const [a, b, c] = await engine.batch([small, big, small]);
    expect(a).toEqual({ ok: true, result: '0x5ea1' });
    expect(c).toEqual({ ok: true, result: '0x5ea1' });
    expect(b.ok).toBe(false);
    const e = (b as { error: EngineRpcError }).error;
    expect(e).toBeInstanceOf(EngineRpcError);
    expect(e).toMatchObject({ method: 'eth_call', code: -32600, wholeRequest: true });
  });

  describe('against an engine answering nonsense', () => {
    let server: Server;
    let answer: { status: number; body: string };
    let client: EngineClient;
    beforeAll(async () => {
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () =>
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body),
        );
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      client = new EngineClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
    afterAll(async () => {
      await client.close();
      await new Promise((r) => server.close(r));
    });

    it.each([
      [
        'one error object',
        200,
        '{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid request"}}',
        -32600,
      ],
      ['HTTP 500', 500, 'internal error', 500],
      ['bad JSON', 200, '[{"jsonrpc":', -32700],
      ['a number', 200, '42', -32603],
    ])('%s: a typed error for every call of the batch', async (_, status, body, code) => {
      answer = { status, body };
      const out = await client.batch([
        ['eth_chainId', []],
        ['eth_blockNumber', []],
      ]);
      expect(out).toHaveLength(2);
      out.forEach((r, i) => {
        expect(r.ok).toBe(false);
        expect((r as { error: EngineRpcError }).error).toMatchObject({
          name: 'EngineRpcError',
          method: ['eth_chainId', 'eth_blockNumber'][i],
          code,
          wholeRequest: true,
        });
      });
      await expect(client.call('eth_chainId')).rejects.toBeInstanceOf(EngineRpcError);
    });
  });
});
