/**
 * Builder crash recovery against the real engine and Redis: a block the last leader sealed but
 * never recorded is adopted; transactions it left in the engine's pool never leak into a
 * block; a builder without the lease cannot seal.
 */
import { keccak256 } from 'ethers';
import { Builder, Lease, systemClock } from '@sealane/builder';
import { loadConfig } from '@sealane/config';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import { L2Engine } from '@sealane/engine';
import { ParamsStore } from '@sealane/store';
import { decodeTransaction, fromHex, NotLeaderError } from '@sealane/protocol';
import {
  connectRedis,
  Keys,
  LeaseStore,
  PublicLane,
  type SealaneRedis,
  type SealedBlock,
} from '@sealane/store';
import { transfer } from './support/rpc';

const LANE_LIMITS = { capacity: 1000, nonceWindow: 64, statusTtlSec: 3600 };
const quiet = { log: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };

describe('builder recovery (e2e)', () => {
  let devnet: Devnet;
  let redis: SealaneRedis;
  let engine: L2Engine;
  const keys = new Keys('recovery');
  let lane: PublicLane;
  let params: ParamsStore;

  beforeAll(async () => {
    devnet = await startEmbedded(
      loadConfig({ L1_RPC_URL: 'http://127.0.0.1:1', INBOX_ADDRESS: '0x' + '11'.repeat(20) }),
    );
    redis = connectRedis(devnet.redisUrl);
    engine = new L2Engine(devnet.l2RpcUrl);
    lane = new PublicLane(redis, keys);
    params = new ParamsStore(redis, keys);
    await params.init({ slotMs: 250 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await engine?.close();
    await devnet?.stop();
  });

  const builder = (id: string) =>
    new Builder(
      redis,
      keys,
      lane,
      params,
      engine,
      systemClock,
      { id, leaseTtlMs: 5000, blockGasLimit: 30_000_000n },
      {},
      quiet,
    );

  it('adopts a block sealed on the engine but never recorded, and retires its transactions', async () => {
    const raw = await transfer(4, 0);
    const tx = decodeTransaction(fromHex(raw));
    await lane.add(tx, raw, { nonce: 0, balance: 10n ** 21n }, LANE_LIMITS);
    // The crashed leader got as far as sealing on the engine.
    await engine.call('eth_sendRawTransaction', [raw]);
    const genesis = await engine.getBlock(0);
    await engine.mine(Number(genesis!.timestamp) + 1);

    const b = builder('b1');
    expect(await b.lease.tryAcquire()).toBe(true);
    await b.step();
    const rec = JSON.parse((await redis.get(keys.block(1)))!) as SealedBlock;
    expect(rec.txHashes).toEqual([keccak256(raw)]);
    expect(rec.txs).toEqual([raw]);
    expect(await lane.status(tx.hash)).toEqual({ status: 'included', block: 1, index: 0 });
    expect(await lane.size()).toBe(0);
    expect(await lane.pendingNonce(tx.from, 1)).toBe(1);
  });

  it('never seals what a dead leader left in the engine pool', async () => {
    const orphan = await transfer(5, 0);
    await engine.call('eth_sendRawTransaction', [orphan]);
    const raw = await transfer(6, 0);
    await lane.add(decodeTransaction(fromHex(raw)), raw, { nonce: 0, balance: 10n ** 21n }, LANE_LIMITS);
    const b = builder('b1');
    expect(await b.lease.tryAcquire()).toBe(true);
    await b.step();
    const rec = JSON.parse((await redis.get(keys.block(2)))!) as SealedBlock;
    expect(rec.txHashes).toEqual([keccak256(raw)]);
    expect((await engine.getBlock(2))!.transactions).toEqual([keccak256(raw)]);
  });

  it('a builder without the lease cannot seal or record', async () => {
    const head = await engine.blockNumber();
    const intruder = builder('intruder');
    const snap = await params.snapshot(head + 1);
    await expect(intruder.seal(head + 1, Date.now(), snap)).rejects.toThrow(NotLeaderError);
    expect(await engine.blockNumber()).toBe(head);
    const other = new Lease(new LeaseStore(redis), keys.lease('builder'), 'intruder', 5000, systemClock);
    expect(await other.tryAcquire()).toBe(false);
  });
});
