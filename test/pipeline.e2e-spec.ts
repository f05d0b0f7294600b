/**
 * The whole pipeline in one process on the embedded devnet: transactions sent over HTTP end up
 * in sealed L2 blocks, in batches on the L1 Inbox, and `verify` (library and CLI) confirms,
 * from L1 data alone, that the L2 engine's chain is exactly what was posted.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { JsonRpcProvider } from 'ethers';
import { inboxContract } from '@sealane/contracts';
import { REDIS } from '@sealane/core';
import { verifyChain } from '@sealane/poster';
import type { PostedBatch, PosterStatus, SealaneRedis } from '@sealane/store';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { rpc, transfer, waitFor } from './support/rpc';

describe('pipeline: RPC -> sealed block -> L1 batch -> verify (e2e)', () => {
  let s: Sealane;
  beforeAll(async () => {
    s = await startSealane({
      env: { GATEWAY_PORT: '0', GENESIS_PARAMS: JSON.stringify({ slotMs: 300, batchMaxDelayMs: 1000 }) },
      logger: ['error'],
    });
  });
  afterAll(() => s?.stop());

  it('posts every sealed transaction to L1 and verify passes', async () => {
    const url = s.gatewayUrl!;
    const hashes: string[] = [];
    for (let nonce = 0; nonce < 8; nonce++) {
      for (const from of [1, 2, 3])
        hashes.push(await rpc<string>(url, 'eth_sendRawTransaction', [await transfer(from, nonce)]));
    }
    const lastBlock = await waitFor('all included', async () => {
      const rs = await Promise.all(
        hashes.map((h) => rpc<{ blockNumber: string } | null>(url, 'eth_getTransactionReceipt', [h])),
      );
      return rs.every(Boolean) ? Math.max(...rs.map((r) => Number(r!.blockNumber))) : undefined;
    });

    const l1 = new JsonRpcProvider(s.devnet.l1RpcUrl, undefined, { staticNetwork: true });
    const inbox = inboxContract(s.devnet.inboxAddress, l1);
    await waitFor(
      'batches on L1 past the last block',
      async () => Number(await inbox.nextBlock()) > lastBlock,
      60_000,
      250,
    );
    const count = Number(await inbox.batchCount());
    l1.destroy();

    const redis = s.app.get<SealaneRedis>(REDIS);
    const posted: PostedBatch[] = [];
    for (let seq = 0; seq < count; seq++) {
      const rec = await waitFor(`batch ${seq} record`, async () => redis.get(`sealane:batch:${seq}`));
      posted.push(JSON.parse(rec) as PostedBatch);
    }
    for (let i = 0; i < posted.length; i++) {
      expect(posted[i].firstBlock).toBe(i === 0 ? 1 : posted[i - 1].lastBlock + 1);
      expect(posted[i].compressedBytes).toBeGreaterThan(0);
    }

    // The poster's lag, as any gateway reports it.
    const status = await waitFor('the poster status past the last block', async () => {
      const st = await rpc<PosterStatus | null>(url, 'sealane_getPosterStatus', []);
      return st && st.postedBlock >= lastBlock ? st : undefined;
    });
    expect(status).toMatchObject({ maxInFlight: 16, lagBlocks: status.sealedHead - status.postedBlock });
    expect(status.inFlight).toBeLessThanOrEqual(16);

    const report = await verifyChain({
      l1RpcUrl: s.devnet.l1RpcUrl,
      inboxAddress: s.devnet.inboxAddress,
      l2RpcUrl: s.devnet.l2RpcUrl,
    });
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.batches).toBe(count);
    expect(report.lastBlock).toBeGreaterThanOrEqual(lastBlock);
    expect(report.transactions).toBeGreaterThanOrEqual(hashes.length);

    const cli = spawnSync(
      process.execPath,
      [join(__dirname, '..', 'dist', 'apps', 'sealane', 'src', 'cli.js'), 'verify'],
      {
        env: {
          ...process.env,
          L1_RPC_URL: s.devnet.l1RpcUrl,
          INBOX_ADDRESS: s.devnet.inboxAddress,
          L2_RPC_URL: s.devnet.l2RpcUrl,
        },
        encoding: 'utf8',
      },
    );
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/ok/i);
  });
});
