/**
 * The close's admission of bundles to simulation: the checks that cost no simulation (one
 * bundle per bundleHash, time window, committed fee transactions, the first transaction's
 * nonce, fee cap and funds on the parent state), and the order in which the admitted ones
 * spend the slot's simulation budget.
 */
import { tieBreakKey } from '@sealane/auction';
import { decodeTransaction, fromHex, toHex, type DecodedTx, checkAgainst } from '@sealane/protocol';
import type { StoredBundle } from '@sealane/store';
import type { BundleSimulatorPort, SimContext } from '../ports';

/**
 * Most transactions simulated at one slot's close. Each costs the engine one eth_simulateV1
 * position (plus ⌈log2 n⌉ prefix runs for a refused bundle of n, and two traces for a valid
 * one), so this bounds the close's work whatever searchers send: 4,000 is 40 bundles of 100
 * transactions, or a thousand small ones.
 */
export const SIMULATION_BUDGET_TXS = 4_000;

export interface ClearOptions {
  /**
   * The fee transactions of the slot's commitments, by hash, with their commitment: a bundle
   * carrying one would execute it on top of the block and so skip the transaction it pays for.
   */
  feeTxs?: ReadonlyMap<string, string>;
}

/** A bundle that passed the cheap checks and waits for its turn to be simulated. */
export interface SimulationCandidate {
  b: StoredBundle;
  /** Sender of the first transaction: the account the pre-check found funded. */
  payer: string;
}

/**
 * The earliest received bundle of each bundleHash. A copy (the same transactions under another
 * replacementUuid, or from another searcher) shares the original's status record and leaf, so
 * it simply takes no part: intake should have refused it.
 */
export function uniqueBundles(received: StoredBundle[]): StoredBundle[] {
  const first = new Map<string, StoredBundle>();
  for (const b of received) {
    const seen = first.get(b.bundleHash);
    if (!seen || b.receivedAt < seen.receivedAt) first.set(b.bundleHash, b);
  }
  return [...first.values()];
}

function withinTime(b: StoredBundle, timestamp: number): string | null {
  if (b.minTimestamp && timestamp < b.minTimestamp)
    return `block timestamp ${timestamp} is before minTimestamp ${b.minTimestamp}`;
  if (b.maxTimestamp && timestamp > b.maxTimestamp)
    return `block timestamp ${timestamp} is after maxTimestamp ${b.maxTimestamp}`;
  return null;
}

function carriesFeeTx(b: StoredBundle, feeTxs: ReadonlyMap<string, string> | undefined): string | null {
  if (!feeTxs || feeTxs.size === 0) return null;
  for (const h of b.txHashes) {
    const c = feeTxs.get(h.toLowerCase());
    if (c) return `carries ${h}, the fee transaction of commitment ${c}`;
  }
  return null;
}

export function decodeAll(b: StoredBundle): DecodedTx[] | string {
  const out: DecodedTx[] = [];
  for (let j = 0; j < b.txs.length; j++) {
    try {
      out.push(decodeTransaction(fromHex(b.txs[j]), { knownSender: b.senders?.[j] }));
    } catch (e) {
      return `transaction ${j} does not decode: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return out;
}

/**
 * The checks that cost no simulation: time window, committed fee transactions, and the
 * pre-check of each first transaction against the parent state (one batched read of nonce and
 * balance per distinct sender). A first transaction the searcher allowed to be dropped is not
 * checked: the simulation finds it and the bundle is tried without it.
 */
export async function admit(
  simulator: Pick<BundleSimulatorPort, 'accounts'>,
  bundles: StoredBundle[],
  ctx: SimContext,
  opts: ClearOptions,
  failed: Map<string, string>,
): Promise<SimulationCandidate[]> {
  const firsts: { b: StoredBundle; tx: DecodedTx }[] = [];
  for (const b of bundles) {
    const why = withinTime(b, ctx.timestamp) ?? carriesFeeTx(b, opts.feeTxs);
    if (why) {
      failed.set(b.bundleHash, why);
      continue;
    }
    try {
      if (b.txs.length === 0) throw new Error('no transactions');
      firsts.push({ b, tx: decodeTransaction(fromHex(b.txs[0]), { knownSender: b.senders?.[0] }) });
    } catch (e) {
      failed.set(
        b.bundleHash,
        `transaction 0 does not decode: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  const senders = [...new Set(firsts.map((f) => f.tx.from))];
  const accounts = senders.length ? await simulator.accounts(senders, ctx.parentNumber) : new Map();
  const out: SimulationCandidate[] = [];
  for (const { b, tx } of firsts) {
    const acc = accounts.get(tx.from);
    const why =
      acc && !b.droppingTxHashes.includes(b.txHashes[0]) ? checkAgainst(acc, tx, ctx.baseFee)?.reason : null;
    if (why) failed.set(b.bundleHash, `first transaction ${b.txHashes[0]} cannot execute: ${why}`);
    else out.push({ b, payer: tx.from });
  }
  return out;
}

/**
 * The order bundles are simulated in, so that the budget goes first where junk cannot crowd
 * out: round-robin over the first transaction's sender (the pre-check found it funded, so one
 * account is one turn however many searcher identities send its bundles), smaller bundles
 * first within a round (a bundle of 100 junk transfers costs 100 times a one-transaction
 * one), then a key from the slot's seed, drawn at the close, that nobody can aim for.
 */
export function simulationOrder(
  candidates: readonly SimulationCandidate[],
  seed: Uint8Array,
): StoredBundle[] {
  const keyed = candidates.map((c) => ({
    ...c,
    size: c.b.txs.length,
    key: toHex(tieBreakKey(seed, c.b.bundleHash)),
  }));
  const bySize = (x: (typeof keyed)[number], y: (typeof keyed)[number]) =>
    x.size - y.size || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
  const groups = new Map<string, typeof keyed>();
  for (const c of keyed) {
    const g = groups.get(c.payer);
    if (g) g.push(c);
    else groups.set(c.payer, [c]);
  }
  const queues = [...groups.values()].map((g) => g.sort(bySize));
  const out: StoredBundle[] = [];
  for (let round = 0; out.length < keyed.length; round++) {
    const turn = queues.filter((q) => q.length > round).map((q) => q[round]);
    out.push(...turn.sort(bySize).map((c) => c.b));
  }
  return out;
}
