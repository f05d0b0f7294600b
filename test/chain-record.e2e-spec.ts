/**
 * The slot record's retiring of transactions (one Lua script) on real Redis, with transactions
 * sent through the public lane's own send path: the block's transactions leave the lane with
 * their `included` status (one HASH for the whole block), the sender's waiting ones stay
 * waiting, a skipped one is retired with its reason but never over an inclusion, a rebroadcast
 * of an included transaction is refused with where it is, and the included statuses are pruned
 * block by block once older than the status TTL, while younger ones stay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet, type HDNodeWallet } from 'ethers';
import { startRedis } from '@sealane/embedded';
import { decodeTransaction, fromHex, type DecodedTx } from '@sealane/protocol';
import {
  ChainStore,
  connectRedis,
  Keys,
  PublicLane,
  type SealaneRedis,
  type SealedBlock,
  type SlotRecord,
} from '@sealane/store';

const CHAIN_ID = 24225;
const LIMITS = { capacity: 1000, nonceWindow: 64, statusTtlSec: 3600 };
const FUNDED = { nonce: 0, balance: 10n ** 20n };
const T0 = 1_800_000_000;

async function transfers(w: Wallet | HDNodeWallet, count: number): Promise<{ tx: DecodedTx; raw: string }[]> {
  const out: { tx: DecodedTx; raw: string }[] = [];
  for (let nonce = 0; nonce < count; nonce++) {
    const raw = await w.signTransaction({
      type: 2,
      chainId: CHAIN_ID,
      nonce,
      to: '0x' + '09'.repeat(20),
      value: 1n,
      gasLimit: 21000n,
      maxFeePerGas: 10n ** 11n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
    out.push({ tx: decodeTransaction(fromHex(raw)), raw });
  }
  return out;
}

const hex32 = (n: number) => '0x' + n.toString(16).padStart(64, '0');

describe('slot record: retiring transactions (Redis)', () => {
  let dir: string;
  let stop: () => Promise<void>;
  let redis: SealaneRedis;
  let keys: Keys;
  let lane: PublicLane;
  let chain: ChainStore;
  let run = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sealane-record-'));
    const r = await startRedis(dir);
    stop = r.proc.stop;
    redis = connectRedis(r.url);
  });
  beforeEach(async () => {
    keys = new Keys(`record-${run++}`);
    lane = new PublicLane(redis, keys);
    chain = new ChainStore(redis, keys);
    await redis.set(keys.lease('builder'), 'b');
  });
  afterAll(async () => {
    redis?.disconnect();
    await stop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A record of block `n` at `timestamp` holding `txs`, and retiring `skipped` as skipped. */
  function record(
    n: number,
    timestamp: number,
    txs: { tx: DecodedTx; raw: string }[],
    skipped: { tx: DecodedTx }[] = [],
  ): SlotRecord {
    const block: SealedBlock = {
      number: n,
      hash: hex32(1000 + n),
      parentHash: hex32(999 + n),
      timestamp,
      startMs: timestamp * 1000,
      txs: txs.map((t) => t.raw),
      txHashes: txs.map((t) => t.tx.hash),
      paramsVersion: 0,
      builder: 'b',
      stateRoot: hex32(7),
      feeRecipient: '0x' + '00'.repeat(20),
      orderRoot: hex32(0),
      bidsRoot: hex32(0),
      forceInclusionDelaySlots: 10,
    };
    return {
      block,
      txs: [
        ...txs.map((t, index) => ({
          hash: t.tx.hash,
          from: t.tx.from,
          status: { status: 'included' as const, block: n, index },
        })),
        ...skipped.map((t) => ({
          hash: t.tx.hash,
          from: t.tx.from,
          status: {
            status: 'skipped' as const,
            slot: n,
            reason: 'insufficient funds',
            code: 'insufficient-funds' as const,
          },
        })),
      ],
      bundles: [],
      commitments: [],
      results: null,
    };
  }

  it('retires a block of several senders in one step: included, skipped and still waiting', async () => {
    const alice = await transfers(Wallet.createRandom(), 6);
    const bob = await transfers(Wallet.createRandom(), 3);
    for (const t of [...alice, ...bob]) await lane.add(t.tx, t.raw, FUNDED, LIMITS);
    expect(await lane.size()).toBe(9);

    const inBlock = [alice[0], bob[0], alice[1], alice[2], bob[1]];
    const r = record(1, T0, inBlock, [bob[2]]);
    expect(await chain.recordSealed('b', r, 3600)).toBe('recorded');
    // Once more: the same record is already there and changes nothing.
    expect(await chain.recordSealed('b', r, 3600)).toBe('already recorded');

    for (const [index, t] of inBlock.entries())
      expect(await lane.status(t.tx.hash)).toEqual({ status: 'included', block: 1, index });
    expect(await lane.status(bob[2].tx.hash)).toMatchObject({
      status: 'skipped',
      code: 'insufficient-funds',
    });
    // Alice's last three wait, in order; nothing of Bob's does.
    expect((await lane.peek(10)).map((e) => e.hash)).toEqual(alice.slice(3).map((t) => t.tx.hash));
    expect(await lane.pendingNonce(alice[0].tx.from, 3)).toBe(6);
    expect(await redis.zcard(keys.publicSender(bob[0].tx.from))).toBe(0);
    expect(await lane.status(alice[3].tx.hash)).toMatchObject({ status: 'pending' });

    // A rebroadcast of an included transaction, checked against an engine nonce from before
    // its block: refused, saying where it is.
    await expect(lane.add(alice[1].tx, alice[1].raw, FUNDED, LIMITS)).rejects.toThrow(
      'nonce too low: transaction already included in block 1',
    );
    // Skipped in a later slot (a stale nonce check): it stays included.
    const later = record(2, T0 + 1, [], [alice[1]]);
    expect(await chain.recordSealed('b', later, 3600)).toBe('recorded');
    expect(await lane.status(alice[1].tx.hash)).toEqual({ status: 'included', block: 1, index: 2 });
  });

  it('prunes included statuses block by block once older than the status TTL', async () => {
    const ttl = 100;
    const senders = await Promise.all([1, 2, 3, 4].map(() => transfers(Wallet.createRandom(), 2)));
    // Blocks 1-4 hold two transfers each, 40 s apart; block 5 is empty.
    const blocks = senders.map((txs, i) => record(i + 1, T0 + i * 40, txs));
    for (const b of blocks) expect(await chain.recordSealed('b', b, ttl)).toBe('recorded');
    const statusOf = (i: number) => Promise.all(senders[i].map((t) => lane.status(t.tx.hash)));
    // Block 4 is 120 s after block 1: block 1 is past the TTL, block 2 (80 s) is not.
    expect(await statusOf(0)).toEqual([null, null]);
    expect(await redis.exists(keys.txIncludedIndex(1))).toBe(0);
    for (const i of [1, 2, 3])
      expect(await statusOf(i)).toEqual([0, 1].map((index) => ({ status: 'included', block: i + 1, index })));
    expect(await redis.hlen(keys.txIncluded())).toBe(6);

    // An empty block 150 s after block 1: block 2 (110 s old) goes; block 3 (70 s) stays.
    expect(await chain.recordSealed('b', record(5, T0 + 150, []), ttl)).toBe('recorded');
    expect(await statusOf(1)).toEqual([null, null]);
    expect(await statusOf(2)).toEqual([0, 1].map((index) => ({ status: 'included', block: 3, index })));
    expect(await redis.get(keys.txIncludedPruned())).toBe('2');
    expect(await redis.hlen(keys.txIncluded())).toBe(4);
  });
});
