/**
 * Two builder processes share one Redis and one L2 engine: one leads, the other stands by.
 * Killing the leader (SIGKILL, no clean-up) mid-run hands the lease to the standby, which goes
 * on sealing the next block: no block number is skipped and no transaction is lost or doubled.
 */
import { keccak256 } from 'ethers';
import Redis from 'ioredis';
import { loadConfig } from '@sealane/config';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import type { SealedBlock } from '@sealane/store';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { spawnSealane, type Component } from './support/processes';
import { rpc, transfer, waitFor } from './support/rpc';

describe('builder fail-over (e2e)', () => {
  let devnet: Devnet;
  let gateway: Sealane;
  let redis: Redis;
  const builders: Component[] = [];

  beforeAll(async () => {
    devnet = await startEmbedded(loadConfig({}));
    const shared = {
      REDIS_URL: devnet.redisUrl,
      L2_RPC_URL: devnet.l2RpcUrl,
      L1_RPC_URL: devnet.l1RpcUrl,
      INBOX_ADDRESS: devnet.inboxAddress,
      GENESIS_PARAMS: JSON.stringify({ slotMs: 300 }),
      LEASE_TTL_MS: '1000',
    };
    gateway = await startSealane({
      env: { ...shared, COMPONENTS: 'gateway', GATEWAY_PORT: '0' },
      logger: ['error'],
    });
    redis = new Redis(devnet.redisUrl);
    for (const id of ['builder-a', 'builder-b']) {
      builders.push(spawnSealane({ ...shared, COMPONENTS: 'builder', BUILDER_ID: id, LOG_LEVEL: 'warn' }));
      // Let the first one take the lease before the second starts, so the leader is known.
      if (id === 'builder-a')
        await waitFor(
          'builder-a to lead',
          async () => (await redis.get('sealane:lease:builder')) === 'builder-a',
        );
    }
  });

  afterAll(async () => {
    await Promise.all(builders.map((b) => b.kill()));
    redis?.disconnect();
    await gateway?.stop();
    await devnet?.stop();
  });

  it('the standby takes over without a gap', async () => {
    const url = gateway.gatewayUrl!;
    const sent: string[] = [];
    const send = async (from: number, nonce: number) => {
      const raw = await transfer(from, nonce);
      sent.push(await rpc<string>(url, 'eth_sendRawTransaction', [raw]));
      expect(sent.at(-1)).toBe(keccak256(raw));
    };
    for (let i = 0; i < 10; i++) await send(1, i);
    await waitFor(
      'first transactions sealed',
      async () => (await rpc(url, 'eth_getTransactionReceipt', [sent[9]])) !== null,
    );

    const headAtKill = Number(await redis.get('sealane:sealed:head'));
    await builders[0].kill('SIGKILL');
    for (let i = 0; i < 10; i++) await send(2, i);
    await waitFor(
      'the standby to lead',
      async () => (await redis.get('sealane:lease:builder')) === 'builder-b',
      10_000,
    );
    for (let i = 10; i < 20; i++) await send(1, i);
    await waitFor('all transactions sealed', async () => {
      const rs = await Promise.all(sent.map((h) => rpc(url, 'eth_getTransactionReceipt', [h])));
      return rs.every((r) => r !== null);
    });

    const head = Number(await redis.get('sealane:sealed:head'));
    expect(head).toBeGreaterThan(headAtKill);
    expect(Number(await rpc(url, 'eth_blockNumber'))).toBeGreaterThanOrEqual(head);
    const seen = new Map<string, number>();
    const sealers = new Set<string>();
    let parent = (await rpc<{ hash: string }>(url, 'eth_getBlockByNumber', ['0x0', false])).hash;
    for (let n = 1; n <= head; n++) {
      const rec = JSON.parse((await redis.get(`sealane:block:${n}`))!) as SealedBlock;
      const onChain = await rpc<{ hash: string; parentHash: string; transactions: string[] }>(
        url,
        'eth_getBlockByNumber',
        ['0x' + n.toString(16), false],
      );
      expect(rec.number).toBe(n);
      expect(rec.hash).toBe(onChain.hash);
      expect(rec.parentHash).toBe(parent);
      expect(rec.txHashes).toEqual(onChain.transactions);
      parent = rec.hash;
      sealers.add(rec.builder!);
      for (const h of rec.txHashes) seen.set(h, (seen.get(h) ?? 0) + 1);
    }
    for (const h of sent) expect(seen.get(h)).toBe(1);
    expect([...sealers].sort()).toEqual(['builder-a', 'builder-b']);
    expect(builders[1].output()).not.toMatch(/differs from the intended order/);
  });
});
