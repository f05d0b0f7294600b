/**
 * A slot always seals, whatever searchers sent (issue 9, items 0, 10 and 11 at the close): the
 * same bundle stored twice, bundles of 100 transfers from unfunded fresh keys, a burst of junk
 * beside one good bundle, and a bundle carrying a committed fee transaction. Each is checked on
 * a real builder, Redis and anvil: the slot seals, the good bundle is included, and every other
 * bundle ends with a final status and its reason.
 *
 * Bundles are written straight into the bundle store where the point is what the close does with
 * them (intake may refuse some of them: that is the gateway's business, not this suite's).
 */
import { rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Wallet } from 'ethers';
import { DEV_KEYS, loadConfig } from '@sealane/config';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import { L2Engine } from '@sealane/engine';
import { toHex } from '@sealane/protocol';
import fc from 'fast-check';
import { SealaneClient } from '@sealane/sdk';
import {
  BundleStore,
  connectRedis,
  entryOf,
  Keys,
  type SealaneRedis,
  type SlotResults,
  type StoredBundle,
} from '@sealane/store';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { freshKey, junkTxs, keyOf, signFast, storedBundle, type Signed } from './support/junk';
import { rpc, waitFor } from './support/rpc';
import { sendBundle } from './support/searcher';

const SEQUENCER = new Wallet(DEV_KEYS[0]).address.toLowerCase();
const E18 = 10n ** 18n;
const FINAL = ['lost', 'included', 'dropped'];
const hex = (n: number) => '0x' + n.toString(16);

describe('the close never halts the chain (e2e)', () => {
  let devnet: Devnet;
  let engine: L2Engine;
  let s: Sealane;
  let url: string;
  let redis: SealaneRedis;
  let store: BundleStore;

  beforeAll(async () => {
    const noL1 = { L1_RPC_URL: 'http://127.0.0.1:1', INBOX_ADDRESS: '0x' + '11'.repeat(20) };
    devnet = await startEmbedded(loadConfig(noL1));
    engine = new L2Engine(devnet.l2RpcUrl);
    s = await startSealane({
      env: {
        ...noL1,
        REDIS_URL: devnet.redisUrl,
        L2_RPC_URL: devnet.l2RpcUrl,
        COMPONENTS: 'gateway,builder',
        GATEWAY_PORT: '0',
        GENESIS_PARAMS: JSON.stringify({ slotMs: 1500, auctionCloseOffsetMs: 400, revealWindowMs: 300 }),
      },
      logger: ['error'],
    });
    url = s.gatewayUrl!;
    redis = connectRedis(devnet.redisUrl);
    store = new BundleStore(redis, new Keys(s.config.KEY_PREFIX));
  });
  afterAll(async () => {
    redis?.disconnect();
    await s?.stop();
    await engine?.close();
    await devnet?.stop();
    if (devnet) rmSync(devnet.dataDir, { recursive: true, force: true });
  });

  const head = async () => Number(await rpc<string>(url, 'eth_blockNumber'));
  const nonceOf = async (key: number) =>
    Number(await rpc<string>(url, 'eth_getTransactionCount', [new Wallet(DEV_KEYS[key]).address, 'latest']));
  /** A transfer from dev account `key` paying the fee recipient `value`. */
  const pay = async (key: number, value: bigint, nonce?: number): Promise<Signed> =>
    signFast(keyOf(DEV_KEYS[key]), { nonce: nonce ?? (await nonceOf(key)), to: SEQUENCER, value });
  const results = (slot: number) =>
    waitFor(
      `slot ${slot} to seal with its results`,
      () => rpc<SlotResults | null>(url, 'sealane_getSlotResults', [hex(slot)]),
      90_000,
    );
  const statusOf = async (h: string) => (await store.status(h))!;
  /**
   * Writes a bundle straight into its slot, as a gateway without today's intake checks (or a race
   * past them) would: the close must survive what intake refuses (duplicates, committed fee txs).
   */
  const add = async (b: StoredBundle) => {
    const k = new Keys(s.config.KEY_PREFIX);
    if (await redis.exists(k.slotClosed(b.slot))) throw new Error(`slot ${b.slot} already closed`);
    const status = {
      bundleHash: b.bundleHash,
      searcher: b.searcher,
      slot: b.slot,
      state: 'received',
      receivedAt: b.receivedAt,
    };
    await redis
      .multi()
      .hset(k.slotBundles(b.slot), entryOf(b), JSON.stringify(b))
      .set(k.bundleStatus(b.bundleHash), JSON.stringify(status), 'EX', 3600)
      .exec();
  };
  const searcher = () => freshKey().address;

  it('seals a slot holding the same bundle twice (two replacementUuids), and includes it once', async () => {
    const tx = await pay(2, E18 / 100n);
    const target = (await head()) + 2;
    const first = storedBundle([tx], target, searcher(), { replacementUuid: randomUUID() });
    const copy = { ...first, replacementUuid: randomUUID(), receivedAt: first.receivedAt + 1 };
    await add(first);
    await add(copy);

    const r = await results(target);
    expect(r.winners.map((w) => w.bundleHash)).toEqual([first.bundleHash]);
    expect(await statusOf(first.bundleHash)).toMatchObject({ state: 'included', block: target });
    const block = await rpc<{ transactions: string[] }>(url, 'eth_getBlockByNumber', [hex(target), false]);
    expect(block.transactions.filter((h) => h === tx.hash)).toHaveLength(1);
    await results(target + 1);
  });

  it('seals a slot after eth_sendBundle of 100 transfers from unfunded fresh keys', async () => {
    const target = (await head()) + 3;
    const n3 = await nonceOf(3);
    // Four bundles of 100 unfunded transfers (the case), four whose first transfer is
    // funded (so only a simulation finds the refused one), and a good bundle beside them.
    const unfunded = Array.from({ length: 4 }, () => junkTxs(100));
    const fundedFirst = Array.from({ length: 4 }, (_, i) => [
      signFast(keyOf(DEV_KEYS[3]), { nonce: n3, value: BigInt(i + 1) }),
      ...junkTxs(99),
    ]);
    const good = [await pay(4, E18 / 50n)];
    const sent = async (txs: Signed[]) =>
      sendBundle(
        url,
        1,
        txs.map((t) => t.raw),
        target,
      );
    const junkHashes = await Promise.all(unfunded.map(sent));
    const searchHashes = await Promise.all(fundedFirst.map(sent));
    const goodHash = await sent(good);

    const r = await results(target);
    expect(r.winners.map((w) => w.bundleHash)).toEqual([goodHash]);
    expect(await statusOf(goodHash)).toMatchObject({ state: 'included', block: target });
    for (const h of junkHashes) {
      expect(await statusOf(h)).toMatchObject({
        state: 'lost',
        reason: expect.stringMatching(/^first transaction 0x[0-9a-f]{64} cannot execute: insufficient funds/),
      });
    }
    for (const h of searchHashes) {
      expect(await statusOf(h)).toMatchObject({
        state: 'lost',
        reason: expect.stringMatching(/^simulation failed: rejected at tx 1 .*funds/),
      });
    }
  });

  it('includes a good bundle under a burst of junk bundles, and gives every junk bundle its reason', async () => {
    // 200 bundles of 100 transfers from unfunded fresh keys, free to send and refused by the
    // pre-check; 45 whose first transfer is funded by one account, which pass it and cost
    // simulation; one good searcher's paying bundle.
    const n5 = await nonceOf(5);
    const funder = keyOf(DEV_KEYS[5]);
    // Signed here, in the builder's process: a turn of the event loop per bundle keeps its lease renewed.
    const junk: Signed[][] = [];
    const costly: Signed[][] = [];
    for (let i = 0; i < 245; i++) {
      if (i < 200) junk.push(junkTxs(100));
      else costly.push([signFast(funder, { nonce: n5, value: BigInt(i) }), ...junkTxs(99)]);
      await new Promise((r) => setImmediate(r));
    }
    const good = [await pay(6, E18 / 50n)];
    // Far enough ahead that writing 245 bundles of 100 transactions ends before its close.
    const target = (await head()) + 8;
    const junkBundles = junk.map((txs) => storedBundle(txs, target, searcher()));
    const costlyBundles = costly.map((txs) => storedBundle(txs, target, searcher()));
    await Promise.all([...junkBundles, ...costlyBundles].map(add));
    const goodHash = await sendBundle(
      url,
      6,
      good.map((t) => t.raw),
      target,
    );

    const r = await results(target);
    expect(r.bids).toBe(246);
    expect(r.winners.map((w) => w.bundleHash)).toEqual([goodHash]);
    expect(await statusOf(goodHash)).toMatchObject({ state: 'included', block: target });
    for (const b of junkBundles) {
      expect(await statusOf(b.bundleHash)).toMatchObject({
        state: 'lost',
        reason: expect.stringMatching(/cannot execute: insufficient funds/),
      });
    }
    const reasons = await Promise.all(costlyBundles.map(async (b) => (await statusOf(b.bundleHash)).reason));
    for (const why of reasons)
      expect(why).toMatch(/^(simulation failed: rejected at tx 1 |simulation budget exhausted$)/);
    // The budget (4,000 transactions) holds 39 of them beside the good one; the rest wait for nothing.
    expect(reasons.filter((w) => w === 'simulation budget exhausted').length).toBe(6);
    await results(target + 1);
  });

  it('drops a bundle carrying a committed fee transaction; the hidden transaction lands after its fee', async () => {
    const client = new SealaneClient(url);
    const user = new Wallet(DEV_KEYS[7]);
    const target = (await head()) + 3;
    const c = await client.commitPrivate(
      user,
      { to: new Wallet(DEV_KEYS[9]).address, value: 4321n, gasLimit: 21_000n },
      { slot: target },
    );
    // The fee transaction is in the clear: copied on top of a bundle that pays well.
    const feeRaw = toHex(c.prepared.request.feeTx);
    const thief = storedBundle(
      [{ raw: feeRaw, hash: c.feeTxHash, from: user.address.toLowerCase() }, await pay(8, E18 / 10n)],
      target,
      searcher(),
    );
    await add(thief);

    await client.revealAfterOrder(c);
    const outcome = await client.outcome(c);
    expect(outcome).toMatchObject({ state: 'included', block: target });
    expect(await statusOf(thief.bundleHash)).toMatchObject({
      state: 'lost',
      reason: `carries ${c.feeTxHash}, the fee transaction of commitment ${c.commitment}`,
    });
    const receipt = async (h: string) =>
      rpc<{ blockNumber: string; transactionIndex: string; status: string }>(
        url,
        'eth_getTransactionReceipt',
        [h],
      );
    const [fee, hidden] = [await receipt(c.feeTxHash), await receipt(c.txHash)];
    expect(Number(hidden.blockNumber)).toBe(target);
    expect(hidden.status).toBe('0x1');
    expect(Number(hidden.transactionIndex)).toBe(Number(fee.transactionIndex) + 1);
  });

  it('seals every slot and leaves every bundle final, whatever shapes of bundles are thrown at the close', async () => {
    const keys = [1, 2, 3];
    const tx = fc.record({
      sender: fc.constantFrom<number | 'fresh'>(...keys, 'fresh'),
      // Mostly the next nonce; sometimes a repeat, a gap, or one taken by an earlier bundle.
      shift: fc.constantFrom(0, 0, 0, -1, 1, 2),
      kind: fc.constantFrom('pay', 'transfer', 'revert'),
      value: fc.integer({ min: 1, max: 50 }),
    });
    const bundle = fc.record({
      txs: fc.oneof(
        { weight: 6, arbitrary: fc.array(tx, { minLength: 1, maxLength: 5 }) },
        { weight: 1, arbitrary: fc.constant('junk100' as const) },
      ),
      allowRevert: fc.boolean(),
      allowDrop: fc.boolean(),
      time: fc.constantFrom('none', 'none', 'past', 'future', 'window'),
      // The same transactions as an earlier bundle, under another replacementUuid or none.
      copyOf: fc.option(fc.nat(), { nil: undefined, freq: 4 }),
      uuid: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(bundle, { minLength: 1, maxLength: 10 }), async (specs) => {
        const base = new Map<number, number>();
        for (const k of keys) base.set(k, await nonceOf(k));
        const now = Math.floor(Date.now() / 1000);
        const built: StoredBundle[] = [];
        const reverts = new Set<string>();
        const stored: { spec: (typeof specs)[number]; txs: Signed[] }[] = [];
        for (const spec of specs) {
          let txs: Signed[];
          if (spec.copyOf !== undefined && stored.length > 0) txs = stored[spec.copyOf % stored.length].txs;
          else if (spec.txs === 'junk100') txs = junkTxs(100);
          else {
            const cursor = new Map(base);
            const fresh = freshKey();
            txs = spec.txs.map((t) => {
              const from = t.sender === 'fresh' ? fresh : keyOf(DEV_KEYS[t.sender]);
              const next = t.sender === 'fresh' ? (cursor.get(-1) ?? 0) : cursor.get(t.sender)!;
              const nonce = Math.max(0, next + t.shift);
              cursor.set(t.sender === 'fresh' ? -1 : t.sender, nonce + 1);
              if (t.kind === 'revert') {
                // A creation whose initcode is PUSH0 PUSH0 REVERT.
                const r = signFast(from, {
                  nonce,
                  to: null,
                  value: 0n,
                  data: '0x5f5ffd',
                  gasLimit: 100_000n,
                });
                reverts.add(r.hash);
                return r;
              }
              return t.kind === 'pay'
                ? signFast(from, { nonce, to: SEQUENCER, value: BigInt(t.value) * 10n ** 15n })
                : signFast(from, { nonce, value: BigInt(t.value) });
            });
          }
          stored.push({ spec, txs });
        }
        const target = (await head()) + 3;
        for (const { spec, txs } of stored) {
          const reverting = spec.allowRevert ? txs.filter((t) => reverts.has(t.hash)).map((t) => t.hash) : [];
          const time =
            spec.time === 'past'
              ? { maxTimestamp: now - 3600 }
              : spec.time === 'future'
                ? { minTimestamp: now + 3600 }
                : spec.time === 'window'
                  ? { minTimestamp: now - 60, maxTimestamp: now + 3600 }
                  : {};
          const b = storedBundle(txs, target, searcher(), {
            revertingTxHashes: reverting,
            droppingTxHashes: spec.allowDrop ? [txs[0].hash] : [],
            ...(spec.uuid ? { replacementUuid: randomUUID() } : {}),
            ...time,
          });
          await add(b);
          built.push(b);
        }

        const r = await results(target);
        expect(r.bids).toBe(new Set(built.map((b) => (b.replacementUuid ?? '') + b.bundleHash)).size);
        expect(await head()).toBeGreaterThanOrEqual(target);
        for (const b of built) {
          const st = await statusOf(b.bundleHash);
          expect(FINAL).toContain(st.state);
          if (st.state !== 'included') expect(st.reason).toEqual(expect.any(String));
        }
      }),
      { numRuns: 6 },
    );
  });
});
