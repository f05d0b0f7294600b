/**
 * `sealane audit` (the built CLI) against a live gateway. First a malicious sequencer: Sealane
 * runs its gateway only, and the test plays the builder with the real pieces (the closed flag,
 * MempoolRunner.close publishing the signed order, the users' reveals through the gateway), then
 * seals a block with the two committed transactions swapped against their receipts and records
 * it as the builder would. The audit must exit 1 and print the signed receipts and the block as
 * proof. Then an honest slot sealed by the real builder: the audit exits 0.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet, ZeroHash } from 'ethers';
import { commitmentCrypto, MempoolRunner } from '@sealane/builder';
import { DEV_KEYS } from '@sealane/config';
import { MEMPOOL_DOMAIN, REDIS } from '@sealane/core';
import { L2Engine } from '@sealane/engine';
import type { MempoolDomain } from '@sealane/mempool';
import { ParamsStore } from '@sealane/store';
import { BundleStore, CommitStore, Keys, type SealaneRedis, type SealedBlock } from '@sealane/store';
import { SealaneClient, type PrivateCommit } from '@sealane/sdk';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { rpc, waitFor } from './support/rpc';

const CLI = join(__dirname, '..', 'dist', 'apps', 'sealane', 'src', 'cli.js');
const NO_L1 = { L1_RPC_URL: 'http://127.0.0.1:1', INBOX_ADDRESS: '0x' + '11'.repeat(20) };

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI; asynchronously, since the gateway it calls runs in this process. */
function audit(args: string[]): Promise<Run> {
  const child = spawn(process.execPath, [CLI, 'audit', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

/** The JSON printed after "proof:". */
function proofOf(stdout: string): {
  receipts: { signature: string; position: string }[];
  block: { number: string; hash: string; transactions: string[] };
  violations: { kind: string; position?: number; receipt?: { signature: string } }[];
} {
  const at = stdout.indexOf('proof:\n');
  expect(at).toBeGreaterThanOrEqual(0);
  return JSON.parse(stdout.slice(at + 'proof:\n'.length));
}

let dir: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), 'sealane-audit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function receiptsFile(name: string, committed: PrivateCommit[]): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    JSON.stringify(
      committed.map((c) => c.receiptJson),
      null,
      2,
    ),
  );
  return file;
}

describe('sealane audit: a deliberately mis-ordered block (e2e)', () => {
  let s: Sealane;
  let client: SealaneClient;

  beforeAll(async () => {
    s = await startSealane({
      env: {
        ...NO_L1,
        COMPONENTS: 'gateway',
        GATEWAY_PORT: '0',
        GENESIS_PARAMS: JSON.stringify({ slotMs: 10_000, auctionCloseOffsetMs: 6000, revealWindowMs: 5000 }),
      },
      logger: ['error'],
    });
    client = new SealaneClient(s.gatewayUrl!);
  });
  afterAll(() => s?.stop());

  it('exits 1 and prints the signed receipts and the block when two commitments are swapped', async () => {
    const redis = s.app.get<SealaneRedis>(REDIS);
    const keys = s.app.get(Keys);
    const domain = s.app.get<MempoolDomain>(MEMPOOL_DOMAIN);
    const store = new CommitStore(redis, keys);
    const engine = new L2Engine(s.devnet.l2RpcUrl);
    try {
      // No builder runs: the sealed head stays 0 and slot 1 is open.
      const slot = (await client.mempoolInfo()).openSlot;
      expect(slot).toBe(1);
      const to = new Wallet(DEV_KEYS[9]).address;
      const alice = await client.commitPrivate(new Wallet(DEV_KEYS[5]), { to, value: 1n }, { slot });
      const bob = await client.commitPrivate(new Wallet(DEV_KEYS[6]), { to, value: 2n }, { slot });
      expect([alice.receipt.position, bob.receipt.position]).toEqual([0, 1]);

      // The malicious sequencer closes the slot and publishes the signed order, as the builder does.
      await new BundleStore(redis, keys).close(slot);
      const runner = new MempoolRunner(store, commitmentCrypto(new Wallet(DEV_KEYS[0]), domain), async () =>
        Date.now(),
      );
      const params = (await s.app.get(ParamsStore).snapshot(slot)).values;
      const { commitments } = await runner.close(slot, params);
      await Promise.all([client.revealAfterOrder(alice), client.revealAfterOrder(bob)]);

      // ... takes the reveals, and seals bob's pair before alice's, against the receipts.
      const opened = await runner.open(slot, commitments);
      expect(opened.every((o) => o.revealed)).toBe(true);
      const [a, b] = opened;
      const swapped = [b.feeRaw, b.revealed!.raw, a.feeRaw, a.revealed!.raw];
      for (const raw of swapped) await engine.call('eth_sendRawTransaction', [raw]);
      const parent = (await engine.getBlock(0))!;
      await engine.call('evm_mine', [{ timestamp: Number(parent.timestamp) + 10, blocks: 1 }]);
      const block = (await engine.getBlock(slot))!;
      const txHashes = block.transactions.map((h) => h.toLowerCase());
      expect(txHashes).toEqual([b.fee.hash, b.revealed!.tx.hash, a.fee.hash, a.revealed!.tx.hash]);

      // Recorded as the builder records a sealed block and each commitment's outcome.
      const sealed: SealedBlock = {
        number: slot,
        hash: block.hash,
        parentHash: block.parentHash,
        timestamp: Number(block.timestamp),
        startMs: Number(block.timestamp) * 1000,
        txs: swapped,
        txHashes,
        paramsVersion: 0,
        builder: 'malicious',
        stateRoot: block.stateRoot,
        feeRecipient: block.miner.toLowerCase(),
        orderRoot: ZeroHash,
        bidsRoot: ZeroHash,
        forceInclusionDelaySlots: 10,
      };
      await redis.set(keys.block(slot), JSON.stringify(sealed));
      await redis.set(keys.sealedHead(), String(slot));
      for (const o of opened) {
        await store.setStatus(o.commitment.commitment, {
          state: 'included',
          block: slot,
          index: txHashes.indexOf(o.revealed!.tx.hash),
          txHash: o.revealed!.tx.hash,
          feeTxHash: o.fee.hash,
          feeTxIndex: txHashes.indexOf(o.fee.hash),
        });
      }
      expect(await client.outcome(alice)).toMatchObject({ state: 'included', index: 3 });

      // Alice's receipt says position 0; the block has her transaction after bob's (position 1).
      const run = await audit([
        '--gateway',
        s.gatewayUrl!,
        '--receipts',
        receiptsFile('both.json', [alice, bob]),
      ]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/VIOLATION out-of-order at position 1/);
      const proof = proofOf(run.stdout);
      expect(proof.block).toMatchObject({ number: '0x1', hash: block.hash, transactions: txHashes });
      expect(proof.receipts.map((r) => r.signature)).toEqual([
        alice.receiptJson.signature,
        bob.receiptJson.signature,
      ]);
      const v = proof.violations.find((x) => x.kind === 'out-of-order')!;
      expect(v.receipt?.signature).toBe(bob.receiptJson.signature);
      expect(proof.violations.every((x) => ['out-of-order'].includes(x.kind))).toBe(true);

      // Alice alone, with only her own receipt, proves it too.
      const mine = await audit([
        '--gateway',
        s.gatewayUrl!,
        '--receipts',
        receiptsFile('alice.json', [alice]),
      ]);
      expect(mine.status).toBe(1);
      expect(mine.stdout).toContain(alice.receiptJson.signature);

      // Usage errors exit 2.
      expect((await audit(['--gateway', s.gatewayUrl!])).status).toBe(2);
      expect(
        (await audit(['--receipts', join(dir, 'missing.json'), '--gateway', s.gatewayUrl!])).status,
      ).toBe(2);
    } finally {
      await engine.close();
    }
  });
});

describe('sealane audit: an honest slot sealed by the builder (e2e)', () => {
  let s: Sealane;
  let client: SealaneClient;

  beforeAll(async () => {
    s = await startSealane({
      env: {
        ...NO_L1,
        COMPONENTS: 'gateway,builder',
        GATEWAY_PORT: '0',
        GENESIS_PARAMS: JSON.stringify({ slotMs: 1000, auctionCloseOffsetMs: 400, revealWindowMs: 300 }),
      },
      logger: ['error'],
    });
    client = new SealaneClient(s.gatewayUrl!);
  });
  afterAll(() => s?.stop());

  it('exits 0 when every commitment stands at its receipted position, unrevealed ones included', async () => {
    const slot = (await client.mempoolInfo()).openSlot + 1;
    const to = new Wallet(DEV_KEYS[9]).address;
    const users = [5, 6, 7].map((k) => new Wallet(DEV_KEYS[k]));
    const committed: PrivateCommit[] = [];
    for (const [i, w] of users.entries())
      committed.push(await client.commitPrivate(w, { to, value: BigInt(i + 1) }, { slot }));
    // The third user never reveals: its fee is charged and it expires.
    await Promise.all(committed.slice(0, 2).map((c) => client.revealAfterOrder(c)));
    const outcomes = await Promise.all(committed.map((c) => client.outcome(c)));
    expect(outcomes.map((o) => o.state)).toEqual(['included', 'included', 'expired']);
    await waitFor('the seal', async () => Number(await rpc(s.gatewayUrl!, 'eth_blockNumber')) >= slot);

    const run = await audit([
      '--gateway',
      s.gatewayUrl!,
      '--receipts',
      receiptsFile('honest.json', committed),
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`slot ${slot}: OK, 3 receipt\\(s\\) checked`));
    expect(run.stdout).not.toMatch(/VIOLATION/);

    // A slot not sealed yet cannot be audited (exit 3), and says so.
    const later = await audit([
      '--gateway',
      s.gatewayUrl!,
      '--receipts',
      receiptsFile('honest2.json', committed),
      '--slot',
      String(slot + 1000),
    ]);
    expect(later.status).toBe(3);
    expect(later.stderr).toMatch(/not sealed yet/);
  });
});
