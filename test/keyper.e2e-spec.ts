/**
 * Threshold-encrypted transactions with real keyper processes (n = 5, t = 3): each keyper is its
 * own OS process (COMPONENTS=keyper) that takes part in the key generation over Redis and releases
 * its share of a slot's key only against the sequencer's signed order. A user commits and exits;
 * its transaction lands at its receipted position. With 2 keypers killed it still works; with
 * only 2 shares nobody can decrypt; a forged order is refused; a forged share is ignored; the
 * audit checks the slot key against the keyper set's key and re-decrypts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { DEV_KEYS, loadConfig } from '@sealane/config';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import {
  kemEncapsulation,
  openCommitment,
  orderRoot,
  signSlotOrder,
  type MempoolDomain,
} from '@sealane/mempool';
import { fromHex, toHex } from '@sealane/protocol';
import { CommitStore, connectRedis, KeyperStore, Keys, type SealaneRedis } from '@sealane/store';
import { combineShares, decapsulate, keyShare, verifySlotKey } from '@sealane/threshold';
import { auditCli } from '../apps/sealane/src/commands/audit';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { spawnSealane, type Component } from './support/processes';
import { rpc, waitFor } from './support/rpc';
import { spawnTs } from './support/ts-process';

const PREFIX = 'keyper-e2e';
const INBOX = '0x' + '11'.repeat(20);
const TO = new Wallet(DEV_KEYS[9]).address;

interface Sent {
  slot: number;
  position: number;
  commitment: string;
  txHash: string;
  feeTxHash: string;
  receipt: unknown;
}

describe('threshold-encrypted transactions with keyper processes (e2e)', () => {
  let devnet: Devnet;
  let s: Sealane;
  let url: string;
  let redis: SealaneRedis;
  let dir: string;
  const keypers = new Map<number, Component>();
  const keys = new Keys(PREFIX);

  const shared = () => ({
    KEY_PREFIX: PREFIX,
    REDIS_URL: devnet.redisUrl,
    L2_RPC_URL: devnet.l2RpcUrl,
    L1_RPC_URL: 'http://127.0.0.1:1',
    INBOX_ADDRESS: INBOX,
    KEYPER_DKG_PHASE_MS: '3000',
  });

  beforeAll(async () => {
    devnet = await startEmbedded(loadConfig({ L1_RPC_URL: 'http://127.0.0.1:1', INBOX_ADDRESS: INBOX }));
    for (let i = 1; i <= 5; i++)
      keypers.set(
        i,
        spawnSealane({ ...shared(), COMPONENTS: 'keyper', KEYPER_INDEX: String(i), LOG_LEVEL: 'debug' }),
      );
    s = await startSealane({
      env: {
        ...shared(),
        COMPONENTS: 'gateway,builder',
        GATEWAY_PORT: '0',
        GENESIS_PARAMS: JSON.stringify({ slotMs: 1000, auctionCloseOffsetMs: 400, revealWindowMs: 250 }),
      },
      logger: ['error', 'warn'],
    });
    url = s.gatewayUrl!;
    redis = connectRedis(devnet.redisUrl);
    dir = mkdtempSync(join(tmpdir(), 'sealane-keyper-'));
    await waitFor(
      'the keypers to finish their key generation',
      async () => (await rpc<{ ready: boolean }>(url, 'sealane_getKeyperSet')).ready,
      60_000,
    );
  });
  afterAll(async () => {
    await Promise.all([...keypers.values()].map((k) => k.kill()));
    redis?.disconnect();
    await s?.stop();
    await devnet?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A user process: commits sealed to the slot for the keypers, prints its answer, exits. */
  async function userCommits(userKey: number, slot?: number): Promise<Sent> {
    const user = spawnTs(join(__dirname, 'support', 'keyper-user.ts'), {
      SEALANE_GATEWAY: url,
      USER_KEY: String(userKey),
      TO,
      ...(slot === undefined ? {} : { SLOT: String(slot) }),
    });
    const code = await user.stop('SIGCONT');
    expect({ code, output: code === 0 ? '' : user.output() }).toEqual({ code: 0, output: '' });
    return JSON.parse(user.output().trim().split('\n').pop()!) as Sent;
  }

  const outcome = (commitment: string) =>
    waitFor(
      'the outcome',
      async () => {
        const st = await rpc<{ state: string; reason?: string; index?: number } | null>(
          url,
          'sealane_getCommitmentStatus',
          [commitment],
        );
        return st && ['included', 'skipped', 'expired'].includes(st.state) ? st : null;
      },
      30_000,
    );

  async function expectIncludedAtPosition(sent: Sent): Promise<void> {
    expect(await outcome(sent.commitment)).toMatchObject({ state: 'included' });
    const tx = await rpc<{ blockNumber: string; transactionIndex: string; status: string }>(
      url,
      'eth_getTransactionReceipt',
      [sent.txHash],
    );
    const fee = await rpc<{ transactionIndex: string }>(url, 'eth_getTransactionReceipt', [sent.feeTxHash]);
    expect(Number(tx.blockNumber)).toBe(sent.slot);
    expect(tx.status).toBe('0x1');
    expect(Number(tx.transactionIndex)).toBe(Number(fee.transactionIndex) + 1);
    const order = await rpc<{ commitments: string[] }>(url, 'sealane_getSlotOrder', [
      '0x' + sent.slot.toString(16),
    ]);
    expect(order.commitments[sent.position]).toBe(sent.commitment);
  }

  it('publishes one eon key for the set, from a key generation where every keyper dealt', async () => {
    const set = await rpc<{ threshold: number; keypers: string[]; qualified: number[]; publicKey: string }>(
      url,
      'sealane_getKeyperSet',
    );
    expect(set).toMatchObject({ threshold: 3, qualified: [1, 2, 3, 4, 5] });
    expect(set.keypers).toHaveLength(5);
    expect(set.publicKey).toMatch(/^0x[0-9a-f]{96}$/);
    const info = await rpc<{ keyperPublicKey: string }>(url, 'sealane_getMempoolInfo');
    expect(info.keyperPublicKey).toBe(set.publicKey);
  });

  it('a user commits and exits; the keypers release the key and its transaction lands at its position; the audit re-decrypts', async () => {
    const sent = await userCommits(5);
    await expectIncludedAtPosition(sent);
    // The audit: the slot key checks against the keyper set's key and re-opens the commitment.
    const receipts = join(dir, 'receipts.json');
    writeFileSync(receipts, JSON.stringify([sent.receipt]));
    const out: string[] = [];
    const code = await auditCli(['--gateway', url, '--receipts', receipts, '--slot', String(sent.slot)], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      readFile: (p) => readFileSync(p, 'utf8'),
      rpc: (u, m, p) => rpc(u, m, p),
      defaultGateway: () => url,
    });
    expect({ code, out }).toMatchObject({ code: 0 });
    expect(out.join('\n')).toMatch(/slot key verified against the keyper set's public key; 1 commitment/);
    expect(out.join('\n')).toMatch(/OK/);
  });

  it('ignores a forged share and decrypts with the honest ones', async () => {
    const head = Number(await rpc(url, 'eth_blockNumber'));
    const slot = head + 3;
    // A share under keyper 1's index, written before keyper 1 can: made with a key that is not 1's.
    const store = new KeyperStore(redis, keys);
    const wrong = keyShare(123456789n, 24225n, BigInt(slot));
    expect(await store.putShare(slot, 1, toHex(wrong))).toBe(true);
    const sent = await userCommits(6, slot);
    await expectIncludedAtPosition(sent);
    expect(await store.shares(slot)).toHaveProperty('size', 5);
  });

  it('works with 2 of the 5 keypers killed', async () => {
    await keypers.get(4)!.kill('SIGKILL');
    await keypers.get(5)!.kill('SIGKILL');
    const sent = await userCommits(7);
    await expectIncludedAtPosition(sent);
    expect([...(await new KeyperStore(redis, keys).shares(sent.slot)).keys()].sort()).toEqual([1, 2, 3]);
  });

  it('with only 2 shares released nobody can decrypt: the builder cannot, and neither can a test that tries', async () => {
    await keypers.get(3)!.kill('SIGKILL');
    const sent = await userCommits(8);
    const st = await outcome(sent.commitment);
    expect(st).toMatchObject({ state: 'expired', reason: expect.stringMatching(/2 valid shares of the 3/) });
    expect(st.reason).toMatch(/2 valid shares of the 3/);
    expect(await rpc(url, 'eth_getTransactionReceipt', [sent.txHash])).toBeNull();
    // The fee transaction still executes: no free option.
    expect(await rpc(url, 'eth_getTransactionReceipt', [sent.feeTxHash])).not.toBeNull();
    // Try: combine the two released shares, decapsulate the commitment's ciphertext, open it.
    const shares = await new KeyperStore(redis, keys).shares(sent.slot);
    expect([...shares.keys()].sort()).toEqual([1, 2]);
    const two = combineShares([...shares].map(([index, share]) => ({ index, share: fromHex(share) })));
    const set = await rpc<{ publicKey: string }>(url, 'sealane_getKeyperSet');
    expect(verifySlotKey(fromHex(set.publicKey), 24225n, BigInt(sent.slot), two)).toBe(false);
    const evidence = await rpc<{ commitments: { commitment: string; sender: string; ciphertext: string }[] }>(
      url,
      'sealane_getSlotCommitments',
      ['0x' + sent.slot.toString(16)],
    );
    const c = evidence.commitments.find((x) => x.commitment === sent.commitment)!;
    const ct = fromHex(c.ciphertext);
    const key = decapsulate(kemEncapsulation(ct)!, two, 24225n, BigInt(sent.slot));
    const opened = openCommitment({ sender: c.sender, slot: BigInt(sent.slot), ciphertext: ct }, key, {
      chainId: 24225n,
    });
    expect(opened).toMatchObject({ ok: false, reason: 'decryption-failed' });
  });

  it('a keyper restarted after the key generation reads its share back from the board and serves again', async () => {
    await keypers.get(3)!.kill('SIGKILL'); // already dead after the test above; so when run alone
    const k3 = spawnSealane({ ...shared(), COMPONENTS: 'keyper', KEYPER_INDEX: '3', LOG_LEVEL: 'debug' });
    keypers.set(3, k3);
    await waitFor(
      'keyper 3 to be ready',
      async () => /keyper 3: eon 0x[0-9a-f]+… ready/.test(k3.output()),
      30_000,
    );
    // It did not deal again: the board still holds one deal per keyper.
    const eon = (await rpc<{ eon: string }>(url, 'sealane_getKeyperSet')).eon;
    const board = await new KeyperStore(redis, keys).board(eon);
    expect(board.filter((m) => m.message.kind === 'deal').map((m) => m.message.from)).toHaveLength(5);
    const sent = await userCommits(4);
    await expectIncludedAtPosition(sent);
    expect([...(await new KeyperStore(redis, keys).shares(sent.slot)).keys()].sort()).toEqual([1, 2, 3]);
  });

  it('refuses to release a key against an order the sequencer did not sign', async () => {
    const head = Number(await rpc(url, 'eth_blockNumber'));
    const slot = head + 500;
    const domain = (await rpc<{ domain: { chainId: string; salt: string } }>(url, 'sealane_getMempoolInfo'))
      .domain;
    const d: MempoolDomain = { chainId: BigInt(domain.chainId), salt: fromHex(domain.salt) };
    const commitments = [toHex(new Uint8Array(32).fill(7))];
    const root = orderRoot(
      BigInt(slot),
      commitments.map((x) => fromHex(x)),
    );
    const impostor = new Wallet(DEV_KEYS[2]);
    await new CommitStore(redis, keys).publishOrder({
      slot,
      count: 1,
      root: toHex(root),
      commitments,
      revealDeadlineMs: Date.now() + 1000,
      sequencer: impostor.address.toLowerCase(),
      signature: toHex(signSlotOrder(impostor, { slot: BigInt(slot), count: 1, root }, d)),
    });
    await new KeyperStore(redis, keys).announceOrder(slot);
    for (const i of [1, 2])
      await waitFor(`keyper ${i} to refuse`, async () =>
        keypers
          .get(i)!
          .output()
          .includes(`refusing to release the key of slot ${slot}: the order is not signed by the sequencer`),
      );
    expect((await new KeyperStore(redis, keys).shares(slot)).size).toBe(0);
  });
});
