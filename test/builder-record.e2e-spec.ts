/**
 * A slot's record is one step any builder can finish. With a gateway on real Redis and anvil and
 * in-process builders with the auction and the committed lane, a leader stops (a hook throws, as
 * a SIGKILL would leave it) right after `evm_mine` and before its record, or right after storing
 * its plan and before the mine; a standby finishes the slot. Either way the slot ends with the
 * same complete record as an honest slot: published results, the winning bundle `included` with
 * its refund, the commitment's outcome, and `sealane audit` clean. Then a raw transaction put
 * back in the lane after its inclusion keeps its `included` status.
 */
import { Wallet } from 'ethers';
import {
  AuctionRunner,
  Builder,
  commitmentCrypto,
  MempoolRunner,
  recordOf,
  simulatorPort,
  type BuilderHooks,
  type SlotPlan,
} from '@sealane/builder';
import { DEV_KEYS } from '@sealane/config';
import { MEMPOOL_DOMAIN, REDIS } from '@sealane/core';
import { L2Engine } from '@sealane/engine';
import type { MempoolDomain } from '@sealane/mempool';
import { ParamsStore } from '@sealane/store';
import { decodeTransaction, fromHex } from '@sealane/protocol';
import { BundleSimulator } from '@sealane/simulator';
import {
  BundleStore,
  ChainStore,
  CommitStore,
  Keys,
  PublicLane,
  type CommitmentStatus,
  type SealaneRedis,
  type SealedBlock,
  type SlotResults,
} from '@sealane/store';
import { SealaneClient, type PrivateCommit } from '@sealane/sdk';
import { auditCli } from '../apps/sealane/src/commands/audit';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { rpc, transfer } from './support/rpc';
import { signedCall } from './support/searcher';

const NO_L1 = { L1_RPC_URL: 'http://127.0.0.1:1', INBOX_ADDRESS: '0x' + '11'.repeat(20) };
const SEQUENCER = new Wallet(DEV_KEYS[0]);
const quiet = { log: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };

class Killed extends Error {}

describe('a slot finished by another builder (e2e)', () => {
  let s: Sealane;
  let url: string;
  let client: SealaneClient;
  let redis: SealaneRedis;
  let keys: Keys;
  let engine: L2Engine;
  let bundles: BundleStore;
  let commits: CommitStore;
  let lane: PublicLane;

  beforeAll(async () => {
    s = await startSealane({
      env: {
        ...NO_L1,
        COMPONENTS: 'gateway',
        GATEWAY_PORT: '0',
        GENESIS_PARAMS: JSON.stringify({
          slotMs: 1500,
          auctionPricing: 1,
          auctionCloseOffsetMs: 700,
          revealWindowMs: 600,
        }),
      },
      logger: ['error'],
    });
    url = s.gatewayUrl!;
    client = new SealaneClient(url);
    redis = s.app.get<SealaneRedis>(REDIS);
    keys = s.app.get(Keys);
    engine = new L2Engine(s.devnet.l2RpcUrl);
    bundles = new BundleStore(redis, keys);
    commits = new CommitStore(redis, keys);
    lane = new PublicLane(redis, keys);
  });
  afterAll(async () => {
    await engine?.close();
    await s?.stop();
  });

  /** A builder as BuilderService wires one, sharing the gateway's Redis and engine. */
  const builder = (id: string, hooks: BuilderHooks = {}) => {
    const simulator = simulatorPort(new BundleSimulator(engine, { chainId: 24225n }));
    const domain = s.app.get<MempoolDomain>(MEMPOOL_DOMAIN);
    return new Builder(
      redis,
      keys,
      lane,
      s.app.get(ParamsStore),
      engine,
      { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))) },
      {
        id,
        leaseTtlMs: 60_000,
        blockGasLimit: 30_000_000n,
        auction: {
          runner: new AuctionRunner(bundles, simulator),
          simulator,
          bundles,
          feeRecipient: SEQUENCER,
          chainId: 24225,
        },
        mempool: {
          runner: new MempoolRunner(commits, commitmentCrypto(SEQUENCER, domain), async () => {
            const [sec, usec] = await redis.time();
            return Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
          }),
          store: commits,
        },
      },
      hooks,
      quiet,
    );
  };

  /** The leader's lease ends as a dead leader's does: it expires (here: at once). */
  const expireLease = () => redis.del(keys.lease('builder'));

  /**
   * Fills slot head+1: a bundle from `searcher` paying the sequencer directly (critical price:
   * the reserve, so most of it is refunded), and a commitment from `user` that is revealed.
   */
  async function fillSlot(searcher: number, user: number) {
    const slot = Number((await redis.get(keys.sealedHead())) ?? 0) + 1;
    const w = new Wallet(DEV_KEYS[searcher]);
    const nonce = Number(await rpc(url, 'eth_getTransactionCount', [w.address, 'latest']));
    const pay = await w.signTransaction({
      type: 2,
      chainId: 24225,
      nonce,
      to: SEQUENCER.address,
      value: 10n ** 16n,
      gasLimit: 21_000n,
      maxFeePerGas: 100n * 10n ** 9n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
    const r = await signedCall<{ bundleHash: string }>(url, searcher, 'eth_sendBundle', [
      { txs: [pay], blockNumber: '0x' + slot.toString(16) },
    ]);
    expect(r.error).toBeUndefined();
    const commit = await client.commitPrivate(
      new Wallet(DEV_KEYS[user]),
      { to: new Wallet(DEV_KEYS[9]).address, value: 7n, gasLimit: 21_000n },
      { slot },
    );
    return { slot, bundleHash: r.result!.bundleHash, commit };
  }

  async function auditOf(c: PrivateCommit): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const code = await auditCli(['--gateway', url, '--receipts', 'receipts.json', '--slot', String(c.slot)], {
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
      readFile: () => JSON.stringify([c.receiptJson]),
      rpc: (u, m, p) => rpc(u, m, p),
      defaultGateway: () => url,
    });
    return { code, out: lines.join('\n') };
  }

  /** Everything recorded about a slot, in a shape that leaves out what differs between slots. */
  async function recordOfSlot(slot: number, bundleHash: string, c: PrivateCommit) {
    const results = await rpc<SlotResults | null>(url, 'sealane_getSlotResults', ['0x' + slot.toString(16)]);
    const bundle = (await bundles.status(bundleHash))!;
    const commitment = (await commits.status(c.commitment))!;
    const block = JSON.parse((await redis.get(keys.block(slot)))!) as SealedBlock;
    return { results, bundle, commitment, block };
  }

  const shape = (r: Awaited<ReturnType<typeof recordOfSlot>>) => ({
    results: r.results && {
      keys: Object.keys(r.results).sort(),
      winners: r.results.winners.map((w) => Object.keys(w).sort()),
      dropped: r.results.dropped.length,
    },
    bundle: { state: r.bundle.state, keys: Object.keys(r.bundle).sort() },
    commitment: { state: r.commitment.state, keys: Object.keys(r.commitment).sort() },
    block: Object.keys(r.block).sort(),
  });

  /** What a complete record says: checked against the chain itself. */
  async function expectComplete(slot: number, bundleHash: string, c: PrivateCommit) {
    const r = await recordOfSlot(slot, bundleHash, c);
    expect(r.results).not.toBeNull();
    expect(r.results!.winners.map((w) => w.bundleHash)).toEqual([bundleHash]);
    const w = r.results!.winners[0];
    expect(BigInt(w.refund)).toBeGreaterThan(0n);
    expect(r.bundle).toMatchObject({ state: 'included', block: slot, refundTxHash: w.refundTxHash });
    const onChain = await rpc<{ transactions: string[] }>(url, 'eth_getBlockByNumber', [
      '0x' + slot.toString(16),
      false,
    ]);
    expect(r.block.txHashes).toEqual(onChain.transactions);
    expect(onChain.transactions.at(-1)).toBe(w.refundTxHash);
    const refund = await rpc<{ status: string }>(url, 'eth_getTransactionReceipt', [w.refundTxHash]);
    expect(refund.status).toBe('0x1');
    expect(r.commitment).toMatchObject<Partial<CommitmentStatus>>({
      state: 'included',
      block: slot,
      txHash: c.txHash,
      index: onChain.transactions.indexOf(c.txHash),
      feeTxIndex: onChain.transactions.indexOf(c.feeTxHash),
    });
    for (const [i, h] of onChain.transactions.entries())
      expect(await lane.status(h)).toEqual({ status: 'included', block: slot, index: i });
    const a = await auditOf(c);
    expect(a.out).not.toMatch(/VIOLATION/);
    expect(a.code).toBe(0);
    return r;
  }

  let honest: ReturnType<typeof shape>;

  it('an honest slot: the reference record', async () => {
    const { slot, bundleHash, commit } = await fillSlot(1, 5);
    const b = builder('a');
    expect(await b.lease.tryAcquire()).toBe(true);
    await Promise.all([b.step(), client.revealAfterOrder(commit)]);
    honest = shape(await expectComplete(slot, bundleHash, commit));
    expect(honest.bundle.keys).toContain('refundTxHash');
    await b.lease.release();
  });

  it('a leader killed after evm_mine and before its record: the standby records the same', async () => {
    const { slot, bundleHash, commit } = await fillSlot(2, 6);
    const a = builder('a', {
      mined: () => {
        throw new Killed('killed after the mine');
      },
    });
    expect(await a.lease.tryAcquire()).toBe(true);
    const [stepped] = await Promise.allSettled([a.step(), client.revealAfterOrder(commit)]);
    expect(stepped).toMatchObject({ status: 'rejected', reason: expect.any(Killed) });
    // Half-way: the engine has the block, nothing of the slot is recorded yet.
    expect(await engine.blockNumber()).toBe(slot);
    expect(Number(await redis.get(keys.sealedHead()))).toBe(slot - 1);
    expect(await rpc(url, 'sealane_getSlotResults', ['0x' + slot.toString(16)])).toBeNull();
    expect((await bundles.status(bundleHash))!.state).toBe('won');

    const plan = JSON.parse((await redis.get(keys.slotPlan(slot)))!) as SlotPlan;

    await expireLease();
    const b = builder('b');
    expect(await b.lease.tryAcquire()).toBe(true);
    await b.step();
    const r = await expectComplete(slot, bundleHash, commit);
    expect(shape(r)).toEqual(honest);
    expect(r.block.builder).toBe('b');
    // The record holds all of the plan now: it is not kept.
    expect(await redis.exists(keys.slotPlan(slot))).toBe(0);

    // Recording again is harmless: nothing changes.
    const before = await recordOfSlot(slot, bundleHash, commit);
    expect(await new ChainStore(redis, keys).recordSealed('b', recordOf(plan, r.block), 3600)).toBe(
      'already recorded',
    );
    expect(await recordOfSlot(slot, bundleHash, commit)).toEqual(before);
    await b.lease.release();
  });

  it('a leader killed between its plan and the mine: the standby mines the plan and records it', async () => {
    const { slot, bundleHash, commit } = await fillSlot(3, 7);
    // A public transfer too: the stored plan names it by hash, its body waits in the lane.
    const raw = await transfer(
      5,
      Number(await rpc(url, 'eth_getTransactionCount', [new Wallet(DEV_KEYS[5]).address, 'latest'])),
    );
    const publicHash = await rpc<string>(url, 'eth_sendRawTransaction', [raw]);
    const a = builder('a', {
      planned: () => {
        throw new Killed('killed before the mine');
      },
    });
    expect(await a.lease.tryAcquire()).toBe(true);
    const [stepped] = await Promise.allSettled([a.step(), client.revealAfterOrder(commit)]);
    expect(stepped).toMatchObject({ status: 'rejected', reason: expect.any(Killed) });
    expect(await engine.blockNumber()).toBe(slot - 1);
    const plan = JSON.parse((await redis.get(keys.slotPlan(slot)))!) as {
      txs: { hash: string; role: string; raw?: string }[];
      auction: { seed: string };
    };
    expect(plan.txs.find((t) => t.hash === publicHash)).toMatchObject({ role: 'public' });
    expect(plan.txs.find((t) => t.hash === publicHash)!.raw).toBeUndefined();
    expect(plan.txs.filter((t) => t.role !== 'public').every((t) => t.raw)).toBe(true);

    await expireLease();
    const b = builder('b');
    expect(await b.lease.tryAcquire()).toBe(true);
    await b.step();
    const r = await expectComplete(slot, bundleHash, commit);
    // The outcome the leader decided (its seed drawn at the close) is the one published.
    expect(r.block.txHashes).toEqual(plan.txs.map((t) => t.hash));
    expect(r.block.txs[r.block.txHashes.indexOf(publicHash)]).toBe(raw);
    expect(await lane.status(publicHash)).toMatchObject({ status: 'included', block: slot });
    expect(r.results!.seed).toBe(plan.auction.seed);
    expect(shape(r)).toEqual(honest);
    await b.lease.release();
  });

  it('a block sealed outside any builder is recorded, and what was sent for its slot gets a final state', async () => {
    const { slot, bundleHash, commit } = await fillSlot(4, 8);
    // Something else seals the slot on the engine, with a transfer of its own.
    const raw = await transfer(
      9,
      Number(await rpc(url, 'eth_getTransactionCount', [new Wallet(DEV_KEYS[9]).address, 'latest'])),
    );
    await engine.call('eth_sendRawTransaction', [raw]);
    const parent = (await engine.getBlock(slot - 1))!;
    await engine.mine(Number(parent.timestamp) + 1);

    const b = builder('b');
    expect(await b.lease.tryAcquire()).toBe(true);
    await b.step();
    const rec = JSON.parse((await redis.get(keys.block(slot)))!) as SealedBlock;
    expect(rec.txs).toEqual([raw]);
    expect(await lane.status(rec.txHashes[0])).toEqual({ status: 'included', block: slot, index: 0 });
    expect(await bundles.status(bundleHash)).toMatchObject({
      state: 'dropped',
      block: slot,
      reason: expect.stringMatching(/sealed outside the auction/),
    });
    expect(await commits.status(commit.commitment)).toMatchObject({
      state: 'skipped',
      block: slot,
      reason: expect.stringMatching(/sealed outside the auction/),
    });
    // Nothing can be sent for that slot any more.
    expect(await bundles.isClosed(slot)).toBe(true);
    await b.lease.release();
  });

  it('a raw transaction put back in the lane after its inclusion stays included', async () => {
    const raw = await transfer(
      8,
      Number(await rpc(url, 'eth_getTransactionCount', [new Wallet(DEV_KEYS[8]).address, 'latest'])),
    );
    const tx = decodeTransaction(fromHex(raw));
    await rpc(url, 'eth_sendRawTransaction', [raw]);
    const b = builder('b');
    expect(await b.lease.tryAcquire()).toBe(true);
    await b.step();
    const included = await lane.status(tx.hash);
    expect(included).toMatchObject({ status: 'included' });

    // Back in the lane behind the gateway's back, as a rebroadcast once was accepted.
    const putBack = async () => {
      await redis.zadd(keys.publicPool(), Number(await redis.incr(keys.publicSeq())), tx.hash);
      await redis.hset(keys.publicTxs(), tx.hash, tx.from + raw.slice(2));
      await redis.zadd(keys.publicSender(tx.from), tx.nonce, tx.hash);
    };
    await putBack();
    await b.step();
    expect(await lane.status(tx.hash)).toEqual(included);
    expect(await lane.size()).toBe(0);

    // Also once its status has expired: the chain says where it is.
    await redis.hdel(keys.txIncluded(), tx.hash);
    await putBack();
    await b.step();
    expect(await lane.status(tx.hash)).toEqual(included);
    const receipt = await rpc<{ blockNumber: string; transactionIndex: string }>(
      url,
      'eth_getTransactionReceipt',
      [tx.hash],
    );
    expect(included).toEqual({
      status: 'included',
      block: Number(receipt.blockNumber),
      index: Number(receipt.transactionIndex),
    });
    await b.lease.release();
  });

  it('the record never turns an included status into a skip', async () => {
    const head = Number(await redis.get(keys.sealedHead()));
    const tip = JSON.parse((await redis.get(keys.block(head)))!) as SealedBlock;
    let n = head;
    while ((JSON.parse((await redis.get(keys.block(n)))!) as SealedBlock).txHashes.length === 0) n--;
    const last = JSON.parse((await redis.get(keys.block(n)))!) as SealedBlock;
    const included = (await lane.status(last.txHashes[0]))!;
    expect(included).toMatchObject({ status: 'included' });
    // A record of the next block claiming a skip for it (as a stale nonce check would).
    const b = builder('b');
    expect(await b.lease.tryAcquire()).toBe(true);
    const mined = await engine.blockNumber();
    expect(mined).toBe(head);
    const fake: SealedBlock = {
      ...last,
      number: head + 1,
      hash: '0x' + '12'.repeat(32),
      txs: [],
      txHashes: [],
    };
    const r = recordOf(
      {
        slot: head + 1,
        parentHash: tip.hash,
        startMs: tip.startMs + 1500,
        paramsVersion: 0,
        builder: 'b',
        txs: [],
        skipped: [
          {
            hash: last.txHashes[0],
            from: decodeTransaction(fromHex(last.txs[0])).from,
            reason: 'nonce too low',
          },
        ],
        chainIncluded: [],
        commitments: [],
      },
      fake,
    );
    expect(await new ChainStore(redis, keys).recordSealed('b', r, 3600)).toBe('recorded');
    expect(await lane.status(last.txHashes[0])).toEqual(included);
    // Not a real block: take the fake record back out so nothing else reads it.
    await redis.del(keys.block(head + 1));
    await redis.set(keys.sealedHead(), String(head));
    await b.lease.release();
  });
});
