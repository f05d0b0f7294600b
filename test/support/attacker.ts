/**
 * A sandwich attacker, run as its own OS process (see ts-process.ts) with its own searcher key.
 * It knows the AMM's addresses and the gateway's URL, nothing else. Every poll it reads every
 * public API a searcher can reach (blocks with their transactions, pending nonces of the accounts
 * it watches, slot orders, commitment states, the slot evidence, auction results, its own bundle
 * statuses) and logs every answer, so the test can show what it knew and when.
 *
 * What it tries:
 * - blind sandwiches: for each slot still open, in both directions, a bundle of a large trade on
 *   pair A followed by its reverse requiring a profit (the back-run). A bundle only pays if the
 *   victim's trade stands between them, which a bundle on top of the block can never hold.
 * - informed attacks: as soon as a slot's order shows commitments, the same sandwiches for that
 *   slot (the auction has closed with it) and large public-lane trades both ways (the public lane
 *   comes after the committed lane).
 *
 * Environment: SEALANE_GATEWAY, ATTACKER_KEY (index into DEV_KEYS), AMM (JSON of its addresses),
 * WATCH (comma-separated addresses), ATTACKER_LOG (file for JSON lines). Stops on SIGTERM.
 */
import { appendFileSync } from 'node:fs';
import { keccak256, Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import { amountOut, ammAbi, signL2Tx, type Amm } from '@sealane/contracts';
import { flashbotsSignature } from '@sealane/protocol';

export type AttackerEvent = { t: number } & (
  | { kind: 'obs'; method: string; params: unknown[]; text: string }
  | { kind: 'order-seen'; slot: number; count: number; commitments: string[] }
  | { kind: 'sealed-seen'; block: number }
  | {
      kind: 'bundle';
      slot: number;
      phase: 'blind' | 'informed';
      direction: 'A' | 'B';
      txHashes: string[];
      bundleHash?: string;
      error?: string;
    }
  | { kind: 'public'; slot: number; direction: 'A' | 'B'; hash?: string; error?: string }
);

const CHAIN_ID = 24225n;
const E18 = 10n ** 18n;
const GWEI = 10n ** 9n;
const BLIND_SIZE = 300n * E18;
const PUBLIC_SIZE = 100n * E18;

const url = process.env.SEALANE_GATEWAY!;
const me = new Wallet(DEV_KEYS[Number(process.env.ATTACKER_KEY)]);
const amm = JSON.parse(process.env.AMM!) as Amm;
const watch = (process.env.WATCH ?? '').split(',').filter(Boolean);
const logFile = process.env.ATTACKER_LOG!;

const myBundles: { slot: number; hash: string }[] = [];
let stopping = false;
process.on('SIGTERM', () => (stopping = true));

function log(e: AttackerEvent): void {
  appendFileSync(logFile, JSON.stringify(e) + '\n');
}

async function call<T>(method: string, params: unknown[], signed = false): Promise<T> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signed) headers['x-flashbots-signature'] = await flashbotsSignature(me, body);
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  log({ t: Date.now(), kind: 'obs', method, params, text });
  const json = JSON.parse(text) as { result?: T; error?: { message: string } };
  if (json.error) throw new Error(`${method}: ${json.error.message}`);
  return json.result as T;
}

const q = (n: number) => '0x' + n.toString(16);

async function reservesA(): Promise<[bigint, bigint]> {
  const ret = await call<string>('eth_call', [
    { to: amm.pairA, data: ammAbi.pair.encodeFunctionData('getReserves') },
    'latest',
  ]);
  const [r0, r1] = ammAbi.pair.decodeFunctionResult('getReserves', ret) as unknown as [bigint, bigint];
  return [r0, r1];
}

function swap(sell: 'A' | 'B', amountIn: bigint, minOut: bigint, nonce: number, tip = GWEI): Promise<string> {
  const data = ammAbi.router.encodeFunctionData('swapExactIn', [
    amm.pairA,
    sell === 'A' ? amm.tokenA : amm.tokenB,
    amountIn,
    minOut,
    me.address,
  ]);
  return signL2Tx(me, CHAIN_ID, {
    to: amm.router,
    data,
    nonce,
    gasLimit: 200_000n,
    maxFeePerGas: 300n * GWEI,
    maxPriorityFeePerGas: tip,
  });
}

/**
 * Front-run (sell `BLIND_SIZE` of `sell`) then back-run (sell the proceeds back, requiring more
 * than went in, bid through a high tip). Profitable only with a victim trading the same way
 * in between.
 */
async function sandwich(slot: number, sell: 'A' | 'B', phase: 'blind' | 'informed'): Promise<void> {
  const [ra, rb] = await reservesA();
  const [rIn, rOut] = sell === 'A' ? [ra, rb] : [rb, ra];
  // A few wei more per slot: each slot's bundle is its own (a bundle's hash is its identity).
  const size = BLIND_SIZE + BigInt(slot);
  const got = amountOut(size, rIn, rOut);
  const nonce = Number(await call<string>('eth_getTransactionCount', [me.address, 'latest']));
  const txs = [
    await swap(sell, size, 0n, nonce),
    await swap(sell === 'A' ? 'B' : 'A', got, size + 1n, nonce + 1, 100n * GWEI),
  ];
  const txHashes = txs.map((t) => keccak256(t));
  try {
    const r = await call<{ bundleHash: string }>('eth_sendBundle', [{ txs, blockNumber: q(slot) }], true);
    myBundles.push({ slot, hash: r.bundleHash });
    log({ t: Date.now(), kind: 'bundle', slot, phase, direction: sell, txHashes, bundleHash: r.bundleHash });
  } catch (e) {
    log({
      t: Date.now(),
      kind: 'bundle',
      slot,
      phase,
      direction: sell,
      txHashes,
      error: (e as Error).message,
    });
  }
}

async function publicTrades(slot: number): Promise<void> {
  let nonce = Number(await call<string>('eth_getTransactionCount', [me.address, 'pending']));
  for (const sell of ['A', 'B'] as const) {
    try {
      const hash = await call<string>('eth_sendRawTransaction', [await swap(sell, PUBLIC_SIZE, 0n, nonce++)]);
      log({ t: Date.now(), kind: 'public', slot, direction: sell, hash });
    } catch (e) {
      log({ t: Date.now(), kind: 'public', slot, direction: sell, error: (e as Error).message });
    }
  }
}

async function main(): Promise<void> {
  const bundled = new Set<number>();
  const informed = new Set<number>();
  const orders = new Map<number, string[]>();
  let lastSealed = -1;
  while (!stopping) {
    try {
      const head = Number(await call<string>('eth_blockNumber', []));
      await call('eth_getBlockByNumber', ['latest', true]);
      if (head !== lastSealed) {
        lastSealed = head;
        log({ t: Date.now(), kind: 'sealed-seen', block: head });
        await call('sealane_getSlotResults', [q(head)]);
        await call('sealane_getSlotCommitments', [q(head)]);
      }
      await call('sealane_getMempoolInfo', []);
      for (const a of watch) await call('eth_getTransactionCount', [a, 'pending']);
      for (const slot of [head + 1, head + 2]) {
        await call('sealane_getSlotCommitments', [q(slot)]);
        const order = await call<{ count: string; commitments: string[] } | null>('sealane_getSlotOrder', [
          q(slot),
        ]);
        if (order) orders.set(slot, order.commitments);
        if (order && Number(order.count) > 0 && !informed.has(slot)) {
          informed.add(slot);
          log({
            t: Date.now(),
            kind: 'order-seen',
            slot,
            count: Number(order.count),
            commitments: order.commitments,
          });
          await sandwich(slot, 'A', 'informed');
          await sandwich(slot, 'B', 'informed');
          await publicTrades(slot);
        }
        if (!order && !bundled.has(slot)) {
          bundled.add(slot);
          await sandwich(slot, 'A', 'blind');
          await sandwich(slot, 'B', 'blind');
        }
      }
      for (const [slot, commitments] of orders) {
        if (slot < head) continue;
        for (const c of commitments) await call('sealane_getCommitmentStatus', [c]);
      }
      for (const b of myBundles.filter((x) => x.slot >= head))
        await call('sealane_getBundleStatus', [b.hash], true).catch(() => undefined);
    } catch (e) {
      log({ t: Date.now(), kind: 'obs', method: 'error', params: [], text: (e as Error).message });
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

void main().then(() => process.exit(0));
