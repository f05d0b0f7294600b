import { createServer, type Server } from 'node:net';
import { JsonRpcProvider } from 'ethers';
import Redis from 'ioredis';
import { loadConfig } from '@sealane/config';
import {
  EmbeddedStartError,
  freePort,
  redisBinary,
  startAnvil,
  startEmbedded,
  type Devnet,
} from '@sealane/embedded';
import { inboxContract } from '@sealane/contracts';

describe('embedded devnet', () => {
  let devnet: Devnet;
  beforeAll(async () => {
    devnet = await startEmbedded(loadConfig({}));
  });
  afterAll(async () => {
    await devnet?.stop();
  });

  it('starts redis with AOF on, the L2 engine, L1 and the Inbox', async () => {
    expect(devnet.started).toEqual(['redis', 'l2', 'l1', 'inbox']);
    const redis = new Redis(devnet.redisUrl);
    expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
    redis.disconnect();

    const l2 = new JsonRpcProvider(devnet.l2RpcUrl, undefined, { staticNetwork: true });
    expect((await l2.getNetwork()).chainId).toBe(24225n);
    expect(await l2.send('anvil_getAutomine', [])).toBe(false);
    l2.destroy();

    const l1 = new JsonRpcProvider(devnet.l1RpcUrl, undefined, { staticNetwork: true });
    const inbox = inboxContract(devnet.inboxAddress, l1);
    expect(await inbox.batchCount()).toBe(0n);
    expect(await inbox.nextBlock()).toBe(1n);
    l1.destroy();
  });

  it('uses what the operator gives instead of starting it', async () => {
    const second = await startEmbedded(
      loadConfig({
        REDIS_URL: devnet.redisUrl,
        L1_RPC_URL: devnet.l1RpcUrl,
        INBOX_ADDRESS: devnet.inboxAddress,
      }),
    );
    try {
      expect(second.started).toEqual(['l2']);
      expect(second.redisUrl).toBe(devnet.redisUrl);
    } finally {
      await second.stop();
    }
  });

  it('makes up no data folder when every part is given (a killed process leaves none behind)', async () => {
    const third = await startEmbedded(
      loadConfig({
        REDIS_URL: devnet.redisUrl,
        L2_RPC_URL: devnet.l2RpcUrl,
        L1_RPC_URL: devnet.l1RpcUrl,
        INBOX_ADDRESS: devnet.inboxAddress,
      }),
    );
    try {
      expect(third.started).toEqual([]);
      expect([third.dataDir, third.tempDataDir]).toEqual(['', false]);
    } finally {
      await third.stop();
    }
  });

  it('reports a missing binary clearly', () => {
    expect(() => redisBinary(['/nonexistent'])).toThrow(EmbeddedStartError);
    expect(() => redisBinary(['/nonexistent'])).toThrow(
      /redis-server not found: install it .* or set REDIS_URL/,
    );
  });

  it('reports a port in use clearly', async () => {
    const port = await freePort();
    const blocker: Server = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      await expect(startAnvil('anvil-x', devnet.dataDir, [], port)).rejects.toThrow(EmbeddedStartError);
      await expect(startAnvil('anvil-x', devnet.dataDir, [], port)).rejects.toThrow(`port ${port}`);
    } finally {
      blocker.close();
    }
  });
});
