/**
 * Test fixtures for the lanes and the plan phase: signed transfers from the dev keys, auction
 * winners, opened commitments and an engine that answers account reads. No I/O.
 */
import { Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import { EngineRpcError, type BatchResult, type L2Engine } from '@sealane/engine';
import {
  decodeTransaction,
  fromHex,
  keccak256,
  toHex,
  type DecodedTx,
  type Account,
} from '@sealane/protocol';
import type { StoredBundle, StoredCommitment } from '@sealane/store';
import type { AuctionWinner } from '../phases/clear';
import type { BundleOutcome, BundleSimulatorPort, SimContext } from '../ports';
import type { OpenedCommitment } from '../mempool.runner';
import type { BundleInput } from '@sealane/simulator';

export const CHAIN_ID = 24225;
export const BASE_FEE = 7n;
export const RICH = 10n ** 18n;

export const addr = (key: number): string => new Wallet(DEV_KEYS[key]).address.toLowerCase();

export interface Signed {
  raw: string;
  tx: DecodedTx;
}

/** A transfer of `value` from dev key `key` with `nonce`. */
export async function transfer(
  key: number,
  nonce: number,
  opts: { value?: bigint; maxFeePerGas?: bigint } = {},
): Promise<Signed> {
  const raw = await new Wallet(DEV_KEYS[key]).signTransaction({
    type: 2,
    chainId: CHAIN_ID,
    nonce,
    to: addr(9),
    value: opts.value ?? 1n,
    gasLimit: 21_000n,
    maxFeePerGas: opts.maxFeePerGas ?? 10n ** 10n,
    maxPriorityFeePerGas: 1n,
  });
  return { raw, tx: decodeTransaction(fromHex(raw)) };
}

export const ctx: SimContext = {
  parentNumber: 4,
  number: 5,
  timestamp: 10,
  feeRecipient: addr(0),
  baseFee: BASE_FEE,
  gasLimit: 30_000_000n,
};

let n = 0;
/** A winner whose bundle is `txs`, paying `price` and refunded `refund`. */
export function winner(txs: Signed[], price = 10n, refund = 0n): AuctionWinner {
  const bundleHash = '0x' + (++n).toString(16).padStart(64, '0');
  const bundle = {
    bundleHash,
    searcher: addr(8),
    slot: 5,
    txs: txs.map((t) => t.raw),
    txHashes: txs.map((t) => t.tx.hash),
    senders: txs.map((t) => t.tx.from),
    revertingTxHashes: [],
    droppingTxHashes: [],
    receivedAt: n,
  } satisfies StoredBundle;
  const bid = {
    bundleHash,
    searcher: bundle.searcher,
    value: price + refund,
    gasUsed: 21_000n * BigInt(txs.length),
    txHashes: bundle.txHashes,
    reads: new Set<string>(),
    writes: new Set<string>(),
    nonces: txs.map((t) => ({ sender: t.tx.from, nonce: t.tx.nonce })),
    receivedAt: n,
  };
  return { bundle, bid, price, refund, priceSetBy: null };
}

/**
 * A simulator whose in-place answer for a bundle comes from `pays`, by its first raw transaction:
 * what it pays the fee recipient, or the error it fails with; a bundle not there pays 1 ether.
 */
export function simulator(pays: Map<string, bigint | string> = new Map()): BundleSimulatorPort {
  const first = (b: BundleInput): string => {
    const t = b.txs[0];
    const raw = t instanceof Uint8Array ? t : typeof t === 'string' ? t : t.raw;
    return typeof raw === 'string' ? raw : toHex(raw);
  };
  return {
    simulateMany: () => Promise.reject(new Error('not used')),
    accounts: () => Promise.reject(new Error('not used')),
    simulateSequence: async (bundles) =>
      bundles.map((b): BundleOutcome => {
        const p = pays.get(first(b)) ?? RICH;
        const gas = 21_000n * BigInt(b.txs.length);
        const base = { totalGasUsed: gas, reads: new Set<string>(), writes: new Set<string>() };
        return typeof p === 'string'
          ? { ...base, ok: false, error: p, coinbaseDiff: 0n }
          : { ...base, ok: true, coinbaseDiff: p };
      }),
  };
}

/** A commitment at `position` whose fee transaction is `fee`, opened as `opened` says (no key: unset). */
export function commitment(
  position: number,
  fee: Signed,
  opened?: { revealed: Signed } | { reason: 'decryption-failed' | 'wrong-sender'; detail: string },
): OpenedCommitment {
  const c: StoredCommitment = {
    commitment: toHex(keccak256(fromHex(fee.raw))),
    sender: fee.tx.from,
    slot: 5,
    ciphertext: '0x',
    feeTx: fee.raw,
    feeTxHash: fee.tx.hash,
    receivedAt: position,
  };
  const base = { commitment: c, position, fee: fee.tx, feeRaw: fee.raw };
  if (!opened) return base;
  if ('revealed' in opened)
    return { ...base, opened: { ok: true, tx: opened.revealed.tx }, revealed: opened.revealed };
  return { ...base, opened: { ok: false, ...opened } };
}

/** An engine that answers nonce and balance reads from `accounts` (others: 0) and no receipts. */
export function engine(accounts: Map<string, Account>): L2Engine {
  return {
    batch: async (calls: [string, unknown[]][]): Promise<BatchResult[]> =>
      calls.map(([method, params]) => {
        const acc = accounts.get(String(params[0]));
        if (method === 'eth_getTransactionCount')
          return { ok: true, result: '0x' + (acc?.nonce ?? 0).toString(16) };
        if (method === 'eth_getBalance')
          return { ok: true, result: '0x' + (acc?.balance ?? 0n).toString(16) };
        return { ok: true, result: null };
      }),
  } as unknown as L2Engine;
}

export function refusal(message: string): BatchResult {
  return { ok: false, error: new EngineRpcError('eth_sendRawTransaction', -32000, message) };
}
