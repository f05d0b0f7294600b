/**
 * The bundle simulator against the real L2 engine (anvil) with a real AMM on it: what a bundle
 * pays the fee recipient is checked against the same bundle mined in a real block, state keys
 * against what conflicting and independent bundles touch, and validity failures one by one.
 */
import { rmSync } from 'node:fs';
import { concat, keccak256, Wallet } from 'ethers';
import { loadConfig } from '@sealane/config';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import { EngineClient, L2Engine, MAX_REQUEST_BYTES, type BatchResult, type RpcCall } from '@sealane/engine';
import { BundleSimulator, callBundleJson, slotContext, type SimulationContext } from '@sealane/simulator';
import {
  address,
  arbBundle,
  arbitrage,
  deployAmm,
  E18,
  L2_CHAIN_ID,
  nonceOf,
  planArb,
  reserves,
  sendAndMine,
  signTx,
  token,
  userTrade,
  type Amm,
  type ArbPlan,
} from './support/amm';
import { junkTxs, signFast, keyOf } from './support/junk';
import { DEV_KEYS } from '@sealane/config';

/** The engine's client, counting the calls of each method and the largest request body sent. */
class CountingEngine extends EngineClient {
  readonly calls = new Map<string, number>();
  override async batch(calls: RpcCall[], chunk?: number): Promise<BatchResult[]> {
    for (const [m] of calls) this.calls.set(m, (this.calls.get(m) ?? 0) + 1);
    return super.batch(calls, chunk);
  }
}

const FEE_RECIPIENT = '0x' + 'fe'.repeat(20);
const GWEI = 10n ** 9n;
const BID = 10n ** 16n;

describe('bundle simulator (e2e)', () => {
  let devnet: Devnet;
  let engine: L2Engine;
  let sim: BundleSimulator;
  let amm: Amm;

  beforeAll(async () => {
    devnet = await startEmbedded(
      loadConfig({ L1_RPC_URL: 'http://127.0.0.1:1', INBOX_ADDRESS: '0x' + '11'.repeat(20) }),
    );
    engine = new L2Engine(devnet.l2RpcUrl);
    sim = new BundleSimulator(engine, { chainId: L2_CHAIN_ID });
    amm = await deployAmm(engine, { funded: [1, 2, 3, 4] });
    // Blocks are sealed to the fee recipient, so a mined block can be held against a simulation.
    await engine.call('anvil_setCoinbase', [FEE_RECIPIENT]);
  });
  afterAll(async () => {
    await engine?.close();
    await devnet?.stop();
    if (devnet) rmSync(devnet.dataDir, { recursive: true, force: true });
  });

  /** The next slot on top of the engine's head. */
  async function nextSlot(): Promise<SimulationContext> {
    const parent = (await engine.getBlock('latest'))!;
    return slotContext(parent, { timestamp: Number(parent.timestamp) + 2, feeRecipient: FEE_RECIPIENT });
  }

  const balance = async (who: string, block: number) =>
    BigInt(await engine.call<string>('eth_getBalance', [who, '0x' + block.toString(16)]));

  /** Seals exactly `raws` as the slot's block and returns the fee recipient's balance change. */
  async function mine(raws: string[], ctx: SimulationContext) {
    const receipts = await sendAndMine(engine, raws, { timestamp: ctx.timestamp, allowRevert: true });
    const block = (await engine.getBlock('latest'))!;
    expect(Number(block.number)).toBe(ctx.parentNumber + 1);
    expect(BigInt(block.baseFeePerGas!)).toBe(ctx.baseFee);
    expect(block.transactions).toEqual(raws.map((r) => keccak256(r)));
    const diff =
      (await balance(FEE_RECIPIENT, ctx.parentNumber + 1)) - (await balance(FEE_RECIPIENT, ctx.parentNumber));
    const priorityFees = receipts.reduce(
      (s, r) => s + BigInt(r.gasUsed) * (BigInt(r.effectiveGasPrice) - ctx.baseFee),
      0n,
    );
    return { receipts, diff, priorityFees };
  }

  /** Pushes pair A's price away from pair B's with a user trade, mined; returns the best arbitrage. */
  async function movePrice(amountIn = 50n * E18): Promise<ArbPlan> {
    await sendAndMine(engine, [await userTrade(amm, 1, await nonceOf(engine, 1), { sell: 'A', amountIn })]);
    const plan = planArb(amm, await reserves(engine, amm.pairA), await reserves(engine, amm.pairB));
    expect(plan).not.toBeNull();
    return plan!;
  }

  const transfer = async (key: number, nonce: number, to: string, value: bigint) =>
    signTx(key, { to, value, nonce, gasLimit: 21_000n });

  it('simulates a bundle of two transfers, one of them to the fee recipient, as a mined block pays', async () => {
    const ctx = await nextSlot();
    const n = await nonceOf(engine, 5);
    const raws = [
      await transfer(5, n, address(9), 10n ** 15n),
      await transfer(5, n + 1, FEE_RECIPIENT, 12_345n),
    ];
    const head = await engine.blockNumber();
    const r = await sim.simulate(raws, ctx);

    expect(r.valid).toBe(true);
    expect(r.bundleHash).toBe(keccak256(concat(raws.map((x) => keccak256(x)))));
    expect(r.stateBlockNumber).toBe(ctx.parentNumber);
    expect(r.results.map((t) => [t.fromAddress, t.toAddress, t.value, t.gasUsed])).toEqual([
      [address(5), address(9), 10n ** 15n, 21_000n],
      [address(5), FEE_RECIPIENT, 12_345n, 21_000n],
    ]);
    // Base fee well under the cap: the effective price is base fee + 1 gwei tip.
    expect(r.results[0].gasPrice).toBe(ctx.baseFee + GWEI);
    expect(r.results.map((t) => t.gasFees)).toEqual([21_000n * GWEI, 21_000n * GWEI]);
    expect(r.results.map((t) => t.ethSentToCoinbase)).toEqual([0n, 12_345n]);
    expect(r.gasFees).toBe(42_000n * GWEI);
    expect(r.coinbaseDiff).toBe(42_000n * GWEI + 12_345n);
    expect(r.totalGasUsed).toBe(42_000n);
    expect(r.bundleGasPrice).toBe(r.coinbaseDiff / 42_000n);
    expect(r.nonces).toEqual([
      { sender: address(5), nonce: n },
      { sender: address(5), nonce: n + 1 },
    ]);
    expect(callBundleJson(r)).toMatchObject({
      coinbaseDiff: r.coinbaseDiff.toString(),
      totalGasUsed: 42_000,
      results: [{ gasUsed: 21_000, value: '0x' }, { ethSentToCoinbase: '12345' }],
    });
    // With senders already recovered at ingest (a fresh simulator: no decoded copies cached).
    const known = new BundleSimulator(engine, { chainId: L2_CHAIN_ID });
    const again = await known.simulate(
      raws.map((raw) => ({ raw, from: address(5) })),
      ctx,
    );
    expect(again.coinbaseDiff).toBe(r.coinbaseDiff);
    expect(again.writes).toEqual(r.writes);
    // Simulation leaves the engine alone.
    expect(await engine.blockNumber()).toBe(head);
    expect(await engine.call('txpool_status')).toMatchObject({ pending: '0x0', queued: '0x0' });

    const mined = await mine(raws, ctx);
    expect(mined.diff).toBe(r.coinbaseDiff);
    expect(mined.receipts.map((x) => BigInt(x.gasUsed))).toEqual([21_000n, 21_000n]);
  });

  it('measures an arbitrage after a price-moving trade: coinbaseDiff = priority fees + bid, as mined', async () => {
    const plan = await movePrice();
    const ctx = await nextSlot();
    const raws = await arbBundle(amm, 2, await nonceOf(engine, 2), plan, { bid: BID });
    const r = await sim.simulate(raws, ctx);

    expect(r.valid).toBe(true);
    expect(r.results.map((t) => t.reverted)).toEqual([false, false]);
    expect(r.results[0].ethSentToCoinbase).toBe(0n);
    expect(r.results[1].ethSentToCoinbase).toBe(BID);
    expect(r.coinbaseDiff).toBe(r.gasFees + BID);
    expect(r.ethSentToCoinbase).toBe(BID);

    const mined = await mine(raws, ctx);
    expect(mined.receipts.map((x) => x.status)).toEqual(['0x1', '0x1']);
    expect(mined.receipts.map((x) => BigInt(x.gasUsed))).toEqual(r.results.map((t) => t.gasUsed));
    expect(mined.priorityFees).toBe(r.gasFees);
    expect(mined.diff).toBe(mined.priorityFees + BID);
    expect(mined.diff).toBe(r.coinbaseDiff);
  });

  it('runs the second transaction of a bundle on the state the first left (approve, then swap)', async () => {
    const plan = await movePrice();
    const ctx = await nextSlot();
    const n = await nonceOf(engine, 3);
    const [approve, arb] = await arbBundle(amm, 3, n, plan, { bid: BID });

    const both = await sim.simulate([approve, arb], ctx);
    expect(both.valid).toBe(true);
    expect(both.results[1].ethSentToCoinbase).toBe(BID);

    // Without the approval in front, the same swap (re-signed for the nonce) has no allowance.
    const [alone] = await arbBundle(amm, 3, n, plan, { bid: BID, approve: false });
    const r = await sim.simulate([alone], ctx);
    expect(r.valid).toBe(false);
    expect(r.failure).toMatchObject({ code: 'reverted', txIndex: 0 });
    expect(token.parseError(r.results[0].revert!)!.name).toBe('InsufficientAllowance');
    expect(r.results[0].ethSentToCoinbase).toBe(0n);

    // The allowance slot the approval writes is what the swap reads (and spends).
    const allowanceWritten = [...both.writes].filter((k) => k.startsWith(plan.tokenIn + ':'));
    expect(allowanceWritten.length).toBeGreaterThan(0);
    expect(allowanceWritten.some((k) => both.reads.has(k))).toBe(true);
  });

  it('reports a reverting bundle with its reason, and accepts it when the hash may revert', async () => {
    const plan = await movePrice(20n * E18);
    const ctx = await nextSlot();
    // Demands ten times the available profit: the executor reverts and pays no bid.
    const raws = await arbBundle(amm, 4, await nonceOf(engine, 4), plan, {
      bid: BID,
      minProfit: plan.profit * 10n,
    });
    const arbHash = keccak256(raws[1]);

    const r = await sim.simulate(raws, ctx);
    expect(r.valid).toBe(false);
    expect(r.failure).toMatchObject({ code: 'reverted', txIndex: 1, txHash: arbHash });
    expect(r.results[1]).toMatchObject({ reverted: true, error: 'execution reverted' });
    const err = arbitrage.parseError(r.results[1].revert!)!;
    expect(err.name).toBe('Unprofitable');
    expect(err.args[0]).toBe(plan.amountIn);
    expect(r.failure!.message).toContain(r.results[1].revert!);
    expect(callBundleJson(r).results[1]).toMatchObject({
      error: 'execution reverted',
      revert: r.results[1].revert,
    });

    const allowed = await sim.simulate(raws, ctx, {
      revertingTxHashes: [arbHash.toUpperCase().replace('0X', '0x')],
    });
    expect(allowed.valid).toBe(true);
    expect(allowed.results[1].reverted).toBe(true);
    // A reverted call's value goes back to the sender: only the fees reach the fee recipient.
    expect(allowed.ethSentToCoinbase).toBe(0n);
    expect(allowed.coinbaseDiff).toBe(allowed.gasFees);

    const mined = await mine(raws, ctx);
    expect(mined.receipts.map((x) => x.status)).toEqual(['0x1', '0x0']);
    expect(mined.diff).toBe(allowed.coinbaseDiff);
  });

  it('says which transaction is invalid and why: nonce, fee cap, funds', async () => {
    const ctx = await nextSlot();
    const n = await nonceOf(engine, 6);
    const ok = await transfer(6, n, address(9), 1n);

    const gap = await sim.simulate([ok, await transfer(6, n + 2, address(9), 1n)], ctx);
    expect(gap.failure).toMatchObject({
      code: 'nonce-too-high',
      txIndex: 1,
      message: `nonce ${n + 2}, expected ${n + 1}`,
    });
    expect(gap.results).toHaveLength(1);

    const reused = await sim.simulate([ok, await transfer(6, n, address(8), 1n)], ctx);
    expect(reused.failure).toMatchObject({ code: 'nonce-too-low', txIndex: 1 });

    const cheap = await signTx(6, {
      to: address(9),
      nonce: n,
      gasLimit: 21_000n,
      maxFeePerGas: ctx.baseFee - 1n,
      maxPriorityFeePerGas: 0n,
    });
    expect((await sim.simulate([cheap], ctx)).failure).toMatchObject({
      code: 'fee-cap-below-base-fee',
      txIndex: 0,
    });

    const pauper = Wallet.createRandom();
    const broke = await pauper.signTransaction({
      type: 2,
      chainId: L2_CHAIN_ID,
      nonce: 0,
      to: address(9),
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: 100n * GWEI,
      maxPriorityFeePerGas: GWEI,
    });
    const poor = await sim.simulate([ok, broke], ctx);
    expect(poor.valid).toBe(false);
    expect(poor.failure).toMatchObject({ code: 'rejected', txIndex: 1, txHash: keccak256(broke) });
    expect(poor.failure!.message).toMatch(/funds/i);
    expect(poor.results).toHaveLength(1);
    expect(poor.results[0].gasUsed).toBe(21_000n);

    const garbage = await sim.simulate([ok, '0x02c0'], ctx);
    expect(garbage.failure).toMatchObject({ code: 'invalid-transaction', txIndex: 1 });
  });

  it('finds two arbitrages of the same pairs in conflict, and two unrelated transfers not', async () => {
    const plan = await movePrice();
    const ctx = await nextSlot();
    const [a, b, t1, t2] = await sim.simulateMany(
      [
        { txs: await arbBundle(amm, 2, await nonceOf(engine, 2), plan, { bid: BID }) },
        { txs: await arbBundle(amm, 3, await nonceOf(engine, 3), plan, { bid: BID / 2n }) },
        { txs: [await transfer(7, await nonceOf(engine, 7), address(8), 5n)] },
        { txs: [await transfer(6, await nonceOf(engine, 6), '0x' + '66'.repeat(20), 5n)] },
      ],
      ctx,
    );
    for (const x of [a, b, t1, t2]) expect(x.valid).toBe(true);
    // Each on its own at the top of the slot: both arbitrages are paid in full.
    expect(a.ethSentToCoinbase).toBe(BID);
    expect(b.ethSentToCoinbase).toBe(BID / 2n);

    const shared = (x: Set<string>, y: Set<string>) => [...x].filter((k) => y.has(k));
    const reserveSlot = (p: string) => `${p}:0x${'0'.repeat(64)}`;
    expect(shared(a.writes, b.writes)).toEqual(
      expect.arrayContaining([reserveSlot(amm.pairA), reserveSlot(amm.pairB)]),
    );
    expect(shared(a.writes, b.reads).length).toBeGreaterThan(0);
    expect(shared(t1.writes, new Set([...t2.reads, ...t2.writes]))).toEqual([]);
    expect(shared(t2.writes, new Set([...t1.reads, ...t1.writes]))).toEqual([]);
    // The fee recipient is credited by every transaction and left out of the keys.
    for (const x of [a, b, t1, t2]) expect(x.writes.has(FEE_RECIPIENT)).toBe(false);
    expect(t1.writes).toEqual(new Set([address(7), address(8)]));
  });

  it('simulates a sequence in place: the second of two conflicting arbitrages fails and is dropped', async () => {
    const plan = await movePrice();
    const ctx = await nextSlot();
    const first = await arbBundle(amm, 2, await nonceOf(engine, 2), plan, { bid: BID });
    const second = await arbBundle(amm, 3, await nonceOf(engine, 3), plan, { bid: BID / 2n });
    const after = [await transfer(7, await nonceOf(engine, 7), address(9), 1n)];
    const [alone] = await sim.simulateMany([{ txs: second }], ctx);
    expect(alone.valid).toBe(true);

    const seq = await sim.simulateSequence([{ txs: first }, { txs: second }, { txs: after }], ctx);
    const [s1, s2, s3] = seq.bundles;
    expect(s1).toMatchObject({ included: true, valid: true, ethSentToCoinbase: BID });
    // The first took the price gap: the same swap now loses money where it stands.
    expect(s2).toMatchObject({ included: false, valid: false });
    expect(s2.failure).toMatchObject({ code: 'reverted', txIndex: 1 });
    expect(arbitrage.parseError(s2.results[1].revert!)!.name).toBe('Unprofitable');
    expect(s2.ethSentToCoinbase).toBe(0n);
    expect(s3).toMatchObject({ included: true, valid: true });
    expect(seq.coinbaseDiff).toBe(s1.coinbaseDiff + s3.coinbaseDiff);

    // Mined without the dropped bundle, the block pays exactly what the sequence said.
    const mined = await mine([...first, ...after], ctx);
    expect(mined.diff).toBe(seq.coinbaseDiff);
  });

  it('measures a later bundle in place: it earns less after an earlier one moved the price', async () => {
    const plan = await movePrice(100n * E18);
    const ctx = await nextSlot();
    // Half the optimal size each: after the first, the second still profits, but less.
    const half = { ...plan, amountIn: plan.amountIn / 2n };
    const first = await arbBundle(amm, 2, await nonceOf(engine, 2), half, { bid: BID });
    const second = await arbBundle(amm, 3, await nonceOf(engine, 3), half, { bid: BID });
    const [alone] = await sim.simulateMany([{ txs: second }], ctx);
    const seq = await sim.simulateSequence([{ txs: first }, { txs: second }], ctx);
    expect(seq.bundles.map((b) => b.included)).toEqual([true, true]);
    const backAlone = BigInt(alone.results[1].returnData);
    const backInPlace = BigInt(seq.bundles[1].results[1].returnData);
    expect(backInPlace).toBeLessThan(backAlone);
    expect(backInPlace).toBeGreaterThan(half.amountIn);
  });

  it('finds the refused transaction of 100-transfer bundles by binary search, each bundle on its own', async () => {
    const ctx = await nextSlot();
    const counting = new CountingEngine(devnet.l2RpcUrl);
    const lean = new BundleSimulator(counting, { chainId: L2_CHAIN_ID });
    const funded = keyOf(DEV_KEYS[7]);
    const n = await nonceOf(engine, 7);
    // Eight bundles, each a funded transfer then 99 from fresh unfunded keys (the issue had four).
    const bundles = Array.from({ length: 8 }, (_, i) => ({
      txs: [signFast(funded, { nonce: n, value: BigInt(i + 1) }).raw, ...junkTxs(99).map((t) => t.raw)],
    }));
    const out = await lean.simulateMany(bundles, ctx);
    for (const r of out) {
      expect(r.valid).toBe(false);
      expect(r.failure).toMatchObject({ code: 'rejected', txIndex: 1 });
      expect(r.failure!.message).toMatch(/funds/i);
      expect(r.results).toHaveLength(1);
    }
    // One run of the whole bundle, then ⌈log2 100⌉ = 7 prefixes; no traces for an invalid bundle.
    expect(counting.calls.get('eth_simulateV1')).toBe(8 * 8);
    expect(counting.calls.get('debug_traceCall')).toBeUndefined();
    await counting.close();
  });

  it('fails only the bundle whose simulation the engine refuses as a whole, not the ones beside it', async () => {
    const ctx = await nextSlot();
    const n = await nonceOf(engine, 8);
    const ok = [await transfer(8, n, address(9), 1n)];
    // Twelve transactions of 110 KB of calldata: their eth_simulateV1 alone passes anvil's 2 MiB.
    const n9 = await nonceOf(engine, 9);
    const heavy = keyOf(DEV_KEYS[9]);
    const huge = Array.from(
      { length: 12 },
      (_, i) =>
        signFast(heavy, { nonce: n9 + i, data: '0x' + '01'.repeat(110_000), gasLimit: 2_500_000n }).raw,
    );
    expect(huge.join('').length).toBeGreaterThan(2 * MAX_REQUEST_BYTES);
    const [a, big, b] = await sim.simulateMany([{ txs: ok }, { txs: huge }, { txs: ok }], ctx);
    expect(a.valid).toBe(true);
    expect(b.valid).toBe(true);
    expect(big.valid).toBe(false);
    expect(big.failure).toMatchObject({ code: 'simulation-failed' });
    expect(big.failure!.message).toMatch(/refused the simulation request/);
    // The same in a sequence: the bundle the engine cannot simulate goes, the others stay in place.
    const seq = await sim.simulateSequence([{ txs: huge }, { txs: ok }], ctx, { stateKeys: false });
    expect(seq.bundles.map((x) => x.included)).toEqual([false, true]);
    expect(seq.bundles[0].failure).toMatchObject({ code: 'simulation-failed' });
  });
});
