/**
 * A constant-product AMM on the L2 engine for tests of MEV: two tokens (A, B), two pairs on
 * them (so prices can drift apart), a router for users and the Arbitrage executor for
 * searchers. The engine runs with automine off, so everything is signed here, sent with
 * eth_sendRawTransaction and sealed with evm_mine.
 */
import { Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import {
  ammAbi,
  ammDeployment,
  ammReserves,
  amountOut,
  arbBundleTxs,
  planArb,
  routerApprovals,
  signL2Tx,
  userTradeTx,
  type Amm as AmmContracts,
  type ArbPlan,
  type TxOptions,
} from '@sealane/contracts';
import type { EngineClient } from '@sealane/engine';

export const L2_CHAIN_ID = 24225n;
export { E18 } from '@sealane/contracts';
export { amountOut, planArb, type ArbPlan, type TxOptions };
export const { token, pair, router, arbitrage } = ammAbi;

/** The AMM, plus the dev-key indexes funded with its tokens (they approved the router). */
export interface Amm extends AmmContracts {
  funded: number[];
}

const wallet = (key: number) => new Wallet(DEV_KEYS[key]);

/** A signed EIP-1559 transaction on the L2 chain from dev account `key`. */
export function signTx(key: number, o: TxOptions): Promise<string> {
  return signL2Tx(wallet(key), L2_CHAIN_ID, o);
}

export const address = (key: number): string => wallet(key).address.toLowerCase();

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

/** Deploys the AMM straight on the engine (automine off: each step is sealed with evm_mine). */
export async function deployAmm(
  engine: EngineClient,
  opts: { deployer?: number; funded?: number[]; liquidity?: bigint } = {},
): Promise<Amm> {
  const deployer = opts.deployer ?? 0;
  const funded = opts.funded ?? [1, 2, 3, 4];
  const { amm, txs } = await ammDeployment(wallet(deployer), await nonceOf(engine, deployer), {
    chainId: L2_CHAIN_ID,
    funded: funded.map(address),
    liquidity: opts.liquidity,
  });
  await sendAndMine(engine, txs);
  const approvals: string[] = [];
  for (const k of funded)
    approvals.push(...(await routerApprovals(amm, wallet(k), await nonceOf(engine, k), L2_CHAIN_ID)));
  await sendAndMine(engine, approvals);
  return { ...amm, funded };
}

export function reserves(
  engine: EngineClient,
  pairAddr: string,
  block: number | 'latest' = 'latest',
): Promise<[bigint, bigint]> {
  return ammReserves(engine, pairAddr, block);
}

export function userTrade(
  amm: Amm,
  key: number,
  nonce: number,
  opts: { sell: 'A' | 'B'; amountIn: bigint; maxPriorityFeePerGas?: bigint },
): Promise<string> {
  return userTradeTx(amm, wallet(key), nonce, L2_CHAIN_ID, opts);
}

export function arbBundle(
  amm: Amm,
  key: number,
  nonce: number,
  plan: Pick<ArbPlan, 'buyPair' | 'sellPair' | 'tokenIn' | 'amountIn'>,
  opts: { bid: bigint; minProfit?: bigint; approve?: boolean; maxPriorityFeePerGas?: bigint },
): Promise<string[]> {
  return arbBundleTxs(amm, wallet(key), nonce, L2_CHAIN_ID, plan, opts);
}
