/**
 * A block's ordering evidence against what the sequencer published for its slot (its gateway's
 * public JSON-RPC): the roots a batch carries must be those of the published order and auction
 * results, the parameter version that of the slot, and the block must hold what they say where
 * they say it — forced transactions first, then the auction winners in allocation order (each
 * winner's transactions together), every refund, every committed fee transaction, and each
 * revealed transaction right after its fee transaction at its recorded index.
 *
 * What public data cannot show is left to `sealane audit` with the users' signed receipts: that
 * the published order is the one receipts promised, and the order signature itself.
 */
import { concat, keccak256, ZeroHash } from 'ethers';
import type { BatchBlock } from '@sealane/batch';

/** What the sequencer publishes of a slot (null where it has nothing). */
export interface SlotDataSource {
  order(slot: number): Promise<{ count: number; root: string } | null>;
  commitments(
    slot: number,
  ): Promise<{ feeTxHash: string; outcome: { status: string; index?: number; txHash?: string } | null }[]>;
  results(
    slot: number,
  ): Promise<{ bidsRoot: string; winners: { bundleHash: string; refundTxHash?: string }[] } | null>;
  params(slot: number): Promise<{ version: number; values: { forceInclusionDelaySlots: number } }>;
}

/** Most transactions in one bundle (Flashbots' limit): the longest run a winner can take. */
const MAX_BUNDLE_TXS = 100;

/**
 * The first broken evidence rule of `block`, or null. `txHashes` are the block's transaction
 * hashes in order; `forced` the hashes of transactions forced through the Inbox.
 */
export async function checkEvidence(
  block: BatchBlock,
  txHashes: readonly string[],
  forced: ReadonlySet<string>,
  src: SlotDataSource,
): Promise<string | null> {
  const n = block.number;
  const e = block.evidence;
  const [order, commitments, results, params] = await Promise.all([
    src.order(n),
    src.commitments(n),
    src.results(n),
    src.params(n),
  ]);
  if (params.version !== e.paramsVersion)
    return `evidence says parameters version ${e.paramsVersion}, the slot ran under version ${params.version}`;
  if (params.values.forceInclusionDelaySlots !== e.forceInclusionDelaySlots)
    return `evidence says forceInclusionDelaySlots ${e.forceInclusionDelaySlots}, the slot's parameters say ${params.values.forceInclusionDelaySlots}`;

  const published = order && order.count > 0 ? order.root.toLowerCase() : ZeroHash;
  if (published !== e.orderRoot)
    return `evidence order root ${e.orderRoot} is not the published order's ${published}`;
  const bidsRoot = results ? results.bidsRoot.toLowerCase() : ZeroHash;
  if (bidsRoot !== e.bidsRoot)
    return `evidence bids root ${e.bidsRoot} is not the published results' ${bidsRoot}`;

  let at = 0;
  while (at < txHashes.length && forced.has(txHashes[at])) at++;
  for (const w of results?.winners ?? []) {
    const len = bundleAt(txHashes, at, w.bundleHash.toLowerCase());
    if (len === 0)
      return `auction winner ${w.bundleHash} is not next in the block (at index ${at}) in allocation order`;
    at += len;
  }
  const index = new Map(txHashes.map((h, i) => [h, i]));
  for (const w of results?.winners ?? []) {
    if (w.refundTxHash && !index.has(w.refundTxHash.toLowerCase()))
      return `the refund ${w.refundTxHash} of winner ${w.bundleHash} is not in the block`;
  }
  let last = -1;
  for (const c of commitments) {
    const fee = index.get(c.feeTxHash.toLowerCase());
    if (fee === undefined)
      return `the fee transaction ${c.feeTxHash} of a committed position is not in the block`;
    if (c.outcome?.status !== 'included') continue;
    const i = c.outcome.index!;
    if (txHashes[i] !== c.outcome.txHash?.toLowerCase())
      return `committed transaction ${c.outcome.txHash} is not at its recorded index ${i}`;
    if (fee !== i - 1) return `committed transaction ${c.outcome.txHash} does not follow its fee transaction`;
    if (i < last) return `committed transaction ${c.outcome.txHash} stands before an earlier position's`;
    last = i;
  }
  return null;
}

/** How many transactions from `at` make up the bundle `bundleHash` (0: none does). */
function bundleAt(txHashes: readonly string[], at: number, bundleHash: string): number {
  for (let len = 1; len <= MAX_BUNDLE_TXS && at + len <= txHashes.length; len++) {
    if (keccak256(concat(txHashes.slice(at, at + len))) === bundleHash) return len;
  }
  return 0;
}

/** The sequencer's published slot data over its gateway's JSON-RPC. */
export function rpcSlotData(gatewayUrl: string): SlotDataSource {
  let id = 0;
  const call = async <T>(method: string, params: unknown[]): Promise<T> => {
    const res = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
    });
    const j = (await res.json()) as { result?: T; error?: { message: string } };
    if (j.error) throw new Error(`${method}: ${j.error.message}`);
    return j.result as T;
  };
  const q = (n: number) => '0x' + n.toString(16);
  return {
    order: async (slot) => {
      const o = await call<{ count: string; root: string } | null>('sealane_getSlotOrder', [q(slot)]);
      return o ? { count: Number(o.count), root: o.root } : null;
    },
    commitments: async (slot) => {
      const r = await call<{ commitments: Awaited<ReturnType<SlotDataSource['commitments']>> } | null>(
        'sealane_getSlotCommitments',
        [q(slot)],
      );
      return r?.commitments ?? [];
    },
    results: (slot) => call('sealane_getSlotResults', [q(slot)]),
    params: (slot) => call('sealane_getParamsAt', [q(slot)]),
  };
}
