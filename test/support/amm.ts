/**
 * A constant-product AMM on the L2 engine for tests of MEV: two tokens (A, B), two pairs on
 * them (so prices can drift apart), a router for users and the Arbitrage executor for
 * searchers. The engine runs with automine off, so everything is signed here, sent with
 * eth_sendRawTransaction and sealed with evm_mine.
 */
import { getCreateAddress, Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import { contractInterface, deployData } from '@sealane/contracts';
import type { EngineClient } from '@sealane/engine';

export const L2_CHAIN_ID = 24225n;
const GWEI = 10n ** 9n;
export const E18 = 10n ** 18n;

export const token = contractInterface('Token');
export const pair = contractInterface('Pair');
export const router = contractInterface('Router');
export const arbitrage = contractInterface('Arbitrage');

export interface Amm {
  tokenA: string;
  tokenB: string;
  /** The pair users trade on (its price moves). */
  pairA: string;
  /** The reference pair searchers arbitrage against. */
  pairB: string;
  router: string;
  arbitrage: string;
  /** Dev-key indexes funded with tokens; traders have approved the router. */
  funded: number[];
}

export interface TxOptions {
  to: string | null;
  data?: string;
  value?: bigint;
  nonce: number;
  gasLimit?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
}

/** A signed EIP-1559 transaction on the L2 chain from dev account `key`. */
export function signTx(key: number, o: TxOptions): Promise<string> {
  return new Wallet(DEV_KEYS[key]).signTransaction({
    type: 2,
    chainId: L2_CHAIN_ID,
    nonce: o.nonce,
    to: o.to,
    data: o.data ?? '0x',
    value: o.value ?? 0n,
    gasLimit: o.gasLimit ?? 300_000n,
    maxFeePerGas: o.maxFeePerGas ?? 100n * GWEI,
    maxPriorityFeePerGas: o.maxPriorityFeePerGas ?? GWEI,
  });
}

export const address = (key: number): string => new Wallet(DEV_KEYS[key]).address.toLowerCase();

export async function nonceOf(engine: EngineClient, key: number): Promise<number> {
  return Number(await engine.call<string>('eth_getTransactionCount', [address(key), 'latest']));
}

interface Receipt {
  status: string;
  gasUsed: string;
  effectiveGasPrice: string;
  blockNumber: string;
  transactionHash: string;
}

/** Sends raw transactions in order, seals one block and checks every one succeeded. */
export async function sendAndMine(
  engine: EngineClient,
  raws: string[],
  opts: { timestamp?: number; allowRevert?: boolean } = {},
): Promise<Receipt[]> {
  const hashes: string[] = [];
  for (const raw of raws) hashes.push(await engine.call<string>('eth_sendRawTransaction', [raw]));
  await engine.call(
    'evm_mine',
    opts.timestamp === undefined ? [] : [{ timestamp: opts.timestamp, blocks: 1 }],
  );
  const receipts: Receipt[] = [];
  for (const h of hashes) {
    const r = await engine.call<Receipt | null>('eth_getTransactionReceipt', [h]);
    if (!r) throw new Error(`transaction ${h} was not mined`);
    if (r.status !== '0x1' && !opts.allowRevert) throw new Error(`transaction ${h} reverted`);
    receipts.push(r);
  }
  return receipts;
}

/**
 * Deploys tokens A and B, pairs A and B on (A, B), the router and the Arbitrage executor from
 * dev account `deployer`; mints 1,000,000 of each token to every account in `funded`, lets
 * each approve the router, and seeds both pairs with `liquidity` of each token (same price).
 */
export async function deployAmm(
  engine: EngineClient,
  opts: { deployer?: number; funded?: number[]; liquidity?: bigint } = {},
): Promise<Amm> {
  const deployer = opts.deployer ?? 0;
  const funded = opts.funded ?? [1, 2, 3, 4];
  const liquidity = opts.liquidity ?? 1000n * E18;
  const from = address(deployer);
  let nonce = await nonceOf(engine, deployer);
  const at = (n: number) => getCreateAddress({ from, nonce: n }).toLowerCase();
  const deploy = (name: string, args: unknown[] = []) =>
    signTx(deployer, { to: null, data: deployData(name, args), nonce: nonce++, gasLimit: 3_000_000n });

  const tokenA = at(nonce);
  const tokenB = at(nonce + 1);
  const pairA = at(nonce + 2);
  const pairB = at(nonce + 3);
  const routerAddr = at(nonce + 4);
  const arbAddr = at(nonce + 5);
  const txs = [
    await deploy('Token', ['Token A', 'TKA']),
    await deploy('Token', ['Token B', 'TKB']),
    await deploy('Pair', [tokenA, tokenB]),
    await deploy('Pair', [tokenA, tokenB]),
    await deploy('Router'),
    await deploy('Arbitrage'),
  ];
  const call = (to: string, data: string) => signTx(deployer, { to, data, nonce: nonce++ });
  const supply = 1_000_000n * E18;
  for (const t of [tokenA, tokenB]) {
    txs.push(await call(t, token.encodeFunctionData('mint', [from, 2n * liquidity])));
    txs.push(await call(t, token.encodeFunctionData('approve', [routerAddr, 2n * liquidity])));
    for (const k of funded) txs.push(await call(t, token.encodeFunctionData('mint', [address(k), supply])));
  }
  for (const p of [pairA, pairB]) {
    txs.push(
      await call(routerAddr, router.encodeFunctionData('addLiquidity', [p, liquidity, liquidity, from])),
    );
  }
  await sendAndMine(engine, txs);

  const approvals: string[] = [];
  for (const k of funded) {
    let n = await nonceOf(engine, k);
    for (const t of [tokenA, tokenB]) {
      const data = token.encodeFunctionData('approve', [routerAddr, 2n ** 256n - 1n]);
      approvals.push(await signTx(k, { to: t, data, nonce: n++ }));
    }
  }
  await sendAndMine(engine, approvals);
  return { tokenA, tokenB, pairA, pairB, router: routerAddr, arbitrage: arbAddr, funded };
}

/** Reserves of a pair as (reserve of token A, reserve of token B), at a block. */
export async function reserves(
  engine: EngineClient,
  pairAddr: string,
  block: number | 'latest' = 'latest',
): Promise<[bigint, bigint]> {
  const tag = block === 'latest' ? block : '0x' + block.toString(16);
  const data = pair.encodeFunctionData('getReserves');
  const ret = await engine.call<string>('eth_call', [{ to: pairAddr, data }, tag]);
  const [r0, r1] = pair.decodeFunctionResult('getReserves', ret) as unknown as [bigint, bigint];
  // deployAmm creates both pairs as (A, B), so token0 is A.
  return [r0, r1];
}

/** A user's exact-input trade on pair A through the router: it moves pair A's price. */
export function userTrade(
  amm: Amm,
  key: number,
  nonce: number,
  opts: { sell: 'A' | 'B'; amountIn: bigint; maxPriorityFeePerGas?: bigint },
): Promise<string> {
  const tokenIn = opts.sell === 'A' ? amm.tokenA : amm.tokenB;
  const data = router.encodeFunctionData('swapExactIn', [
    amm.pairA,
    tokenIn,
    opts.amountIn,
    0n,
    address(key),
  ]);
  return signTx(key, { to: amm.router, data, nonce, maxPriorityFeePerGas: opts.maxPriorityFeePerGas });
}

/** Uniswap V2 output for an input after the 0.3% fee. */
export function amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const inWithFee = amountIn * 997n;
  return (inWithFee * reserveOut) / (reserveIn * 1000n + inWithFee);
}

export interface ArbPlan {
  /** Pair to buy the middle token on (the cheap one), then sell it on the other. */
  buyPair: string;
  sellPair: string;
  tokenIn: string;
  amountIn: bigint;
  /** Expected profit in tokenIn at the reserves the plan was made for. */
  profit: bigint;
}

/**
 * The most profitable round trip of token A through both pairs (either direction) at the given
 * reserves, found by ternary search on the input (profit is concave in it). Null when no
 * direction makes money.
 */
export function planArb(amm: Amm, resA: [bigint, bigint], resB: [bigint, bigint]): ArbPlan | null {
  const profitOf = (x: bigint, buy: [bigint, bigint], sell: [bigint, bigint]) =>
    amountOut(amountOut(x, buy[0], buy[1]), sell[1], sell[0]) - x;
  let best: ArbPlan | null = null;
  for (const [buy, sell, buyPair, sellPair] of [
    [resA, resB, amm.pairA, amm.pairB],
    [resB, resA, amm.pairB, amm.pairA],
  ] as const) {
    let lo = 0n;
    let hi = buy[0];
    while (hi - lo > 2n) {
      const m1 = lo + (hi - lo) / 3n;
      const m2 = hi - (hi - lo) / 3n;
      if (profitOf(m1, buy, sell) < profitOf(m2, buy, sell)) lo = m1;
      else hi = m2;
    }
    const profit = profitOf(lo, buy, sell);
    if (profit > 0n && (!best || profit > best.profit))
      best = { buyPair, sellPair, tokenIn: amm.tokenA, amountIn: lo, profit };
  }
  return best;
}

/**
 * A searcher's signed arbitrage bundle: approve the executor for `amountIn` of the input
 * token (unless `approve` is false), then the Arbitrage call carrying `bid` wei for the fee
 * recipient, which it pays only if the round trip returns at least `minProfit` more.
 */
export async function arbBundle(
  amm: Amm,
  key: number,
  nonce: number,
  plan: Pick<ArbPlan, 'buyPair' | 'sellPair' | 'tokenIn' | 'amountIn'>,
  opts: { bid: bigint; minProfit?: bigint; approve?: boolean; maxPriorityFeePerGas?: bigint },
): Promise<string[]> {
  const txs: string[] = [];
  const prio = opts.maxPriorityFeePerGas;
  if (opts.approve ?? true) {
    const data = token.encodeFunctionData('approve', [amm.arbitrage, plan.amountIn]);
    txs.push(
      await signTx(key, {
        to: plan.tokenIn,
        data,
        nonce: nonce++,
        gasLimit: 60_000n,
        maxPriorityFeePerGas: prio,
      }),
    );
  }
  const data = arbitrage.encodeFunctionData('arb', [
    plan.buyPair,
    plan.sellPair,
    plan.tokenIn,
    plan.amountIn,
    opts.minProfit ?? 1n,
  ]);
  txs.push(
    await signTx(key, { to: amm.arbitrage, data, nonce, value: opts.bid, maxPriorityFeePerGas: prio }),
  );
  return txs;
}
