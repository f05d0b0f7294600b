/**
 * The public lane's send-time decision (one Lua script) on real Redis: concurrent sends of one
 * nonce, the 10% bump on both fees, the balance against the sender's waiting transactions (kept
 * exact across the builder's retirements and replacements, on amounts beyond 2^53), the nonce
 * window, and a transaction skipped before and sent again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet, type HDNodeWallet } from 'ethers';
import { startRedis } from '@sealane/embedded';
import {
  InsufficientFundsError,
  NonceTooHighError,
  NonceTooLowError,
  ReplacementUnderpricedError,
  decodeTransaction,
  fromHex,
  type DecodedTx,
} from '@sealane/protocol';
import {
  bumped,
  connectRedis,
  Keys,
  PublicLane,
  type EngineAccount,
  type SealaneRedis,
} from '@sealane/store';

const CHAIN_ID = 24225;
const GWEI = 10n ** 9n;
const LIMITS = { capacity: 1000, nonceWindow: 64, statusTtlSec: 3600 };

async function signed(
  w: Wallet | HDNodeWallet,
  nonce: number,
  o: { value?: bigint; fee?: bigint; tip?: bigint } = {},
): Promise<{ tx: DecodedTx; raw: string }> {
  const raw = await w.signTransaction({
    type: 2,
    chainId: CHAIN_ID,
    nonce,
    to: '0x' + '09'.repeat(20),
    value: o.value ?? 1n,
    gasLimit: 21000n,
    maxFeePerGas: o.fee ?? 100n * GWEI,
    maxPriorityFeePerGas: o.tip ?? GWEI,
  });
  return { tx: decodeTransaction(fromHex(raw)), raw };
}
/** A transfer's max cost: gas limit × max fee + value. */
const costOf = (o: { value?: bigint; fee?: bigint } = {}) =>
  21000n * (o.fee ?? 100n * GWEI) + (o.value ?? 1n);

describe('public lane send-time decision (Redis)', () => {
  let dir: string;
  let stop: () => Promise<void>;
  let redis: SealaneRedis;
  let keys: Keys;
  let lane: PublicLane;
  let run = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sealane-lane-'));
    const r = await startRedis(dir);
    stop = r.proc.stop;
    redis = connectRedis(r.url);
  });
  beforeEach(() => {
    keys = new Keys(`lane-${run++}`);
    lane = new PublicLane(redis, keys);
  });
  afterAll(async () => {
    redis?.disconnect();
    await stop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  const add = (t: { tx: DecodedTx; raw: string }, account: EngineAccount) =>
    lane.add(t.tx, t.raw, account, LIMITS);
  /** What the builder's record step does to a transaction it includes or skips. */
  const retire = async (t: { tx: DecodedTx }) => {
    await redis.zrem(keys.publicPool(), t.tx.hash);
    await redis.hdel(keys.publicTxs(), t.tx.hash);
    await redis.zrem(keys.publicSender(t.tx.from), t.tx.hash);
  };

  it('of ten concurrent sends of one nonce, exactly one is accepted', async () => {
    const w = Wallet.createRandom();
    const txs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => signed(w, 0, { value: BigInt(i + 1) })),
    );
    const acc = { nonce: 0, balance: 10n ** 18n };
    const results = await Promise.allSettled(txs.map((t) => add(t, acc)));
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
    for (const r of results)
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ReplacementUnderpricedError);
    expect(await lane.size()).toBe(1);
  });

  it('replaces only with both fees at least 10% up (exactly 10% is enough), and records the replaced', async () => {
    const w = Wallet.createRandom();
    const acc = { nonce: 0, balance: 10n ** 18n };
    const fee = 100n * GWEI + 7n;
    const tip = GWEI + 3n;
    const first = await signed(w, 0, { fee, tip });
    await add(first, acc);
    expect(bumped(fee)).toBe((fee * 110n) / 100n);
    await expect(add(await signed(w, 0, { fee: bumped(fee) - 1n, tip: bumped(tip) }), acc)).rejects.toThrow(
      ReplacementUnderpricedError,
    );
    await expect(add(await signed(w, 0, { fee: bumped(fee), tip: bumped(tip) - 1n }), acc)).rejects.toThrow(
      'replacement transaction underpriced',
    );
    const second = await signed(w, 0, { fee: bumped(fee), tip: bumped(tip) });
    expect((await add(second, acc)).replaced).toBe(first.tx.hash);
    expect(await lane.status(first.tx.hash)).toEqual({ status: 'replaced', by: second.tx.hash });
    expect(await lane.size()).toBe(1);
    expect((await lane.peek(10)).map((e) => [e.hash, e.raw])).toEqual([[second.tx.hash, second.raw]]);
    // A fee of 0 can only be replaced by a higher one: 10% of nothing is not a bump.
    expect(bumped(0n)).toBe(1n);
  });

  it("counts the sender's waiting transactions against its balance, exactly, across retirements and replacements", async () => {
    const w = Wallet.createRandom();
    // Amounts far past 2^53: the script adds decimal strings, never doubles.
    const value = 10n ** 24n + 12345678901234567n;
    const c = costOf({ value });
    const balance = 3n * c;
    const t0 = await signed(w, 0, { value });
    const t1 = await signed(w, 1, { value });
    const t2 = await signed(w, 2, { value });
    const t3 = await signed(w, 3, { value });
    await add(t0, { nonce: 0, balance });
    await add(t1, { nonce: 0, balance });
    await add(t2, { nonce: 0, balance });
    const e = await add(t3, { nonce: 0, balance }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InsufficientFundsError);
    expect((e as Error).message).toBe(
      `insufficient funds for gas * price + value: balance ${balance}, queued cost ${3n * c}, tx cost ${c}, overshot ${c}`,
    );
    // The builder includes nonce 0: the engine has the new balance and nonce, the lane the rest.
    await retire(t0);
    await add(t3, { nonce: 1, balance: 3n * c });
    await expect(add(await signed(w, 4, { value }), { nonce: 1, balance: 4n * c - 1n })).rejects.toThrow(
      InsufficientFundsError,
    );
    // A bundle took nonces 1 and 2 (the engine is ahead of the lane): those cost the sender nothing more.
    const t4 = await signed(w, 4, { value });
    await add(t4, { nonce: 3, balance: 2n * c });
    // Replacing nonce 4 with a costlier one: only the difference counts against the balance.
    const bigger = await signed(w, 4, { value: value + 10n, fee: 110n * GWEI, tip: 11n * 10n ** 8n });
    await expect(add(bigger, { nonce: 3, balance: 2n * c })).rejects.toThrow(InsufficientFundsError);
    await add(bigger, { nonce: 3, balance: c + costOf({ value: value + 10n, fee: 110n * GWEI }) });
    expect(await lane.status(t4.tx.hash)).toEqual({ status: 'replaced', by: bigger.tx.hash });
  });

  it('refuses a nonce below the engine nonce or at the window, and a rebroadcast of an included one', async () => {
    const w = Wallet.createRandom();
    const acc = { nonce: 5, balance: 10n ** 18n };
    await expect(add(await signed(w, 4), acc)).rejects.toThrow(
      new NonceTooLowError('nonce too low: next nonce 5, tx nonce 4'),
    );
    await expect(add(await signed(w, 5 + 64), acc)).rejects.toThrow(NonceTooHighError);
    const edge = await signed(w, 5 + 63);
    await add(edge, acc);
    // Included in a block whose engine nonce the caller has not seen yet: refused all the same.
    const t5 = await signed(w, 5);
    await add(t5, acc);
    await retire(t5);
    await redis.set(keys.txStatus(t5.tx.hash), JSON.stringify({ status: 'included', block: 9, index: 0 }));
    await expect(add(t5, acc)).rejects.toThrow('nonce too low: transaction already included in block 9');
  });

  it('takes back a transaction skipped before, as pending again', async () => {
    const w = Wallet.createRandom();
    const t = await signed(w, 0);
    await redis.set(
      keys.txStatus(t.tx.hash),
      JSON.stringify({ status: 'skipped', slot: 3, reason: 'insufficient funds: balance 0' }),
    );
    await add(t, { nonce: 0, balance: 10n ** 18n });
    expect(await lane.status(t.tx.hash)).toMatchObject({ status: 'pending' });
  });
});
