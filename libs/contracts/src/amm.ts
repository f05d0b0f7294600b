/**
 * A constant-product AMM kit for demos and tests of MEV: two tokens (A, B), two pairs on them
 * (so their prices can drift apart), a router for users and the Arbitrage executor for
 * searchers. Everything here builds signed transactions; sending them (through the gateway, or
 * straight to an engine) is the caller's business.
 */
import { getCreateAddress, type Wallet } from 'ethers';
import type { EngineClient } from '@sealane/engine';
import { contractInterface, deployData } from './deploy';

const GWEI = 10n ** 9n;
export const E18 = 10n ** 18n;

export const ammAbi = {
  token: contractInterface('Token'),
  pair: contractInterface('Pair'),
  router: contractInterface('Router'),
  arbitrage: contractInterface('Arbitrage'),
};

export interface Amm {
  tokenA: string;
  tokenB: string;
  /** The pair users trade on (its price moves). */
  pairA: string;
  /** The reference pair searchers arbitrage against. */
  pairB: string;
  router: string;
  arbitrage: string;
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

/** A signed EIP-1559 transaction with generous defaults for a devnet. */
export function signL2Tx(wallet: Wallet, chainId: bigint, o: TxOptions): Promise<string> {
  return wallet.signTransaction({
    type: 2,
    chainId,
    nonce: o.nonce,
    to: o.to,
    data: o.data ?? '0x',
    value: o.value ?? 0n,
    gasLimit: o.gasLimit ?? 300_000n,
    maxFeePerGas: o.maxFeePerGas ?? 100n * GWEI,
    maxPriorityFeePerGas: o.maxPriorityFeePerGas ?? GWEI,
  });
}

/**
 * Transactions deploying tokens A and B, pairs A and B on (A, B), the router and the Arbitrage
 * executor from `deployer` starting at `nonce`; minting 1,000,000 of each token to every
 * `funded` address, and seeding both pairs with `liquidity` of each token (the same price).
 */
export async function ammDeployment(
  deployer: Wallet,
  nonce: number,
  opts: { chainId: bigint; funded: string[]; liquidity?: bigint },
): Promise<{ amm: Amm; txs: string[] }> {
  const liquidity = opts.liquidity ?? 1000n * E18;
  const from = deployer.address;
  const at = (n: number) => getCreateAddress({ from, nonce: n }).toLowerCase();
  const amm: Amm = {
    tokenA: at(nonce),
    tokenB: at(nonce + 1),
    pairA: at(nonce + 2),
    pairB: at(nonce + 3),
    router: at(nonce + 4),
    arbitrage: at(nonce + 5),
  };
  const sign = (o: Omit<TxOptions, 'nonce'>) => signL2Tx(deployer, opts.chainId, { ...o, nonce: nonce++ });
  const deploy = (name: string, args: unknown[] = []) =>
    sign({ to: null, data: deployData(name, args), gasLimit: 3_000_000n });
  const txs = [
    await deploy('Token', ['Token A', 'TKA']),
    await deploy('Token', ['Token B', 'TKB']),
    await deploy('Pair', [amm.tokenA, amm.tokenB]),
    await deploy('Pair', [amm.tokenA, amm.tokenB]),
    await deploy('Router'),
    await deploy('Arbitrage'),
  ];
  const { token, router } = ammAbi;
  for (const t of [amm.tokenA, amm.tokenB]) {
    txs.push(await sign({ to: t, data: token.encodeFunctionData('mint', [from, 2n * liquidity]) }));
    txs.push(await sign({ to: t, data: token.encodeFunctionData('approve', [amm.router, 2n * liquidity]) }));
    for (const a of opts.funded)
      txs.push(await sign({ to: t, data: token.encodeFunctionData('mint', [a, 1_000_000n * E18]) }));
  }
  for (const p of [amm.pairA, amm.pairB]) {
    txs.push(
      await sign({
        to: amm.router,
        data: router.encodeFunctionData('addLiquidity', [p, liquidity, liquidity, from]),
      }),
    );
  }
  return { amm, txs };
}

/** A trader's approvals of the router for both tokens. */
export async function routerApprovals(
  amm: Amm,
  trader: Wallet,
  nonce: number,
  chainId: bigint,
): Promise<string[]> {
  const data = ammAbi.token.encodeFunctionData('approve', [amm.router, 2n ** 256n - 1n]);
  return [
    await signL2Tx(trader, chainId, { to: amm.tokenA, data, nonce }),
    await signL2Tx(trader, chainId, { to: amm.tokenB, data, nonce: nonce + 1 }),
  ];
}

/** Reserves of a pair as (token A, token B) at a block; both pairs are created as (A, B). */
export async function ammReserves(
  engine: EngineClient,
  pairAddr: string,
  block: number | 'latest' = 'latest',
): Promise<[bigint, bigint]> {
  const tag = block === 'latest' ? block : '0x' + block.toString(16);
  const data = ammAbi.pair.encodeFunctionData('getReserves');
  const ret = await engine.call<string>('eth_call', [{ to: pairAddr, data }, tag]);
  const [r0, r1] = ammAbi.pair.decodeFunctionResult('getReserves', ret) as unknown as [bigint, bigint];
  return [r0, r1];
}

/** A user's exact-input trade on pair A through the router: it moves pair A's price. */
export function userTradeTx(
  amm: Amm,
  trader: Wallet,
  nonce: number,
  chainId: bigint,
  opts: { sell: 'A' | 'B'; amountIn: bigint; minOut?: bigint; maxPriorityFeePerGas?: bigint },
): Promise<string> {
  const tokenIn = opts.sell === 'A' ? amm.tokenA : amm.tokenB;
  const data = ammAbi.router.encodeFunctionData('swapExactIn', [
    amm.pairA,
    tokenIn,
    opts.amountIn,
    opts.minOut ?? 0n,
    trader.address,
  ]);
  return signL2Tx(trader, chainId, {
    to: amm.router,
    data,
    nonce,
    maxPriorityFeePerGas: opts.maxPriorityFeePerGas,
  });
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
 * reserves, by ternary search on the input (profit is concave in it); null when none pays.
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
 * A searcher's signed arbitrage bundle: approve the executor for `amountIn` of the input token
 * (unless `approve` is false), then the Arbitrage call carrying `bid` wei for the fee recipient,
 * which it pays only if the round trip returns at least `minProfit` more.
 */
export async function arbBundleTxs(
  amm: Amm,
  searcher: Wallet,
  nonce: number,
  chainId: bigint,
  plan: Pick<ArbPlan, 'buyPair' | 'sellPair' | 'tokenIn' | 'amountIn'>,
  opts: { bid: bigint; minProfit?: bigint; approve?: boolean; maxPriorityFeePerGas?: bigint },
): Promise<string[]> {
  const txs: string[] = [];
  const prio = opts.maxPriorityFeePerGas;
  if (opts.approve ?? true) {
    const data = ammAbi.token.encodeFunctionData('approve', [amm.arbitrage, plan.amountIn]);
    txs.push(
      await signL2Tx(searcher, chainId, {
        to: plan.tokenIn,
        data,
        nonce: nonce++,
        gasLimit: 60_000n,
        maxPriorityFeePerGas: prio,
      }),
    );
  }
  const data = ammAbi.arbitrage.encodeFunctionData('arb', [
    plan.buyPair,
    plan.sellPair,
    plan.tokenIn,
    plan.amountIn,
    opts.minProfit ?? 1n,
  ]);
  txs.push(
    await signL2Tx(searcher, chainId, {
      to: amm.arbitrage,
      data,
      nonce,
      value: opts.bid,
      maxPriorityFeePerGas: prio,
    }),
  );
  return txs;
}
