/**
 * The demo's auction section: deploys two constant-product pairs through the gateway, then in two
 * rounds a user trade moves a price and three searchers bid sealed bundles for the arbitrage;
 * prints each slot's results, winners and refunds.
 */
import { Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import {
  ammDeployment,
  ammReserves,
  arbBundleTxs,
  E18,
  planArb,
  routerApprovals,
  userTradeTx,
  type Amm,
} from '@sealane/contracts';
import { L2Engine } from '@sealane/engine';
import { searcherCall } from '@sealane/sdk';
import type { BundleStatus, SlotResults } from '@sealane/store';
import { eth, rpc, say, short, waitFor } from './demo-io';
import type { Sealane } from './sealane';

export interface AuctionDemo {
  amm: Amm;
  deployer: Wallet;
  trader: Wallet;
  auctions: { bundles: number; won: number; refunds: bigint };
}

/** A user trade moves an AMM price; three searchers bid for the arbitrage (two rounds). */
export async function auctionDemo(s: Sealane, url: string, deadline: number): Promise<AuctionDemo> {
  const chainId = BigInt(s.config.L2_CHAIN_ID);
  const engine = new L2Engine(s.devnet.l2RpcUrl);
  const nonce = async (w: Wallet) =>
    Number((await rpc<string>(url, 'eth_getTransactionCount', [w.address, 'pending'])).result);
  const sendAll = async (raws: string[]) => {
    const hashes: string[] = [];
    for (const raw of raws) {
      const r = await rpc<string>(url, 'eth_sendRawTransaction', [raw]);
      if (r.error) throw new Error(`eth_sendRawTransaction: ${r.error.message}`);
      hashes.push(r.result!);
    }
    await waitFor(
      'transactions to be sealed',
      async () => (await rpc(url, 'eth_getTransactionReceipt', [hashes.at(-1)])).result,
      deadline,
    );
  };
  const deployer = new Wallet(DEV_KEYS[7]);
  const trader = new Wallet(DEV_KEYS[8]);
  const searchers = [2, 3, 4].map((k) => new Wallet(DEV_KEYS[k]));
  console.log('\nauction: deploying two constant-product pairs on tokens A and B through the gateway ...');
  const { amm, txs } = await ammDeployment(deployer, await nonce(deployer), {
    chainId,
    funded: [trader, ...searchers].map((w) => w.address),
  });
  await sendAll(txs);
  await sendAll(await routerApprovals(amm, trader, await nonce(trader), chainId));
  const auctions = { bundles: 0, won: 0, refunds: 0n };
  for (const [round, sell] of [
    [1, 'A'],
    [2, 'B'],
  ] as const) {
    await sendAll([
      await userTradeTx(amm, trader, await nonce(trader), chainId, { sell, amountIn: 40n * E18 }),
    ]);
    const plan = planArb(amm, await ammReserves(engine, amm.pairA), await ammReserves(engine, amm.pairB));
    if (!plan) throw new Error('the user trade left nothing to arbitrage');
    const target = Number((await rpc<string>(url, 'eth_blockNumber', [])).result) + 2;
    say(
      `round ${round}: a user sold 40 ${sell} on pair A; arbitrage worth ~${eth(plan.profit)} in token A; searchers bid for block ${target}`,
    );
    const hashes: string[] = [];
    for (const [i, w] of searchers.entries()) {
      const bid = (E18 * BigInt(i + 1) * BigInt(round)) / 200n;
      const bundle = await arbBundleTxs(amm, w, await nonce(w), chainId, plan, { bid });
      const r = await searcherCall<{ bundleHash: string }>(url, w, 'eth_sendBundle', [
        { txs: bundle, blockNumber: '0x' + target.toString(16) },
      ]);
      if (r.error) throw new Error(`eth_sendBundle: ${r.error.message}`);
      hashes.push(r.result!.bundleHash);
      auctions.bundles++;
      say(
        `  searcher ${short(w.address)} sent sealed bundle ${short(r.result!.bundleHash)} (bid ${eth(bid)})`,
      );
    }
    const res = await waitFor(
      `the results of block ${target}`,
      async () =>
        (await rpc<SlotResults | null>(url, 'sealane_getSlotResults', ['0x' + target.toString(16)])).result ??
        undefined,
      deadline,
    );
    say(
      `block ${target} results (${res.rules.pricing} price): ${res.bids} bids, bids root ${short(res.bidsRoot)}, seed ${short(res.seed)}`,
    );
    for (const w of res.winners) {
      say(
        `  winner ${short(w.searcher)}: bid value ${eth(w.value)}, pays ${eth(w.price)}` +
          (w.refundTxHash
            ? `, refunded ${eth(w.refund)} in tx ${short(w.refundTxHash)} of the same block`
            : ''),
      );
      auctions.won++;
      auctions.refunds += BigInt(w.refund);
    }
    for (const [i, w] of searchers.entries()) {
      const st = (await searcherCall<BundleStatus>(url, w, 'sealane_getBundleStatus', [hashes[i]])).result!;
      if (st.state !== 'included')
        say(`  searcher ${short(w.address)}: ${st.state}${st.reason ? ` (${st.reason})` : ''}`);
    }
  }
  await engine.close();
  return { amm, deployer, trader, auctions };
}
