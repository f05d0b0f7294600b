/**
 * The public lane behaves like a node's pool (issue 9, items 2 and 3), through the gateway on
 * the real embedded devnet (gateway + builder, redis, anvil): wallets that work against anvil
 * work back to back against Sealane, and what a node refuses is refused at send time with the
 * node's words. Where it matters, the same raw transaction goes to a plain anvil too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isError, JsonRpcProvider, keccak256, NonceManager, Wallet, type TransactionResponse } from 'ethers';
import { createWalletClient, createPublicClient, defineChain, http, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { DEV_KEYS } from '@sealane/config';
import { startAnvil } from '@sealane/embedded';
import { SEALANE_CODES } from '@sealane/rpc';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { L2_CHAIN_ID, rpc, rpcError, rpcRaw, transfer, wallet, waitFor } from './support/rpc';

type Receipt = { blockNumber: string; transactionIndex: string; status: string } | null;

const GWEI = 10n ** 9n;

describe('public lane behaves like a node (e2e)', () => {
  let s: Sealane;
  let url: string;
  let provider: JsonRpcProvider;
  /** Plain anvils beside it: one automining (as wallets' tests use), one holding a pool. */
  let refDir: string;
  const refs: { stop(): Promise<void> }[] = [];
  let anvilAuto: string;
  let anvilPool: string;

  beforeAll(async () => {
    s = await startSealane({
      env: {
        COMPONENTS: 'gateway,builder',
        GATEWAY_PORT: '0',
        GENESIS_PARAMS: JSON.stringify({ slotMs: 400 }),
      },
      logger: ['error'],
    });
    url = s.gatewayUrl!;
    provider = new JsonRpcProvider(url, L2_CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 });
    provider.pollingInterval = 100;
    refDir = mkdtempSync(join(tmpdir(), 'sealane-ref-anvil-'));
    // startAnvil already quiets anvil (--quiet); anvil refuses --silent beside it.
    const args = ['--chain-id', String(L2_CHAIN_ID)];
    const auto = await startAnvil('anvil-auto', refDir, args);
    refs.push(auto.proc);
    anvilAuto = auto.url;
    const pool = await startAnvil('anvil-pool', refDir, [...args, '--no-mining']);
    refs.push(pool.proc);
    anvilPool = pool.url;
  });
  afterAll(async () => {
    provider?.destroy();
    await Promise.all(refs.map((p) => p.stop()));
    if (refDir) rmSync(refDir, { recursive: true, force: true });
    await s?.stop();
  });

  const receipt = (hash: string) => rpc<Receipt>(url, 'eth_getTransactionReceipt', [hash]);
  const receipts = (hashes: string[]) =>
    waitFor(
      'receipts',
      async () => {
        const rs = await Promise.all(hashes.map(receipt));
        return rs.every(Boolean) ? rs.map((r) => r!) : undefined;
      },
      60_000,
    );
  const status = (hash: string) =>
    rpc<{ status: string; by?: string; block?: number }>(url, 'sealane_getTransactionStatus', [hash]);
  const pos = (r: NonNullable<Receipt>) => [Number(r.blockNumber), Number(r.transactionIndex)];
  const inOrder = (rs: NonNullable<Receipt>[]) => {
    const ps = rs.map(pos);
    for (let i = 1; i < ps.length; i++)
      expect(ps[i - 1][0] < ps[i][0] || (ps[i - 1][0] === ps[i][0] && ps[i - 1][1] < ps[i][1])).toBe(true);
  };
  /** A fresh key funded with `wei` through the lane itself (a sealed block, as a user would). */
  async function funded(from: number, wei: bigint): Promise<Wallet> {
    const w = Wallet.createRandom();
    const nonce = Number(await rpc(url, 'eth_getTransactionCount', [wallet(from).address, 'pending']));
    const raw = await transfer(from, nonce, { to: w.address, value: wei });
    await receipts([await rpc<string>(url, 'eth_sendRawTransaction', [raw])]);
    return new Wallet(w.privateKey);
  }
  /** The error ethers makes of a broadcast, or null if it was accepted. */
  async function broadcastError(p: JsonRpcProvider, raw: string): Promise<unknown> {
    try {
      await p.broadcastTransaction(raw);
      return null;
    } catch (e) {
      return e;
    }
  }
  const sign = (w: Wallet, nonce: number, o: { value?: bigint; fee?: bigint; tip?: bigint } = {}) =>
    w.signTransaction({
      type: 2,
      chainId: L2_CHAIN_ID,
      nonce,
      to: wallet(9).address,
      value: o.value ?? 1n,
      gasLimit: 21000n,
      maxFeePerGas: o.fee ?? 100n * GWEI,
      maxPriorityFeePerGas: o.tip ?? GWEI,
    });

  it('ethers: two plain wallet.sendTransaction back to back are both included, in order', async () => {
    const w = wallet(1).connect(provider);
    const a = await w.sendTransaction({ to: wallet(9).address, value: 1n });
    const b = await w.sendTransaction({ to: wallet(9).address, value: 2n });
    expect([a.nonce, b.nonce]).toEqual([0, 1]);
    const [ra, rb] = await Promise.all([a.wait(), b.wait()]);
    expect([ra!.status, rb!.status]).toEqual([1, 1]);
    inOrder(await receipts([a.hash, b.hash]));
  });

  it('ethers: NonceManager sends, concurrent and then sequential, are all included in nonce order', async () => {
    const nm = new NonceManager(wallet(2).connect(provider));
    const concurrent = await Promise.all(
      [1n, 2n, 3n, 4n, 5n].map((value) => nm.sendTransaction({ to: wallet(9).address, value })),
    );
    const sequential: TransactionResponse[] = [];
    for (const value of [6n, 7n, 8n])
      sequential.push(await nm.sendTransaction({ to: wallet(9).address, value }));
    const all = [...concurrent, ...sequential];
    expect(all.map((t) => t.nonce).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const rs = await Promise.all(all.map((t) => t.wait()));
    expect(rs.map((r) => r!.status)).toEqual(all.map(() => 1));
    const byNonce = [...all].sort((x, y) => x.nonce - y.nonce);
    inOrder(await receipts(byNonce.map((t) => t.hash)));
  });

  it('viem: a wallet client sends back to back and every receipt is a success, in order', async () => {
    const chain = defineChain({
      id: L2_CHAIN_ID,
      name: 'sealane',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [url] } },
    });
    const account = privateKeyToAccount(DEV_KEYS[3] as Hex);
    const client = createWalletClient({ account, chain, transport: http(url) });
    const reader = createPublicClient({ chain, transport: http(url), pollingInterval: 100 });
    const hashes: Hex[] = [];
    for (const value of [1n, 2n, 3n])
      hashes.push(await client.sendTransaction({ to: wallet(9).address as Hex, value }));
    const rs = await Promise.all(
      hashes.map((hash) => reader.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: 60_000 })),
    );
    expect(rs.map((r) => r.status)).toEqual(['success', 'success', 'success']);
    inOrder(await receipts(hashes));
  });

  it('the same nonce twice: underpriced unless both fees rise 10%; the replaced one says so', async () => {
    const w = wallet(4);
    // Nonce 1 waits for nonce 0, so nothing is sealed while the replacements are tried.
    const first = await sign(w, 1, { value: 1n });
    expect(await rpc(url, 'eth_sendRawTransaction', [first])).toBe(keccak256(first));
    const again = await sign(w, 1, { value: 2n });
    const e = await rpcError(url, 'eth_sendRawTransaction', [again]);
    expect(e).toMatchObject({
      code: SEALANE_CODES.ReplacementUnderpricedError,
      message: 'replacement transaction underpriced',
    });
    expect(isError(await broadcastError(provider, again), 'REPLACEMENT_UNDERPRICED')).toBe(true);
    // anvil (holding a pool) answers the same for the same transactions.
    const ref = new JsonRpcProvider(anvilPool, L2_CHAIN_ID, { staticNetwork: true });
    try {
      expect(await broadcastError(ref, first)).toBeNull();
      expect(isError(await broadcastError(ref, again), 'REPLACEMENT_UNDERPRICED')).toBe(true);
    } finally {
      ref.destroy();
    }
    for (const o of [
      { fee: 105n * GWEI, tip: (GWEI * 105n) / 100n }, // 5% on both
      { fee: 110n * GWEI, tip: GWEI }, // 10% on the fee cap only
      { fee: 100n * GWEI, tip: (GWEI * 11n) / 10n }, // 10% on the tip only
    ])
      expect(
        (await rpcError(url, 'eth_sendRawTransaction', [await sign(w, 1, { value: 3n, ...o })])).code,
      ).toBe(SEALANE_CODES.ReplacementUnderpricedError);
    expect(await status(keccak256(first))).toMatchObject({ status: 'pending' });

    const bump = await sign(w, 1, { value: 4n, fee: 110n * GWEI, tip: (GWEI * 11n) / 10n });
    expect(await rpc(url, 'eth_sendRawTransaction', [bump])).toBe(keccak256(bump));
    expect(await status(keccak256(first))).toEqual({ status: 'replaced', by: keccak256(bump) });
    expect((await rpcError(url, 'eth_sendRawTransaction', [first])).code).toBe(
      SEALANE_CODES.ReplacementUnderpricedError,
    );

    const zero = await sign(w, 0);
    await rpc(url, 'eth_sendRawTransaction', [zero]);
    inOrder(await receipts([keccak256(zero), keccak256(bump)]));
    expect(await receipt(keccak256(first))).toBeNull();
    expect(await status(keccak256(first))).toEqual({ status: 'replaced', by: keccak256(bump) });
    expect(await status(keccak256(bump))).toMatchObject({ status: 'included' });
  });

  it('two different transactions of one nonce in one batch: exactly one is accepted', async () => {
    const w = wallet(5);
    const a = await sign(w, 1, { value: 1n });
    const b = await sign(w, 1, { value: 2n });
    const { json } = await rpcRaw(
      url,
      JSON.stringify(
        [a, b].map((raw, id) => ({ jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [raw] })),
      ),
    );
    const answers = json as { result?: string; error?: { code: number } }[];
    expect(answers.filter((r) => r.result).length).toBe(1);
    expect(answers.filter((r) => r.error?.code === SEALANE_CODES.ReplacementUnderpricedError).length).toBe(1);
    const winner = answers.find((r) => r.result)!.result!;
    await rpc(url, 'eth_sendRawTransaction', [await sign(w, 0)]);
    const [r] = await receipts([winner]);
    expect(r.status).toBe('0x1');
  });

  it('an unfunded sender is refused with -32013, as anvil refuses it', async () => {
    const poor = Wallet.createRandom();
    const raw = await sign(new Wallet(poor.privateKey), 0);
    const e = await rpcError(url, 'eth_sendRawTransaction', [raw]);
    expect(e.code).toBe(SEALANE_CODES.InsufficientFundsError);
    expect(e.message).toMatch(/^insufficient funds for gas \* price \+ value: balance 0, tx cost /);
    expect(isError(await broadcastError(provider, raw), 'INSUFFICIENT_FUNDS')).toBe(true);
    const ref = new JsonRpcProvider(anvilAuto, L2_CHAIN_ID, { staticNetwork: true });
    try {
      expect(isError(await broadcastError(ref, raw), 'INSUFFICIENT_FUNDS')).toBe(true);
    } finally {
      ref.destroy();
    }
    expect(await status(keccak256(raw))).toBeNull();
  });

  it("a sender's waiting transactions count against its balance", async () => {
    const cost = 21000n * 100n * GWEI + 1n;
    const w = await funded(6, cost + cost / 2n);
    expect(await rpc(url, 'eth_sendRawTransaction', [await sign(w, 1)])).toBeTruthy();
    const e = await rpcError(url, 'eth_sendRawTransaction', [await sign(w, 0)]);
    expect(e.code).toBe(SEALANE_CODES.InsufficientFundsError);
    expect(e.message).toMatch(
      /^insufficient funds for gas \* price \+ value: .*queued cost 2100000000000001/,
    );
  });

  it('nonce too low, and a rebroadcast of an included transaction, are refused with -32012 as anvil does; the status stays included', async () => {
    const w = wallet(7);
    const raw = await sign(w, 0, { value: 7n });
    await rpc(url, 'eth_sendRawTransaction', [raw]);
    const [r] = await receipts([keccak256(raw)]);
    const included = await waitFor('status included', async () => {
      const st = await status(keccak256(raw));
      return st?.status === 'included' ? st : undefined;
    });

    const re = await rpcError(url, 'eth_sendRawTransaction', [raw]);
    expect(re).toMatchObject({
      code: SEALANE_CODES.NonceTooLowError,
      message: 'nonce too low: next nonce 1, tx nonce 0',
    });
    expect(isError(await broadcastError(provider, raw), 'NONCE_EXPIRED')).toBe(true);
    const other = await sign(w, 0, { value: 8n });
    expect(await rpcError(url, 'eth_sendRawTransaction', [other])).toMatchObject({
      code: SEALANE_CODES.NonceTooLowError,
      message: expect.stringMatching(/^nonce too low/),
    });
    // A plain automining anvil, after including the same transaction, answers alike.
    const ref = new JsonRpcProvider(anvilAuto, L2_CHAIN_ID, { staticNetwork: true });
    try {
      expect(await broadcastError(ref, raw)).toBeNull();
      expect(isError(await broadcastError(ref, raw), 'NONCE_EXPIRED')).toBe(true);
      expect(isError(await broadcastError(ref, other), 'NONCE_EXPIRED')).toBe(true);
    } finally {
      ref.destroy();
    }
    // Slots go by; the included status never changes and nothing new is in the lane.
    const head = Number(await rpc(url, 'eth_blockNumber'));
    await waitFor('two more slots', async () => Number(await rpc(url, 'eth_blockNumber')) >= head + 2);
    expect(await status(keccak256(raw))).toEqual(included);
    expect(await status(keccak256(other))).toBeNull();
    expect(await receipt(keccak256(raw))).toEqual(r);
  });

  it('a gapped nonce waits (pending nonce unchanged) and goes in once the gap fills', async () => {
    const w = await funded(8, 10n ** 18n);
    const two = await sign(w, 2);
    await rpc(url, 'eth_sendRawTransaction', [two]);
    const head = Number(await rpc(url, 'eth_blockNumber'));
    await waitFor('three more slots', async () => Number(await rpc(url, 'eth_blockNumber')) >= head + 3);
    expect(await status(keccak256(two))).toMatchObject({ status: 'pending' });
    expect(await rpc(url, 'eth_getTransactionCount', [w.address, 'pending'])).toBe('0x0');
    const zero = await sign(w, 0);
    await rpc(url, 'eth_sendRawTransaction', [zero]);
    expect(await rpc(url, 'eth_getTransactionCount', [w.address, 'pending'])).toBe('0x1');
    const one = await sign(w, 1);
    await rpc(url, 'eth_sendRawTransaction', [one]);
    expect(await rpc(url, 'eth_getTransactionCount', [w.address, 'pending'])).toBe('0x3');
    inOrder(await receipts([zero, one, two].map((x) => keccak256(x))));
  });

  it('at most 64 nonces ahead wait per sender; already known is refused as such', async () => {
    const w = wallet(1);
    const next = Number(await rpc(url, 'eth_getTransactionCount', [w.address, 'latest']));
    const far = await sign(w, next + 64);
    const e = await rpcError(url, 'eth_sendRawTransaction', [far]);
    expect(e).toMatchObject({
      code: SEALANE_CODES.NonceTooHighError,
      message: `nonce too high: next nonce ${next}, tx nonce ${next + 64}; at most 64 nonces ahead wait per sender`,
    });
    const edge = await sign(w, next + 63);
    expect(await rpc(url, 'eth_sendRawTransaction', [edge])).toBe(keccak256(edge));
    expect(await rpcError(url, 'eth_sendRawTransaction', [edge])).toMatchObject({
      code: SEALANE_CODES.AlreadyKnownError,
      message: 'already known',
    });
  });
});
