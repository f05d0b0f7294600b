/**
 * The batch poster against a real devnet: Redis, an L1 anvil mining every second, and per test
 * its own Inbox (deployed fresh) and its own L2 anvil whose blocks the test seals.
 */
import { join } from 'node:path';
import { JsonRpcProvider, Wallet, ZeroHash } from 'ethers';
import { DEV_KEYS, loadConfig } from '@sealane/config';
import { inboxContract } from '@sealane/contracts';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import { ParamsStore } from '@sealane/store';
import { formatVerifyReport, Poster, verifyChain, type PosterOptions } from '@sealane/poster';
import {
  connectRedis,
  Keys,
  PosterStore,
  readPosterStatus,
  type BatchPostedEvent,
  type PostedBatch,
  type SealaneRedis,
} from '@sealane/store';
import { deployTestInbox } from './support/inbox';
import { L2Sealer } from './support/l2-sealer';
import { ManualClock, MemoryLogger, until } from './support/poster-kit';
import { spawnTs, type TsProcess } from './support/ts-process';

class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

describe('poster (e2e)', () => {
  let devnet: Devnet;
  let redis: SealaneRedis;
  let l1: JsonRpcProvider;
  const cleanups: (() => Promise<unknown>)[] = [];
  let nextKey = 1;

  beforeAll(async () => {
    devnet = await startEmbedded(loadConfig({}));
    redis = connectRedis(devnet.redisUrl);
    // No response cache: the poster must see L1 as it is now (e.g. right after a reorg).
    l1 = new JsonRpcProvider(devnet.l1RpcUrl, undefined, {
      staticNetwork: true,
      pollingInterval: 100,
      cacheTimeout: -1,
    });
  });

  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  afterAll(async () => {
    l1?.destroy();
    redis?.disconnect();
    await devnet?.stop();
  });

  /** A fresh Inbox, L2 engine and key prefix; `poster()` builds posters sharing them. */
  async function setup(params: Record<string, number> = {}) {
    const keys = new Keys(`poster-e2e-${process.pid}-${nextKey}`);
    nextKey++;
    const l2 = await startEmbedded(
      loadConfig({
        REDIS_URL: devnet.redisUrl,
        L1_RPC_URL: devnet.l1RpcUrl,
        INBOX_ADDRESS: devnet.inboxAddress,
      }),
    );
    // A fresh poster account per test, so no test sees another's nonces.
    const wallet = new Wallet(Wallet.createRandom().privateKey, l1);
    await l1.send('anvil_setBalance', [wallet.address, '0x56bc75e2d63100000']); // 100 ETH
    const logFromBlock = await l1.getBlockNumber();
    const inboxAddress = await deployTestInbox(new Wallet(DEV_KEYS[9], l1), wallet.address, l2.l2RpcUrl);
    const paramsStore = new ParamsStore(redis, keys);
    await paramsStore.init({ batchMaxDelayMs: 0, batchMaxBytes: 1000, ...params });
    const sealer = await new L2Sealer(l2.l2RpcUrl, redis, keys).init();
    const clock = new ManualClock(10_000_000_000_000); // far after every slot: all blocks are "old"
    const events: BatchPostedEvent[] = [];
    const store = new PosterStore(redis, keys);
    cleanups.push(async () => {
      await sealer.close();
      await l2.stop();
      const found = await redis.keys(`${keys.prefix}:*`);
      if (found.length) await redis.del(...found);
    });
    const poster = (o: Partial<PosterOptions> = {}) => {
      const logger = new MemoryLogger();
      const p = new Poster({
        redis,
        keys,
        params: paramsStore,
        wallet,
        inboxAddress,
        confirmations: 1,
        pollMs: 50,
        resubmitMs: 60_000,
        feeBumpPercent: 15,
        logFromBlock,
        clock,
        logger,
        onPosted: (ev) => void events.push(ev),
        ...o,
      });
      return Object.assign(p, { logger });
    };
    const inbox = inboxContract(inboxAddress, l1);
    /** Ticks `p` until every sealed block is recorded as posted. */
    const drain = (p: Poster) =>
      until(
        'every sealed block to be posted',
        () => p.tick(),
        async () => {
          const st = await store.load();
          return st !== null && st.inFlight.length === 0 && st.nextBlock === sealer.sealed.length + 1;
        },
      );
    /** Batch records in Redis, in sequence order, as many as the Inbox counts. */
    const records = async (): Promise<PostedBatch[]> => {
      const count = Number(await inbox.batchCount());
      const out: PostedBatch[] = [];
      for (let s = 0; s < count; s++) {
        const r = await store.posted(s);
        if (!r) throw new Error(`batch ${s} is on L1 but not recorded in Redis`);
        out.push(r);
      }
      return out;
    };
    const verify = (l2RpcUrl = l2.l2RpcUrl) =>
      verifyChain({ l1RpcUrl: devnet.l1RpcUrl, inboxAddress, l2RpcUrl, fromBlock: logFromBlock });
    return {
      keys,
      wallet,
      inboxAddress,
      inbox,
      sealer,
      clock,
      events,
      store,
      poster,
      drain,
      records,
      verify,
      l2,
    };
  }

  /** Every sealed block exactly once, in order, across contiguous batches 0..n-1. */
  function expectExactCover(recs: PostedBatch[], lastBlock: number) {
    expect(recs.map((r) => r.sequenceNumber)).toEqual(recs.map((_, i) => i));
    const covered = recs.flatMap((r) =>
      Array.from({ length: r.lastBlock - r.firstBlock + 1 }, (_, i) => r.firstBlock + i),
    );
    expect(covered).toEqual(Array.from({ length: lastBlock }, (_, i) => i + 1));
  }

  /** Nonces of `address`'s transactions in L1's pool, mined or not yet executable alike. */
  async function pooled(address: string): Promise<number[]> {
    type Pool = Record<string, Record<string, Record<string, unknown>>>;
    const c = (await l1.send('txpool_content', [])) as { pending: Pool; queued: Pool };
    const mine = (p: Pool) =>
      Object.entries(p).find(([a]) => a.toLowerCase() === address.toLowerCase())?.[1] ?? {};
    return [...Object.keys(mine(c.pending)), ...Object.keys(mine(c.queued))]
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** L1 stops mining (a freeze) until `resume`; blocks come only from `mine`. */
  const freeze = () => l1.send('evm_setIntervalMining', [0]);
  const resume = () => l1.send('evm_setIntervalMining', [1]);
  const mine = () => l1.send('evm_mine', []);

  /** Ticks until a tick sends nothing more: the poster has done all it can at this L1 head. */
  async function settle(p: Poster): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const r = await p.tick();
      if (r.state !== 'sent' && r.state !== 'error') return;
    }
    throw new Error('the poster kept sending at one L1 head');
  }

  /** Consecutive nonces and sequence numbers, as the Inbox and L1 need them. */
  function expectConsecutive(batches: { seq: number; nonce: number }[]) {
    expect(batches.map((b) => b.seq - batches[0].seq)).toEqual(batches.map((_, i) => i));
    expect(batches.map((b) => b.nonce - batches[0].nonce)).toEqual(batches.map((_, i) => i));
  }

  it('posts sealed blocks to L1 in batches that verify against the L2 engine', async () => {
    const t = await setup();
    const p = t.poster();
    // ~1 KB of incompressible calldata per block and 1000-byte batches: one block per batch.
    await t.sealer.sealMany(2, { txs: 2, payloadBytes: 200 });
    await t.sealer.sealMany(4, { txs: 1, payloadBytes: 40 });
    await t.drain(p);
    await t.sealer.sealMany(3, { txs: 3, payloadBytes: 10 });
    await t.drain(p);

    const recs = await t.records();
    expectExactCover(recs, 9);
    expect(recs.length).toBeGreaterThanOrEqual(3);
    expect(recs.every((r) => r.compressedBytes <= 1000 || r.firstBlock === r.lastBlock)).toBe(true);
    expect(t.events.map((e) => e.sequenceNumber)).toEqual(recs.map((r) => r.sequenceNumber));
    expect(t.events[0]).toMatchObject({ prefix: t.keys.prefix, l1TxHash: recs[0].l1TxHash });
    // One L1 transaction per batch: nothing sent twice.
    expect(await t.wallet.getNonce('latest')).toBe(recs.length);

    const report = await t.verify();
    expect(report).toMatchObject({
      ok: true,
      batches: recs.length,
      blocks: 9,
      transactions: 2 * 2 + 4 + 3 * 3,
    });
    expect(report).toMatchObject({ firstBlock: 1, lastBlock: 9, l2Head: 9, mismatches: [] });
    expect(formatVerifyReport(report)[0]).toMatch(
      /^verify OK: \d+ batches, 9 blocks \(blocks 1\.\.9\), 17 transactions/,
    );
  });

  it('waits for a batch to fill or age before posting it', async () => {
    const t = await setup({ batchMaxDelayMs: 10_000, batchMaxBytes: 100_000 });
    const p = t.poster();
    const [b1] = await t.sealer.sealMany(3);
    t.clock.t = b1.startMs + 9_999;
    expect(await p.tick()).toMatchObject({ state: 'idle' });
    expect(Number(await t.inbox.batchCount())).toBe(0);
    t.clock.t = b1.startMs + 10_000;
    await t.drain(p);
    const recs = await t.records();
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ firstBlock: 1, lastBlock: 3 });
  });

  it('resumes after restarts without skipping or duplicating a batch', async () => {
    const t = await setup();
    await t.sealer.sealMany(2, { payloadBytes: 100 });
    const a = t.poster();
    await t.drain(a);
    await a.stop();

    // Restart between batches.
    await t.sealer.sealMany(2, { payloadBytes: 100 });
    const b = t.poster();
    await t.drain(b);
    await b.stop();

    // Restart with a batch in flight (sent, not yet confirmed).
    await t.sealer.sealMany(2, { payloadBytes: 100 });
    const c = t.poster();
    await until(
      'a batch in flight',
      () => c.tick(),
      async () => (await t.store.load())?.inFlight[0],
    );
    await c.stop();
    const d = t.poster();
    d.start();
    await until(
      'every block posted',
      async () => undefined,
      async () => {
        const st = await t.store.load();
        return st && st.inFlight.length === 0 && st.nextBlock === 7;
      },
    );
    await d.stop();
    expect(d.logger.lines.some((l) => /resuming in-flight batch/.test(l))).toBe(true);

    const recs = await t.records();
    expectExactCover(recs, 6);
    expect(await t.wallet.getNonce('latest')).toBe(recs.length);
    expect(new Set(t.events.map((e) => e.sequenceNumber)).size).toBe(recs.length);
    expect((await t.verify()).ok).toBe(true);
  });

  it('recovers a batch broadcast just before a crash, without posting it twice', async () => {
    const t = await setup();
    await t.sealer.sealMany(3, { payloadBytes: 20 });
    const crashing = t.poster({
      hooks: {
        afterBroadcast: () => {
          throw new SimulatedCrash('process died after broadcast, before recording');
        },
      },
    });
    expect(await crashing.tick()).toMatchObject({ state: 'error' });
    const inFlight = (await t.store.load())!.inFlight[0];
    expect(inFlight).toMatchObject({ seq: 0, firstBlock: 1 });
    expect(await t.store.posted(0)).toBeNull();
    // The transaction lands on L1 with nobody watching.
    await until(
      'the batch to land',
      async () => undefined,
      async () => (await t.inbox.batchCount()) === 1n,
    );

    const recovered = t.poster();
    await t.drain(recovered);
    const recs = await t.records();
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({
      sequenceNumber: 0,
      firstBlock: 1,
      lastBlock: 3,
      l1TxHash: inFlight.hash,
    });
    expect(await t.wallet.getNonce('latest')).toBe(1);

    await t.sealer.sealMany(2, { payloadBytes: 20 });
    await t.drain(recovered);
    expectExactCover(await t.records(), 5);
    expect((await t.verify()).ok).toBe(true);
  });

  it('broadcasts the recorded transaction when the crash came before the broadcast', async () => {
    const t = await setup();
    await t.sealer.sealMany(2);
    const crashing = t.poster({
      hooks: {
        afterPersist: () => {
          throw new SimulatedCrash('process died after writing the in-flight record');
        },
      },
    });
    await crashing.tick();
    const inFlight = (await t.store.load())!.inFlight[0];
    expect(await l1.getTransaction(inFlight.hash)).toBeNull();

    const recovered = t.poster();
    await t.drain(recovered);
    const recs = await t.records();
    expect(recs).toHaveLength(1);
    expect(recs[0].l1TxHash).toBe(inFlight.hash);
    expect(recovered.logger.lines.some((l) => /does not know .*broadcasting it again/.test(l))).toBe(true);
  });

  it('adopts batches that landed on L1 when Redis lost their records', async () => {
    const t = await setup();
    await t.sealer.sealMany(2, { payloadBytes: 300 });
    const crashing = t.poster({
      hooks: {
        afterBroadcast: () => {
          throw new SimulatedCrash('died');
        },
      },
    });
    await crashing.tick();
    const inFlight = (await t.store.load())!.inFlight[0];
    await until(
      'the batch to land',
      async () => undefined,
      async () => (await t.inbox.batchCount()) === 1n,
    );
    // Redis loses its last writes (AOF fsyncs every second): back to the state before the batch.
    await t.store.reset(0, 1);

    const recovered = t.poster();
    await t.drain(recovered);
    const recs = await t.records();
    expect(recs[0]).toMatchObject({
      sequenceNumber: 0,
      l1TxHash: inFlight.hash,
      rawBytes: inFlight.rawBytes,
      compressedBytes: inFlight.compressedBytes,
      dataHash: inFlight.dataHash,
    });
    expect(recovered.logger.lines.some((l) => /adopted batch 0/.test(l))).toBe(true);
    expectExactCover(recs, 2);
    expect(await t.wallet.getNonce('latest')).toBe(recs.length);
  });

  it('rebuilds a batch whose nonce another transaction took', async () => {
    const t = await setup();
    await t.sealer.sealMany(2);
    const crashing = t.poster({
      hooks: {
        afterPersist: async (p) => {
          // Someone else spends the poster's nonce first, then the process dies.
          const tx = await t.wallet.sendTransaction({ to: t.wallet.address, value: 1n, nonce: p.nonce });
          await tx.wait();
          throw new SimulatedCrash('died');
        },
      },
    });
    await crashing.tick();
    const recovered = t.poster();
    await t.drain(recovered);
    expect(recovered.logger.lines.some((l) => /another transaction took the nonce/.test(l))).toBe(true);
    const recs = await t.records();
    expectExactCover(recs, 2);
    expect((await t.verify()).ok).toBe(true);
  });

  it('replaces a transaction that is not mined in time with higher fees', async () => {
    const t = await setup();
    await t.sealer.sealMany(2);
    const p = t.poster({ resubmitMs: 30_000 });
    let replacement = '';
    await l1.send('evm_setIntervalMining', [0]);
    try {
      expect(await p.tick()).toMatchObject({ state: 'sent', inFlight: [0] });
      const first = (await t.store.load())!.inFlight[0];
      expect(await p.tick()).toMatchObject({ state: 'waiting' });
      t.clock.advance(30_000);
      expect(await p.tick()).toMatchObject({ state: 'sent', inFlight: [0] });
      const second = (await t.store.load())!.inFlight[0];
      expect(second.nonce).toBe(first.nonce);
      expect(second.attempts).toEqual([first.hash, second.hash]);
      replacement = second.hash;
      expect(BigInt(second.maxFeePerGas) * 100n).toBeGreaterThanOrEqual(BigInt(first.maxFeePerGas) * 115n);
      expect(BigInt(second.maxPriorityFeePerGas) * 100n).toBeGreaterThanOrEqual(
        BigInt(first.maxPriorityFeePerGas) * 115n,
      );
    } finally {
      await l1.send('evm_setIntervalMining', [1]);
    }
    await t.drain(p);
    const recs = await t.records();
    expect(recs).toHaveLength(1);
    expect(recs[0].l1TxHash).toBe(replacement);
    expect(await t.wallet.getNonce('latest')).toBe(1);
  });

  it('broadcasts again when an L1 reorg removes the batch before it is confirmed', async () => {
    const t = await setup();
    await t.sealer.sealMany(2);
    const p = t.poster({ confirmations: 3 });
    const mined = await until(
      'the batch to be mined',
      () => p.tick(),
      async () => (await t.store.load())?.inFlight[0]?.minedIn,
    );
    await l1.send('evm_setIntervalMining', [0]);
    try {
      const head = await l1.getBlockNumber();
      await l1.send('anvil_rollback', [head - mined.blockNumber + 1]);
      await p.tick();
      expect(p.logger.lines.some((l) => /left the chain \(reorg/.test(l))).toBe(true);
    } finally {
      await l1.send('evm_setIntervalMining', [1]);
    }
    await t.drain(p);
    const recs = await t.records();
    expectExactCover(recs, 2);
    expect(await l1.getTransactionReceipt(recs[0].l1TxHash)).not.toBeNull();
    expect((await t.verify()).ok).toBe(true);
  });

  it('keeps several batches in flight at once, with consecutive nonces, mined in sequence order', async () => {
    const t = await setup();
    const p = t.poster({ maxInFlight: 4 });
    // One block per batch (each ~700 bytes of incompressible calldata, batches of 1000 bytes).
    await t.sealer.sealMany(6, { txs: 2, payloadBytes: 200 });
    await freeze();
    try {
      const r = await p.tick();
      expect(r).toMatchObject({ state: 'sent', inFlight: [0, 1, 2, 3] });
      const st = (await t.store.load())!;
      expect(st.inFlight.map((b) => b.seq)).toEqual([0, 1, 2, 3]);
      expectConsecutive(st.inFlight);
      expect(st.inFlight.map((b) => b.firstBlock)).toEqual([1, 2, 3, 4]);
      // All four are in L1's pool at once, nonce after nonce.
      expect(await pooled(t.wallet.address)).toEqual(st.inFlight.map((b) => b.nonce));
      expect(await readPosterStatus(redis, t.keys)).toMatchObject({
        sealedHead: 6,
        postedBlock: 0,
        sentBlock: 4,
        lagBlocks: 6,
        unsentBlocks: 2,
        inFlight: 4,
        maxInFlight: 4,
        nonces: [st.inFlight[0].nonce, st.inFlight[3].nonce],
      });
      // The window is full: nothing more goes out until L1 moves.
      expect(await p.tick()).toMatchObject({ state: 'waiting', inFlight: [0, 1, 2, 3] });
      expect(await pooled(t.wallet.address)).toHaveLength(4);
      await mine();
      await settle(p);
      // All four landed in that one L1 block, in sequence order; the last two went out next.
      const recs = await t.records();
      expect(recs.map((r) => r.sequenceNumber)).toEqual([0, 1, 2, 3]);
      expect(new Set(recs.map((r) => r.l1BlockNumber)).size).toBe(1);
      expect((await t.store.load())!.inFlight.map((b) => b.seq)).toEqual([4, 5]);
    } finally {
      await resume();
    }
    await t.drain(p);
    const recs = await t.records();
    expectExactCover(recs, 6);
    expect(await t.wallet.getNonce('latest')).toBe(recs.length);
    expect(await readPosterStatus(redis, t.keys)).toMatchObject({
      lagBlocks: 0,
      inFlight: 0,
      postedBlock: 6,
    });
    expect((await t.verify()).ok).toBe(true);
  });

  it('catches up after an L1 freeze within a few L1 blocks, not one batch per block', async () => {
    const t = await setup();
    const maxInFlight = 4;
    const p = t.poster({ maxInFlight });
    const frozenBlocks = 16;
    let l1Blocks = 0;
    await freeze();
    try {
      // L2 keeps sealing while L1 is frozen; the poster keeps trying.
      for (let i = 0; i < frozenBlocks; i++) {
        await t.sealer.sealMany(1, { txs: 2, payloadBytes: 200 });
        await p.tick();
      }
      expect((await t.store.load())!.inFlight).toHaveLength(maxInFlight);
      expect((await pooled(t.wallet.address)).length).toBeGreaterThan(1);
      const lagged = (await readPosterStatus(redis, t.keys))!;
      expect(lagged).toMatchObject({ sealedHead: frozenBlocks, postedBlock: 0, lagBlocks: frozenBlocks });
      // L1 resumes: count its blocks until every sealed block is posted.
      while ((await t.store.load())!.nextBlock <= frozenBlocks) {
        if (l1Blocks > frozenBlocks) throw new Error(`not caught up after ${l1Blocks} L1 blocks`);
        await mine();
        l1Blocks++;
        await settle(p);
      }
    } finally {
      await resume();
    }
    const recs = await t.records();
    expectExactCover(recs, frozenBlocks);
    // One block per batch here, so one batch per L1 block would take 16 L1 blocks; with 4 in
    // flight the backlog goes in ceil(16 / 4) blocks, plus one for the tail batch that waited
    // for a slot of the first half of the window.
    expect(recs).toHaveLength(frozenBlocks);
    expect(l1Blocks).toBeLessThanOrEqual(Math.ceil(frozenBlocks / maxInFlight) + 1);
    expect(await readPosterStatus(redis, t.keys)).toMatchObject({ lagBlocks: 0, inFlight: 0 });
    expect(p.logger.lines.some((l) => /all 4 in-flight slots taken/.test(l))).toBe(true);
    expect((await t.verify()).ok).toBe(true);
  });

  it('resumes after a SIGKILL with several batches in flight: no gap, no duplicate', async () => {
    const t = await setup();
    await t.sealer.sealMany(8, { txs: 2, payloadBytes: 200 });
    let child: TsProcess | undefined;
    await freeze();
    try {
      child = spawnTs(join(__dirname, 'support', 'poster-process.ts'), {
        REDIS_URL: devnet.redisUrl,
        L1_RPC_URL: devnet.l1RpcUrl,
        POSTER_PREFIX: t.keys.prefix,
        POSTER_PRIVATE_KEY: t.wallet.privateKey,
        INBOX_ADDRESS: t.inboxAddress,
        POSTER_MAX_IN_FLIGHT: '4',
        POSTER_LOG_FROM_BLOCK: String(await l1.getBlockNumber()),
        POSTER_CLOCK_MS: String(t.clock.t),
      });
      const inFlight = await until(
        'four batches in flight in L1s pool',
        async () => undefined,
        async () => {
          const st = await t.store.load();
          return (
            st && st.inFlight.length === 4 && (await pooled(t.wallet.address)).length === 4 && st.inFlight
          );
        },
        60_000,
      ).catch((e: unknown) => {
        throw new Error(`${String(e)}; poster process said:\n${child?.output()}`);
      });
      expect(await child.stop('SIGKILL')).toBeNull();
      expectConsecutive(inFlight);
      // Two of them land with nobody watching; more blocks are sealed meanwhile.
      const two = inFlight[1].nonce;
      await l1.send('anvil_dropTransaction', [inFlight[2].hash]);
      await l1.send('anvil_dropTransaction', [inFlight[3].hash]);
      await mine();
      expect(await t.wallet.getNonce('latest')).toBe(two + 1);
      await t.sealer.sealMany(3, { txs: 2, payloadBytes: 200 });
      const restarted = t.poster({ maxInFlight: 4 });
      await settle(restarted);
      expect(restarted.logger.lines.some((l) => /resuming in-flight batches 0\.\.3/.test(l))).toBe(true);
      // The two the node lost are broadcast again as they were, not rebuilt.
      const st = (await t.store.load())!;
      expect(st.inFlight.slice(0, 2).map((b) => b.hash)).toEqual([inFlight[2].hash, inFlight[3].hash]);
      await resume();
      await t.drain(restarted);
    } finally {
      await child?.stop('SIGKILL');
      await resume();
    }
    const recs = await t.records();
    expectExactCover(recs, 11);
    expect(recs.slice(0, 4).map((r) => r.sequenceNumber)).toEqual([0, 1, 2, 3]);
    // One L1 transaction per batch: nothing was sent twice.
    expect(await t.wallet.getNonce('latest')).toBe(recs.length);
    expect((await t.verify()).ok).toBe(true);
  });

  it('rebuilds every batch behind a nonce another transaction took while several were in flight', async () => {
    const t = await setup();
    // Batches 0..2 are full; block 4 alone is not, and waits (only half the window takes those).
    await t.sealer.sealMany(4, { txs: 2, payloadBytes: 200 });
    const p = t.poster({ maxInFlight: 4 });
    let reverted: string[] = [];
    await freeze();
    try {
      await p.tick();
      const inFlight = (await t.store.load())!.inFlight;
      expect(inFlight.map((b) => b.seq)).toEqual([0, 1, 2]);
      // Another transaction of the poster's account outbids batch 0 at its nonce: batches 1 and
      // 2 then revert (the Inbox expects batch 0).
      const fees = await l1.getFeeData();
      await t.wallet.sendTransaction({
        to: t.wallet.address,
        value: 1n,
        nonce: inFlight[0].nonce,
        maxFeePerGas: fees.maxFeePerGas! * 3n,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas! * 3n,
      });
      await mine();
      const receipts = await Promise.all(inFlight.slice(1).map((b) => l1.getTransactionReceipt(b.hash)));
      expect(receipts.map((r) => r?.status)).toEqual([0, 0]);
      reverted = inFlight.slice(1).map((b) => b.hash);
      expect(await t.inbox.batchCount()).toBe(0n);
      await settle(p);
      const rebuilt = (await t.store.load())!.inFlight;
      expect(rebuilt.map((b) => b.seq)).toEqual([0, 1, 2]);
      expectConsecutive(rebuilt);
      expect(rebuilt[0].nonce).toBe(inFlight[2].nonce + 1);
    } finally {
      await resume();
    }
    await t.drain(p);
    expect(
      p.logger.lines.some((l) =>
        /batch 0: nonce \d+ was used without appending it \(another transaction took the nonce\)/.test(l),
      ),
    ).toBe(true);
    const recs = await t.records();
    expectExactCover(recs, 4);
    expect(recs.map((r) => r.l1TxHash)).not.toEqual(expect.arrayContaining(reverted));
    expect(recs.slice(0, 3).map((r) => [r.firstBlock, r.lastBlock])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect((await t.verify()).ok).toBe(true);
  });

  it('broadcasts again an in-flight transaction the L1 node dropped from its pool', async () => {
    const t = await setup();
    await t.sealer.sealMany(4, { txs: 2, payloadBytes: 200 });
    const p = t.poster({ maxInFlight: 4 });
    await freeze();
    try {
      await p.tick();
      const inFlight = (await t.store.load())!.inFlight;
      expect(inFlight).toHaveLength(3);
      // The middle one is evicted: batch 2 now waits behind a nonce gap.
      await l1.send('anvil_dropTransaction', [inFlight[1].hash]);
      await mine();
      expect(await t.inbox.batchCount()).toBe(1n);
      await settle(p);
      expect(
        p.logger.lines.some((l) => /batch 1: L1 node does not know .*broadcasting it again/.test(l)),
      ).toBe(true);
      await mine();
      await settle(p);
      expect(await t.inbox.batchCount()).toBe(3n);
    } finally {
      await resume();
    }
    await t.drain(p);
    const recs = await t.records();
    expectExactCover(recs, 4);
    expect(await t.wallet.getNonce('latest')).toBe(recs.length);
    expect((await t.verify()).ok).toBe(true);
  });

  it('verify reports where an L2 engine differs from what L1 holds', async () => {
    const t = await setup();
    await t.sealer.sealMany(3, { txs: 2 });
    await t.drain(t.poster());
    expect((await t.verify()).ok).toBe(true);

    // Another engine with other blocks: different transactions, timestamps, and one block fewer.
    const other = await startEmbedded(
      loadConfig({
        REDIS_URL: devnet.redisUrl,
        L1_RPC_URL: devnet.l1RpcUrl,
        INBOX_ADDRESS: devnet.inboxAddress,
      }),
    );
    const otherSealer = await new L2Sealer(
      other.l2RpcUrl,
      redis,
      new Keys(`${t.keys.prefix}:other`),
      5000,
      'b',
    ).init();
    cleanups.push(async () => {
      await otherSealer.close();
      await other.stop();
    });
    await otherSealer.sealMany(2, { txs: 2 });

    const report = await t.verify(other.l2RpcUrl);
    expect(report.ok).toBe(false);
    expect(report.blocks).toBe(3);
    const reasons = (b: number) => report.mismatches.filter((m) => m.block === b).map((m) => m.reason);
    expect(reasons(1)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^timestamp/),
        expect.stringMatching(/^transaction 0 is 0x/),
      ]),
    );
    expect(reasons(3)).toEqual(['block is on L1 but missing from the L2 engine']);
    const lines = formatVerifyReport(report);
    expect(lines[0]).toMatch(/^verify FAILED: \d+ mismatches in 1 batches, 3 blocks/);
    expect(lines.some((l) => /block 3 \(batch 0\): block is on L1 but missing/.test(l))).toBe(true);
  });

  it('verify reports a batch whose data cannot be decoded', async () => {
    const t = await setup();
    await t.sealer.sealMany(1);
    const inbox = inboxContract(t.inboxAddress, t.wallet);
    await (await inbox.appendBatch(0, 1, 1, '0x07abcdef', ZeroHash)).wait();
    const report = await t.verify();
    expect(report.ok).toBe(false);
    expect(report.mismatches).toEqual([
      { block: 1, batch: 0, reason: 'batch 0: unknown batch version 0x07' },
    ]);
  });
});
