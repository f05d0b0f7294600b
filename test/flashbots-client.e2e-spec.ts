/**
 * The published @flashbots/ethers-provider-bundle client, unmodified, against the gateway:
 * simulate, send, cancel, stats, and waiting for inclusion all work as against Flashbots.
 */
import { FlashbotsBundleProvider, FlashbotsBundleResolution } from '@flashbots/ethers-provider-bundle';
import { JsonRpcProvider, keccak256, Network, Transaction, Wallet } from 'ethers';
import { REDIS } from '@sealane/core';
import { flashbotsSignature } from '@sealane/protocol';
import { Keys, type SealaneRedis } from '@sealane/store';
import { SEALANE_CODES } from '@sealane/rpc';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { rpc, rpcError, transfer, wallet } from './support/rpc';
import { signedCall } from './support/searcher';

describe('@flashbots/ethers-provider-bundle against the gateway (e2e)', () => {
  let s: Sealane;
  let url: string;
  let provider: JsonRpcProvider;
  let fb: FlashbotsBundleProvider;

  beforeAll(async () => {
    s = await startSealane({
      env: {
        COMPONENTS: 'gateway,builder',
        GATEWAY_PORT: '0',
        L1_RPC_URL: 'http://127.0.0.1:1',
        INBOX_ADDRESS: '0x' + '11'.repeat(20),
        GENESIS_PARAMS: JSON.stringify({ slotMs: 1000, auctionCloseOffsetMs: 300 }),
      },
      logger: ['error'],
    });
    url = s.gatewayUrl!;
    provider = new JsonRpcProvider(url, Network.from(24225), { staticNetwork: true, pollingInterval: 200 });
    fb = await FlashbotsBundleProvider.create(provider, Wallet.createRandom(), url, 24225);
  });
  afterAll(async () => {
    provider?.destroy();
    await s?.stop();
  });

  const bundle = async (from: number, nonce: number, value?: bigint) => [
    await transfer(from, nonce, { value }),
    await transfer(from, nonce + 1, { value }),
  ];

  it('simulates a bundle like eth_callBundle on Flashbots', async () => {
    const txs = await bundle(5, 0);
    const sim = await fb.simulate(txs, Number(await rpc(url, 'eth_blockNumber')) + 1);
    if ('error' in sim) throw new Error(sim.error.message);
    expect(sim.bundleHash).toBe(keccak256('0x' + txs.map((t) => keccak256(t).slice(2)).join('')));
    expect(sim.totalGasUsed).toBe(42_000);
    expect(sim.firstRevert).toBeUndefined();
    expect(sim.results.map((r) => r.txHash)).toEqual(txs.map((t) => keccak256(t)));
    expect(sim.coinbaseDiff).toBeGreaterThan(0n);
    expect(sim.coinbaseDiff).toBe(sim.gasFees + sim.ethSentToCoinbase);
  });

  it('sends, cancels, resends, waits for inclusion and reads the stats', async () => {
    const target = Number(await rpc(url, 'eth_blockNumber')) + 3;
    const uuid = '0b1d5a9c-7a77-4a5c-9d55-2f1d0e7c1a01';
    const first = await fb.sendRawBundle(await bundle(6, 0, 1n), target, { replacementUuid: uuid });
    if ('error' in first) throw new Error(first.error.message);
    const cancelled = await fb.cancelBundles(uuid);
    expect(cancelled).toEqual({ bundleHashes: [first.bundleHash] });
    // Cancelled until the close: a second cancel finds nothing, and the bundle never lands.
    expect(await fb.cancelBundles(uuid)).toMatchObject({
      error: { code: SEALANE_CODES.BundleNotFoundError },
    });

    const sent = await fb.sendRawBundle(await bundle(6, 0), target + 1);
    if ('error' in sent) throw new Error(sent.error.message);
    expect(await sent.wait()).toBe(FlashbotsBundleResolution.BundleIncluded);
    const receipts = await sent.receipts();
    expect(receipts.map((r) => r.blockNumber)).toEqual([target + 1, target + 1]);
    expect(receipts.map((r) => r.index)).toEqual([0, 1]);

    const stats = await fb.getBundleStatsV2(sent.bundleHash, target + 1);
    if ('error' in stats) throw new Error(stats.error.message);
    expect(stats.isSimulated).toBe(true);
    expect(stats.sealedByBuildersAt.length).toBe(1);
    const other = await fb.getBundleStatsV2(first.bundleHash, target);
    if ('error' in other) throw new Error(other.error.message);
    expect(other.sealedByBuildersAt).toEqual([]);
    expect((other as unknown as { sealane: { state: string } }).sealane.state).toBe('cancelled');
  });

  it('refuses a request without a valid X-Flashbots-Signature', async () => {
    const err = await rpcError(url, 'eth_sendBundle', [{ txs: await bundle(7, 0), blockNumber: '0x99' }]);
    expect(err.code).toBe(SEALANE_CODES.UnauthenticatedError);
  });

  it('names the bundle transaction that fails, keeps its error code, and stores nothing', async () => {
    const target = Number(await rpc(url, 'eth_blockNumber')) + 5;
    const good = await transfer(8, 0);
    // r below the curve order but not the x of any point: the signature recovers to no sender.
    const t = Transaction.from(await transfer(8, 1));
    const noSender = Transaction.from({
      ...t.toJSON(),
      signature: { r: '0x00' + 'ff'.repeat(30) + '05', s: t.signature!.s, yParity: t.signature!.yParity },
    });
    const cases: [string[], number, RegExp][] = [
      [
        [good, noSender.serialized],
        SEALANE_CODES.InvalidTransactionError,
        /^txs\[1\]: signature does not recover to a sender/,
      ],
      [
        [await transfer(8, 1, { chainId: 1 }), good],
        SEALANE_CODES.WrongChainError,
        /^txs\[0\]: transaction is for chain 1/,
      ],
      [[good, '0x02c0'], SEALANE_CODES.InvalidTransactionError, /^txs\[1\]: /],
    ];
    for (const [txs, code, message] of cases) {
      const r = await signedCall(url, 8, 'eth_sendBundle', [
        { txs, blockNumber: '0x' + target.toString(16) },
      ]);
      expect(r.error).toMatchObject({ code });
      expect(r.error!.message).toMatch(message);
    }
    // A header naming another address than the signer's is refused as such, even when the
    // request is wrong in other ways too (here a transaction that does not decode).
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'eth_sendBundle',
      params: [{ txs: [good, '0x02c0'], blockNumber: '0x' + target.toString(16) }],
    });
    const header = await flashbotsSignature(wallet(8), body);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-flashbots-signature': wallet(7).address + header.slice(42),
      },
      body,
    });
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(
      SEALANE_CODES.UnauthenticatedError,
    );
    const keys = s.app.get(Keys);
    expect(await s.app.get<symbol, SealaneRedis>(REDIS).hlen(keys.slotBundles(target))).toBe(0);
  });
});
