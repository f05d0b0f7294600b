/**
 * The sealed-bid auction end to end on a real constant-product AMM: a user trade moves the
 * price, three searchers send competing arbitrage bundles through the gateway, and on-chain
 * the highest bid wins at the critical (here second) price, gets its refund in the same block
 * from the sequencer, and the losers' transactions are nowhere.
 */
import { keccak256, Wallet } from 'ethers';
import { verifyBidProof } from '@sealane/auction';
import { fromHex } from '@sealane/protocol';
import { DEV_KEYS, loadConfig } from '@sealane/config';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import { L2Engine } from '@sealane/engine';
import { SEALANE_CODES } from '@sealane/rpc';
import type { BundleStatus, SlotResults } from '@sealane/store';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { arbBundle, deployAmm, nonceOf, planArb, reserves, userTrade, type Amm, E18 } from './support/amm';
import { rpc, waitFor } from './support/rpc';
import { sendBundle, signedCall } from './support/searcher';

const SEQUENCER = new Wallet(DEV_KEYS[0]).address.toLowerCase();

describe('bundle auction on a real AMM (e2e)', () => {
  let devnet: Devnet;
  let engine: L2Engine;
  let amm: Amm;
  let s: Sealane;
  let url: string;

  beforeAll(async () => {
    const noL1 = { L1_RPC_URL: 'http://127.0.0.1:1', INBOX_ADDRESS: '0x' + '11'.repeat(20) };
    devnet = await startEmbedded(loadConfig(noL1));
    engine = new L2Engine(devnet.l2RpcUrl);
    // Deployed straight on the engine before Sealane starts: the builder adopts these blocks.
    amm = await deployAmm(engine, { funded: [1, 2, 3, 4] });
    s = await startSealane({
      env: {
        ...noL1,
        REDIS_URL: devnet.redisUrl,
        L2_RPC_URL: devnet.l2RpcUrl,
        COMPONENTS: 'gateway,builder',
        GATEWAY_PORT: '0',
        GENESIS_PARAMS: JSON.stringify({ slotMs: 1500, auctionPricing: 1, auctionCloseOffsetMs: 400 }),
      },
      logger: ['error'],
    });
    url = s.gatewayUrl!;
  });
  afterAll(async () => {
    await s?.stop();
    await engine?.close();
    await devnet?.stop();
  });

  it('sells the top of the block to the best arbitrage at the second price, with an on-chain refund', async () => {
    const head0 = await engine.blockNumber();
    await waitFor(
      'the builder to take over the chain',
      async () => Number(await rpc(url, 'eth_blockNumber')) > head0,
    );

    // A user sells token A on pair A: pair A now prices A below pair B.
    const trade = await userTrade(amm, 1, await nonceOf(engine, 1), { sell: 'A', amountIn: 50n * E18 });
    const tradeHash = await rpc<string>(url, 'eth_sendRawTransaction', [trade]);
    await waitFor('the user trade', async () => rpc(url, 'eth_getTransactionReceipt', [tradeHash]));

    const plan = planArb(amm, await reserves(engine, amm.pairA), await reserves(engine, amm.pairB));
    expect(plan).not.toBeNull();
    const target = Number(await rpc(url, 'eth_blockNumber')) + 2;
    const bids = { 2: E18 / 100n, 3: (E18 * 2n) / 100n, 4: (E18 * 3n) / 100n } as const;
    const bundles: Record<number, { hash: string; txs: string[] }> = {};
    for (const key of [2, 3, 4] as const) {
      const txs = await arbBundle(amm, key, await nonceOf(engine, key), plan!, { bid: bids[key] });
      bundles[key] = { hash: await sendBundle(url, key, txs, target), txs };
      expect(bundles[key].hash).toBe(keccak256('0x' + txs.map((t) => keccak256(t).slice(2)).join('')));
    }
    // Sealed: nobody learns another searcher's bundle, and results wait for the seal.
    const peek = await signedCall(url, 2, 'sealane_getBundleStatus', [bundles[4].hash]);
    expect(peek.error?.code).toBe(SEALANE_CODES.BundleNotFoundError);
    expect(await rpc(url, 'sealane_getSlotResults', ['0x' + target.toString(16)])).toBeNull();

    const results = await waitFor('the slot results', async () =>
      rpc<SlotResults | null>(url, 'sealane_getSlotResults', ['0x' + target.toString(16)]),
    );
    const status = async (key: 2 | 3 | 4) =>
      (await signedCall<BundleStatus>(url, key, 'sealane_getBundleStatus', [bundles[key].hash])).result!;
    const [s2, s3, s4] = [await status(2), await status(3), await status(4)];

    // The highest bid wins; it pays the second-highest value (1 wei more if it would lose that tie).
    expect(results.bids).toBe(3);
    expect(results.rules.pricing).toBe('critical');
    expect(results.winners.map((w) => w.bundleHash)).toEqual([bundles[4].hash]);
    const w = results.winners[0];
    expect(BigInt(w.value)).toBe(BigInt(s4.value!));
    expect(BigInt(s4.value!)).toBeGreaterThan(BigInt(s3.value!));
    expect(BigInt(s3.value!)).toBeGreaterThan(BigInt(s2.value!));
    expect([BigInt(s3.value!), BigInt(s3.value!) + 1n]).toContain(BigInt(w.price));
    expect(BigInt(w.refund)).toBe(BigInt(w.value) - BigInt(w.price));
    expect(s4).toMatchObject({ state: 'included', block: target, price: w.price, refund: w.refund });
    for (const loser of [s2, s3])
      expect(loser).toMatchObject({ state: 'lost', reason: expect.stringMatching(/conflict/) });

    // On chain: the winner's transactions on top, the refund from the sequencer in the same block.
    const block = await rpc<{ transactions: { hash: string; from: string; to: string; value: string }[] }>(
      url,
      'eth_getBlockByNumber',
      ['0x' + target.toString(16), true],
    );
    const hashes = block.transactions.map((t) => t.hash);
    expect(hashes.slice(0, 2)).toEqual(bundles[4].txs.map((t) => keccak256(t)));
    const refund = block.transactions.at(-1)!;
    expect(refund).toMatchObject({ from: SEQUENCER, to: new Wallet(DEV_KEYS[4]).address.toLowerCase() });
    expect(BigInt(refund.value)).toBe(BigInt(w.refund));
    expect(refund.hash).toBe(w.refundTxHash);
    const receipt = await rpc<{ status: string }>(url, 'eth_getTransactionReceipt', [refund.hash]);
    expect(receipt.status).toBe('0x1');
    for (const key of [2, 3] as const) {
      for (const tx of bundles[key].txs)
        expect(await rpc(url, 'eth_getTransactionReceipt', [keccak256(tx)])).toBeNull();
    }

    // Every bid counted: each searcher checks its own leaf against the published root.
    for (const key of [2, 3, 4] as const) {
      const p = (
        await signedCall<{ leaf: string; proof: string[]; root: string }>(url, key, 'sealane_getBidProof', [
          bundles[key].hash,
        ])
      ).result!;
      expect(p.root).toBe(results.bidsRoot);
      expect(
        verifyBidProof(
          fromHex(p.root),
          fromHex(p.leaf),
          p.proof.map((x) => fromHex(x)),
        ),
      ).toBe(true);
    }
  });

  it('drops a winner that fails where it stands in the block, and says why', async () => {
    // A guard that reverts once the fee recipient holds more than the limit in its calldata:
    // COINBASE BALANCE PUSH0 CALLDATALOAD SWAP1 GT PUSH1 0x0a JUMPI STOP JUMPDEST PUSH0 PUSH0 REVERT
    const initcode = '0x600e600a5f39600e5ff3' + '41315f35901160' + '0a57005b5f5ffd';
    const guardWallet = new Wallet(DEV_KEYS[6]);
    const deployNonce = Number(await rpc(url, 'eth_getTransactionCount', [guardWallet.address, 'pending']));
    const deploy = await guardWallet.signTransaction({
      type: 2,
      chainId: 24225,
      nonce: deployNonce,
      to: null,
      data: initcode,
      gasLimit: 100_000n,
      maxFeePerGas: 100n * 10n ** 9n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
    const deployHash = await rpc<string>(url, 'eth_sendRawTransaction', [deploy]);
    const deployed = await waitFor('the guard', async () =>
      rpc<{ contractAddress: string } | null>(url, 'eth_getTransactionReceipt', [deployHash]),
    );
    const guard = deployed.contractAddress;

    const target = Number(await rpc(url, 'eth_blockNumber')) + 2;
    const balance = BigInt(await rpc<string>(url, 'eth_getBalance', [SEQUENCER, 'latest']));
    const payer = new Wallet(DEV_KEYS[5]);
    // X pays the fee recipient 0.02 ETH directly: worth more, so it goes first.
    const x = [
      await payer.signTransaction({
        type: 2,
        chainId: 24225,
        nonce: Number(await rpc(url, 'eth_getTransactionCount', [payer.address, 'latest'])),
        to: SEQUENCER,
        value: E18 / 50n,
        gasLimit: 21_000n,
        maxFeePerGas: 100n * 10n ** 9n,
        maxPriorityFeePerGas: 10n ** 9n,
      }),
    ];
    // Y passes the guard at the top of the block, but not after X has paid.
    const limit = balance + E18 / 200n;
    const y = [
      await guardWallet.signTransaction({
        type: 2,
        chainId: 24225,
        nonce: deployNonce + 1,
        to: guard,
        data: '0x' + limit.toString(16).padStart(64, '0'),
        gasLimit: 50_000n,
        maxFeePerGas: 100n * 10n ** 9n,
        maxPriorityFeePerGas: 10n ** 9n,
      }),
    ];
    const hx = await sendBundle(url, 5, x, target);
    const hy = await sendBundle(url, 6, y, target);

    const results = await waitFor('the slot results', async () =>
      rpc<SlotResults | null>(url, 'sealane_getSlotResults', ['0x' + target.toString(16)]),
    );
    expect(results.winners.map((w) => w.bundleHash)).toEqual([hx]);
    expect(results.dropped).toEqual([
      { bundleHash: hy, reason: expect.stringMatching(/^fails in place: reverted/) },
    ]);
    const sy = (await signedCall<BundleStatus>(url, 6, 'sealane_getBundleStatus', [hy])).result!;
    expect(sy).toMatchObject({
      state: 'dropped',
      block: target,
      reason: expect.stringMatching(/fails in place/),
    });
    expect(await rpc(url, 'eth_getTransactionReceipt', [keccak256(y[0])])).toBeNull();
    const rx = await rpc<{ blockNumber: string; transactionIndex: string }>(
      url,
      'eth_getTransactionReceipt',
      [keccak256(x[0])],
    );
    expect([Number(rx.blockNumber), Number(rx.transactionIndex)]).toEqual([target, 0]);
  });
});
