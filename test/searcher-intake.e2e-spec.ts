/**
 * Searcher intake end to end (issue 9, items 0, 10, 11, 12) through the gateway and the builder
 * on real Redis and anvil: the same bundle is held once per block (a second uuid, no uuid, or a
 * copy by another searcher are refused, the first one is included); a replayed (header, body)
 * pair can neither undo a replacement nor cancel a newer bundle, and replacementNonce orders
 * replacements and cancels; a commitment's fee must be payable on the engine and no bundle may
 * carry it; a 300-request eth_callBundle batch is bounded while another searcher's bundle goes in.
 */
import { Wallet } from 'ethers';
import { DEV_KEYS, loadConfig } from '@sealane/config';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import { L2Engine } from '@sealane/engine';
import { commitRequestToJson, prepareCommit } from '@sealane/mempool';
import { flashbotsSignature, fromHex } from '@sealane/protocol';
import { SEALANE_CODES } from '@sealane/rpc';
import type { BundleStatus, SlotResults } from '@sealane/store';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { nonceOf } from './support/amm';
import { L2_CHAIN_ID, rpc, rpcError, transfer, waitFor } from './support/rpc';
import { signedCall, type RpcAnswer } from './support/searcher';

const C = SEALANE_CODES;
const U1 = '0b1f6c52-1111-4222-8333-444455556661';
const U2 = '0b1f6c52-1111-4222-8333-444455556662';
const U3 = '0b1f6c52-1111-4222-8333-444455556663';
const U4 = '0b1f6c52-1111-4222-8333-444455556664';
const q = (n: number) => '0x' + n.toString(16);

/** One signed HTTP body, kept so that it can be sent again as is (a replay). */
async function signedBody(key: number, method: string, params: unknown[]) {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  return { body, header: await flashbotsSignature(new Wallet(DEV_KEYS[key]), body) };
}

async function post<T>(url: string, req: { body: string; header: string }): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-flashbots-signature': req.header },
    body: req.body,
  });
  return (await res.json()) as T;
}

describe('searcher intake (e2e)', () => {
  let devnet: Devnet;
  let engine: L2Engine;
  let s: Sealane;
  let url: string;

  const head = async () => Number(await rpc(url, 'eth_blockNumber'));
  const send = (key: number, txs: string[], block: number, extra: Record<string, unknown> = {}) =>
    signedCall<{ bundleHash: string }>(url, key, 'eth_sendBundle', [
      { txs, blockNumber: q(block), ...extra },
    ]);
  const status = async (key: number, hash: string) =>
    (await signedCall<BundleStatus>(url, key, 'sealane_getBundleStatus', [hash])).result;
  const sealed = (block: number) => waitFor(`block ${block} to seal`, async () => (await head()) >= block);

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
        GENESIS_PARAMS: JSON.stringify({ slotMs: 1500, auctionCloseOffsetMs: 400 }),
      },
      logger: ['error'],
    });
    url = s.gatewayUrl!;
    const head0 = await engine.blockNumber();
    await waitFor('the builder to take over the chain', async () => (await head()) > head0);
  });
  afterAll(async () => {
    await s?.stop();
    await engine?.close();
    await devnet?.stop();
  });

  it('holds one bundle once per block: another uuid, no uuid or a copy are refused; the first is included', async () => {
    const target = (await head()) + 3;
    const tx = await transfer(2, await nonceOf(engine, 2));
    const first = await send(2, [tx], target, { replacementUuid: U1 });
    const hash = first.result!.bundleHash;
    const refusals = [
      await send(2, [tx], target, { replacementUuid: U2 }),
      await send(2, [tx], target),
      await send(3, [tx], target),
      await send(3, [tx], target, { replacementUuid: U1 }),
    ];
    for (const r of refusals)
      expect(r.error).toMatchObject({
        code: C.DuplicateBundleError,
        data: { name: 'DuplicateBundleError' },
        message: expect.stringMatching(/already in block/),
      });
    // Replacing a uuid's bundle by the same bundle is fine (a new request, or the same one again).
    const again = await signedBody(2, 'eth_sendBundle', [
      { txs: [tx], blockNumber: q(target), replacementUuid: U1, revertingTxHashes: [] },
    ]);
    for (let i = 0; i < 2; i++)
      expect((await post<RpcAnswer<{ bundleHash: string }>>(url, again)).result?.bundleHash).toBe(hash);
    await sealed(target);
    await waitFor('the bundle to be included', async () => (await status(2, hash))?.state === 'included');
    const results = await waitFor('the slot results', () =>
      rpc<SlotResults | null>(url, 'sealane_getSlotResults', [q(target)]),
    );
    expect(results.bids).toBe(1);
    expect(results.winners.map((w) => [w.bundleHash, w.searcher])).toEqual([
      [hash, new Wallet(DEV_KEYS[2]).address.toLowerCase()],
    ]);
  });

  it('a replayed (header, body) pair neither undoes a replacement nor cancels a newer bundle', async () => {
    const target = (await head()) + 4;
    const n = await nonceOf(engine, 2);
    const a = await transfer(2, n, { value: 1n });
    const b = await transfer(2, n, { value: 2n });
    const c = await transfer(2, n, { value: 3n });
    const sendA = await signedBody(2, 'eth_sendBundle', [
      { txs: [a], blockNumber: q(target), replacementUuid: U3 },
    ]);
    expect((await post<RpcAnswer<unknown>>(url, sendA)).result).toBeDefined();
    const hashB = (await send(2, [b], target, { replacementUuid: U3 })).result!.bundleHash;
    // The old body again, with its genuine header: refused, B stays.
    const replay = await post<RpcAnswer<unknown>>(url, sendA);
    expect(replay.error).toMatchObject({
      code: C.ReplacementNonceTooLowError,
      message: expect.stringMatching(/replay/),
    });
    const cancel = await signedBody(2, 'eth_cancelBundle', [{ replacementUuid: U3 }]);
    expect((await post<RpcAnswer<string[]>>(url, cancel)).result).toEqual([hashB]);
    const hashC = (await send(2, [c], target, { replacementUuid: U3 })).result!.bundleHash;
    expect((await post<RpcAnswer<unknown>>(url, cancel)).error?.code).toBe(C.ReplacementNonceTooLowError);
    expect((await post<RpcAnswer<unknown>>(url, sendA)).error?.code).toBe(C.ReplacementNonceTooLowError);
    await sealed(target);
    await waitFor('C to be included', async () => (await status(2, hashC))?.state === 'included');
    expect((await status(2, hashB))?.state).toBe('cancelled');
  });

  it('replacementNonce orders the replacements and cancels of a uuid', async () => {
    const target = (await head()) + 4;
    const n = await nonceOf(engine, 3);
    const [x, y, z] = await Promise.all([1n, 2n, 3n].map((v) => transfer(3, n, { value: v })));
    expect((await send(3, [x], target, { replacementUuid: U4, replacementNonce: 5 })).result).toBeDefined();
    const hashY = (await send(3, [y], target, { replacementUuid: U4, replacementNonce: '0x6' })).result!
      .bundleHash;
    for (const [nonce, extra] of [
      [6, {}],
      [5, {}],
      [undefined, {}],
    ] as const) {
      const r = await send(3, [z], target, {
        replacementUuid: U4,
        ...(nonce === undefined ? {} : { replacementNonce: nonce }),
        ...extra,
      });
      expect(r.error).toMatchObject({
        code: C.ReplacementNonceTooLowError,
        data: { detail: { replacementNonce: 6 } },
      });
    }
    const stale = await signedCall(url, 3, 'eth_cancelBundle', [
      { replacementUuid: U4, replacementNonce: 6 },
    ]);
    expect(stale.error?.code).toBe(C.ReplacementNonceTooLowError);
    expect((await send(3, [x], target, { replacementNonce: 1 })).error?.code).toBe(-32602);
    await sealed(target);
    await waitFor('Y to be included', async () => (await status(3, hashY))?.state === 'included');
  });

  it('a commitment fee must be payable on the engine, and no bundle may carry a committed fee transaction', async () => {
    const info = await rpc<{
      feeRecipient: string;
      commitmentFeeWei: string;
      paddingBucketMinBytes: number;
      paddingBucketMaxBytes: number;
    }>(url, 'sealane_getMempoolInfo');
    const rules = {
      chainId: BigInt(L2_CHAIN_ID),
      feeRecipient: info.feeRecipient,
      feeWei: BigInt(info.commitmentFeeWei),
      minBytes: info.paddingBucketMinBytes,
      maxBytes: info.paddingBucketMaxBytes,
    };
    const commit = async (w: Wallet, feeNonce: number, slot: number) => {
      const fees = {
        type: 2,
        chainId: BigInt(L2_CHAIN_ID),
        maxFeePerGas: 10n ** 11n,
        maxPriorityFeePerGas: 10n ** 9n,
      };
      const feeTx = await w.signTransaction({
        ...fees,
        nonce: feeNonce,
        to: info.feeRecipient,
        value: rules.feeWei,
        gasLimit: 21_000n,
      });
      const hidden = await w.signTransaction({
        ...fees,
        nonce: feeNonce + 1,
        to: w.address,
        value: 1n,
        gasLimit: 21_000n,
      });
      const p = prepareCommit({
        signedTx: fromHex(hidden),
        feeTx: fromHex(feeTx),
        sender: w.address,
        slot: BigInt(slot),
        params: rules,
      });
      return { feeTx, req: commitRequestToJson(p.request) };
    };
    const slot = (await head()) + 4;
    // A fresh key cannot pay: refused as a node refuses it.
    const fresh = await commit(new Wallet(Wallet.createRandom().privateKey), 0, slot);
    expect(await rpcError(url, 'sealane_commit', [fresh.req])).toMatchObject({
      code: C.InsufficientFundsError,
      message: expect.stringMatching(/insufficient funds/),
    });
    const user = new Wallet(DEV_KEYS[6]);
    if ((await nonceOf(engine, 6)) === 0) {
      const h = await rpc<string>(url, 'eth_sendRawTransaction', [await transfer(6, 0)]);
      await waitFor('a first transaction of key 6', () => rpc(url, 'eth_getTransactionReceipt', [h]));
    }
    const n = await nonceOf(engine, 6);
    expect((await rpcError(url, 'sealane_commit', [(await commit(user, n - 1, slot)).req])).code).toBe(
      C.NonceTooLowError,
    );
    expect((await rpcError(url, 'sealane_commit', [(await commit(user, n + 1, slot)).req])).code).toBe(
      C.InvalidFeeTransactionError,
    );
    const ok = await commit(user, n, slot);
    expect(await rpc(url, 'sealane_commit', [ok.req])).toMatchObject({ slot: q(slot) });
    // Its plaintext fee transaction copied into a bundle for that slot is refused.
    const copied = await send(4, [await transfer(4, await nonceOf(engine, 4)), ok.feeTx], slot);
    expect(copied.error).toMatchObject({
      code: C.CommittedFeeTxError,
      data: { detail: { txIndex: 1 } },
    });
  });

  it('a 300-request eth_callBundle batch is bounded while another searcher’s bundle is accepted and included', async () => {
    const h = await head();
    const sim = await transfer(5, await nonceOf(engine, 5));
    // Far enough ahead that the state block ('latest') is still before it when simulated.
    const simBlock = h + 50;
    const batch = Array.from({ length: 300 }, (_, i) => ({
      jsonrpc: '2.0',
      id: i,
      method: 'eth_callBundle',
      params: [{ txs: [sim], blockNumber: q(simBlock), stateBlockNumber: 'latest' }],
    }));
    const body = JSON.stringify(batch);
    const pending = post<RpcAnswer<unknown>[]>(url, {
      body,
      header: await flashbotsSignature(new Wallet(DEV_KEYS[5]), body),
    });
    const target = (await head()) + 2;
    const good = await send(4, [await transfer(4, await nonceOf(engine, 4))], target);
    expect(good.result?.bundleHash).toBeDefined();
    const answers = await pending;
    expect(answers).toHaveLength(300);
    const limited = answers.filter((a) => a.error?.code === C.RateLimitedError).length;
    const results = answers.filter((a) => a.result !== undefined).length;
    expect(answers.filter((a) => a.result === undefined && a.error?.code !== C.RateLimitedError)).toEqual([]);
    expect(limited + results).toBe(300);
    // At most CALL_BUNDLE_PER_BODY (8) of one body are simulated.
    expect(results).toBeGreaterThan(0);
    expect(results).toBeLessThanOrEqual(8);
    await sealed(target);
    await waitFor(
      'the good bundle to be included',
      async () => (await status(4, good.result!.bundleHash))?.state === 'included',
    );
  });
});
