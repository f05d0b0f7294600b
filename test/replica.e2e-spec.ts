/**
 * A replica from L1 alone against a sequencer running every lane (forced, auction bundles with
 * refunds, committed transactions, public ones) for 50+ blocks: it follows the chain live,
 * re-executes every block to the same hash and state root, serves the same reads as the
 * sequencer's node and refuses writes; `sealane replica` and `sealane verify --derive` do the
 * same from the command line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { JsonRpcProvider, keccak256, Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import { inboxContract } from '@sealane/contracts';
import { deriveChain, Replica, type ReplicaReport } from '@sealane/derive';
import { forceInclude, SealaneClient } from '@sealane/sdk';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { rpc, rpcError, transfer, waitFor } from './support/rpc';
import { sendBundle } from './support/searcher';

const CLI = join(__dirname, '..', 'dist', 'apps', 'sealane', 'src', 'cli.js');
const BLOCKS = 50;

describe('replica from L1 alone (e2e)', () => {
  let s: Sealane;
  let l1: JsonRpcProvider;
  beforeAll(async () => {
    s = await startSealane({
      env: {
        GATEWAY_PORT: '0',
        // Critical-value pricing: a lone winner pays the reserve and is refunded the rest.
        GENESIS_PARAMS: JSON.stringify({ slotMs: 400, batchMaxDelayMs: 1000, auctionPricing: 1 }),
      },
      logger: ['error'],
    });
    l1 = new JsonRpcProvider(s.devnet.l1RpcUrl, undefined, { staticNetwork: true, pollingInterval: 100 });
  });
  afterAll(async () => {
    l1?.destroy();
    await s?.stop();
  });

  const url = () => s.gatewayUrl!;
  const head = async () => Number(await rpc<string>(url(), 'eth_blockNumber'));
  const env = () => ({ ...process.env, L1_RPC_URL: s.devnet.l1RpcUrl, INBOX_ADDRESS: s.devnet.inboxAddress });

  it('follows a chain with every lane in use and matches every block hash and state root', async () => {
    const replica = await Replica.start({ l1RpcUrl: s.devnet.l1RpcUrl, inboxAddress: s.devnet.inboxAddress });
    let report: ReplicaReport = replica.report();
    let following = true;
    const follow = (async () => {
      while (following && report.ok) {
        report = await replica.step();
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    try {
      const client = new SealaneClient(url());
      const fee = new Wallet(DEV_KEYS[0]).address;
      const sent: string[] = [];
      let nonce1 = 0;
      const user = new Wallet(DEV_KEYS[8], l1);
      const nonceOf = async (key: number) =>
        Number(
          await rpc<string>(url(), 'eth_getTransactionCount', [new Wallet(DEV_KEYS[key]).address, 'latest']),
        );
      const bundleTxs: string[] = [];
      while ((await head()) < BLOCKS) {
        for (let i = 0; i < 3; i++)
          sent.push(await rpc<string>(url(), 'eth_sendRawTransaction', [await transfer(1, nonce1++)]));
        const bundleTx = await new Wallet(DEV_KEYS[4]).signTransaction({
          type: 2,
          chainId: 24225,
          nonce: await nonceOf(4),
          to: fee,
          value: 10n ** 15n,
          gasLimit: 21_000n,
          maxFeePerGas: 100n * 10n ** 9n,
          maxPriorityFeePerGas: 10n ** 9n,
        });
        bundleTxs.push(keccak256(bundleTx));
        await sendBundle(url(), 4, [bundleTx], (await head()) + 2);
        await forceInclude(user, s.devnet.inboxAddress, await transfer(8, await nonceOf(8)));
        const priv = await Promise.all(
          [5, 6].map((k) =>
            client.sendPrivateTransaction(new Wallet(DEV_KEYS[k]), { to: fee, value: 1n, gasLimit: 21_000n }),
          ),
        );
        expect(priv.map((p) => p.status.state)).toEqual(['included', 'included']);
      }
      await waitFor(
        'public transfers included',
        async () =>
          (await Promise.all(sent.map((h) => rpc(url(), 'eth_getTransactionReceipt', [h])))).every(Boolean),
        60_000,
      );
      const last = await head();
      const inbox = inboxContract(s.devnet.inboxAddress, l1);
      await waitFor(
        'batches on L1 past the head',
        async () => Number(await inbox.nextBlock()) > last,
        60_000,
        250,
      );
      await waitFor('the replica to catch up', async () => report.head >= last || !report.ok, 60_000, 200);
      following = false;
      await follow;
      expect(report.divergence).toBeUndefined();
      expect(report.ok).toBe(true);
      expect(report.blocks).toBeGreaterThanOrEqual(BLOCKS);
      expect(report.forced.included).toBeGreaterThan(0);

      // Block by block, the replica's chain is the sequencer's.
      const replicaEngine = replica.engineUrl;
      for (let n = 1; n <= last; n++) {
        const tag = '0x' + n.toString(16);
        const [a, b] = await Promise.all([
          rpc<{ hash: string; stateRoot: string }>(url(), 'eth_getBlockByNumber', [tag, false]),
          rpc<{ hash: string; stateRoot: string }>(replicaEngine, 'eth_getBlockByNumber', [tag, false]),
        ]);
        expect([n, b.hash, b.stateRoot]).toEqual([n, a.hash, a.stateRoot]);
      }
      // Every lane was in use: forced (above), bundles with their refunds, committed pairs.
      const receipts = await Promise.all(
        bundleTxs.map((h) => rpc<{ blockNumber: string } | null>(url(), 'eth_getTransactionReceipt', [h])),
      );
      const won = receipts.filter(Boolean).map((r) => Number(r!.blockNumber));
      expect(won.length).toBeGreaterThan(0);
      const results = await rpc<{ winners: { refundTxHash?: string }[] }>(url(), 'sealane_getSlotResults', [
        '0x' + won[0].toString(16),
      ]);
      expect(results.winners[0].refundTxHash).toMatch(/^0x[0-9a-f]{64}$/);

      // With the sequencer's published slot data, every block's ordering evidence checks out too.
      const withEvidence = await deriveChain({
        l1RpcUrl: s.devnet.l1RpcUrl,
        inboxAddress: s.devnet.inboxAddress,
        sequencerUrl: url(),
      });
      expect(withEvidence.divergence).toBeUndefined();
      expect(withEvidence.blocks).toBeGreaterThanOrEqual(BLOCKS);
    } finally {
      following = false;
      await follow;
      await replica.stop();
    }
  });

  it('sealane replica serves read-only JSON-RPC and stops cleanly; verify --derive agrees', async () => {
    const child = spawn(process.execPath, [CLI, 'replica'], {
      env: { ...env(), REPLICA_PORT: '0', REPLICA_POLL_MS: '200' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const at = await waitFor(
        'the replica RPC',
        async () => /JSON-RPC \(read-only\) at (http:\/\/[^\s,]+)/.exec(out)?.[1],
        60_000,
      );
      const posted = Number(await inboxContract(s.devnet.inboxAddress, l1).nextBlock()) - 1;
      const status = await waitFor(
        'the replica at the posted head',
        async () => {
          const st = await rpc<ReplicaReport>(at, 'sealane_replicaStatus');
          return st.head >= posted ? st : undefined;
        },
        60_000,
      );
      expect(status.ok).toBe(true);
      const who = new Wallet(DEV_KEYS[1]).address;
      const tag = '0x' + posted.toString(16);
      expect(await rpc(at, 'eth_getBalance', [who, tag])).toBe(
        await rpc(url(), 'eth_getBalance', [who, tag]),
      );
      expect(await rpc(at, 'eth_chainId')).toBe('0x5ea1');
      const refused = await rpcError(at, 'eth_sendRawTransaction', [await transfer(2, 0)]);
      expect(refused).toMatchObject({ code: -32090, message: expect.stringMatching(/read-only/) });
      expect((await rpcError(at, 'anvil_setBalance', [who, '0x1'])).code).toBe(-32601);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(/derive OK: \d+ batches/);

    const v = spawnSync(process.execPath, [CLI, 'verify', '--derive'], { env: env(), encoding: 'utf8' });
    expect(v.stdout).toMatch(/^derive OK: /m);
    expect(v.status).toBe(0);
    const bad = spawnSync(process.execPath, [CLI, 'verify', '--frobnicate'], {
      env: env(),
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
  });
});
