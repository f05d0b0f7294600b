/**
 * SIGKILL of the L2 engine in the middle of a run, on the embedded devnet: the supervisor starts
 * a fresh engine from the same genesis on the same port, the builder rebuilds it from its own
 * records (every hash checked), `/ready` reports the rebuild, and the chain goes on with the
 * same hashes; nothing acknowledged is lost, and the chain still verifies from L1 alone.
 */
import { JsonRpcProvider, keccak256, Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import { inboxContract } from '@sealane/contracts';
import { deriveChain } from '@sealane/derive';
import { verifyChain } from '@sealane/poster';
import { SealaneClient } from '@sealane/sdk';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { rpc, transfer, waitFor } from './support/rpc';
import { coinbaseBid, sendBundle } from './support/searcher';

interface Ready {
  ready: boolean;
  checks: { l2: { ok: boolean; error?: string } };
  engine: { state: string; lastRebuild?: { from: number; to: number; ms: number } } | null;
}

describe('L2 engine crash recovery (e2e)', () => {
  let s: Sealane;
  const restarts: string[] = [];
  beforeAll(async () => {
    s = await startSealane({
      env: { GATEWAY_PORT: '0', GENESIS_PARAMS: JSON.stringify({ slotMs: 500, batchMaxDelayMs: 500 }) },
      embedded: { log: (line) => restarts.push(line) },
      logger: ['error'],
    });
  });
  afterAll(() => s?.stop());

  const url = () => s.gatewayUrl!;
  const head = async () => Number(await rpc<string>(url(), 'eth_blockNumber'));
  const blockHash = async (n: number) =>
    (await rpc<{ hash: string }>(url(), 'eth_getBlockByNumber', ['0x' + n.toString(16), false])).hash;
  const health = async (): Promise<Ready> => (await fetch(`${url()}/ready`)).json() as Promise<Ready>;

  it('rebuilds a killed engine from the records and goes on with the same chain', async () => {
    const client = new SealaneClient(url());
    // Load of every kind before the kill: public transfers, a private one, a bundle.
    const publicBefore: string[] = [];
    for (let n = 0; n < 5; n++)
      publicBefore.push(await rpc<string>(url(), 'eth_sendRawTransaction', [await transfer(1, n)]));
    const priv = await client.sendPrivateTransaction(new Wallet(DEV_KEYS[5]), {
      to: new Wallet(DEV_KEYS[9]).address,
      value: 7n,
      gasLimit: 21_000n,
    });
    expect(priv.status.state).toBe('included');
    const bundleTx = await coinbaseBid(4, 0, 10n ** 16n);
    const target = (await head()) + 2;
    await sendBundle(url(), 4, [bundleTx], target);
    await waitFor('the bundle included', async () =>
      rpc(url(), 'eth_getTransactionReceipt', [keccak256(bundleTx)]),
    );
    await waitFor('public transfers included', async () =>
      (await Promise.all(publicBefore.map((h) => rpc(url(), 'eth_getTransactionReceipt', [h])))).every(
        Boolean,
      ),
    );

    const before = await head();
    const hashesBefore = await Promise.all(Array.from({ length: before }, (_, i) => blockHash(i + 1)));
    process.kill(s.devnet.pid('l2')!, 'SIGKILL');

    // Acknowledged while the engine is down or rebuilding: kept in Redis, included afterwards.
    const during: string[] = [];
    const seen: Ready[] = [];
    for (let n = 5; n < 10; n++) {
      const h = await rpc<string>(url(), 'eth_sendRawTransaction', [await transfer(1, n)]).catch(() => null);
      if (h) during.push(h);
      seen.push(await health());
    }
    await waitFor('a fresh engine', async () => s.devnet.l2Restarts() === 1, 30_000);
    await waitFor(
      'the chain to go on past the old head',
      async () => (await head().catch(() => 0)) > before + 3,
      60_000,
    );

    expect(restarts.some((l) => /the L2 engine exited \(SIGKILL\)/.test(l))).toBe(true);
    const hashesAfter = await Promise.all(Array.from({ length: before }, (_, i) => blockHash(i + 1)));
    expect(hashesAfter).toEqual(hashesBefore);
    const ready = await waitFor('ready again', async () => {
      const r = await health();
      return r.ready ? r : undefined;
    });
    expect(ready.engine?.state).toBe('ok');
    expect(ready.engine?.lastRebuild).toMatchObject({ from: 1 });
    expect(ready.engine!.lastRebuild!.to).toBeGreaterThanOrEqual(before);
    // While rebuilding, readiness said so (or the rebuild was quicker than the probes).
    for (const r of seen.filter((x) => !x.checks.l2.ok && x.checks.l2.error?.startsWith('rebuilding')))
      expect(r.ready).toBe(false);

    // Transfers sent around the kill (the gateway refuses what it cannot check while the engine
    // is away, so they are sent again now) all end up included, those acknowledged included.
    const after: string[] = [];
    for (let n = 5; n < 10; n++) {
      const raw = await transfer(1, n);
      after.push(keccak256(raw));
      await rpc(url(), 'eth_sendRawTransaction', [raw]).catch(() => undefined);
    }
    expect(after).toEqual(expect.arrayContaining(during));
    await waitFor(
      'every transfer after the kill included',
      async () =>
        (await Promise.all(after.map((h) => rpc(url(), 'eth_getTransactionReceipt', [h])))).every(Boolean),
      60_000,
    );

    // The posted chain still checks out: against the engine, and re-executed from L1 alone.
    const last = await head();
    const l1 = new JsonRpcProvider(s.devnet.l1RpcUrl, undefined, { staticNetwork: true });
    const inbox = inboxContract(s.devnet.inboxAddress, l1);
    await waitFor('batches past the head', async () => Number(await inbox.nextBlock()) > last, 60_000, 250);
    l1.destroy();
    const v = await verifyChain({
      l1RpcUrl: s.devnet.l1RpcUrl,
      inboxAddress: s.devnet.inboxAddress,
      l2RpcUrl: s.devnet.l2RpcUrl,
    });
    expect(v.mismatches).toEqual([]);
    const d = await deriveChain({ l1RpcUrl: s.devnet.l1RpcUrl, inboxAddress: s.devnet.inboxAddress });
    expect(d.divergence).toBeUndefined();
    expect(d.blocks).toBeGreaterThan(before);
  });
});
