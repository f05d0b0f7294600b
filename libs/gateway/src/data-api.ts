/**
 * The public data API's records, pure: the flat rows it answers, shaped from what the stores
 * hold of sealed slots (the queries and their window are in data-api.query.ts). Shaped after the
 * Flashbots relay data API: arrays of flat records, newest first, amounts as decimal strings of
 * wei, `cursor`/`limit` paging.
 */
import { tieBreakKey } from '@sealane/auction';
import { fromHex, toHex, type SlotTimes } from '@sealane/protocol';
import type { HistoryEntry } from '@sealane/governance';
import type {
  BundleStatus,
  CommitmentStatus,
  PostedBatch,
  SealedBlock,
  SlotResults,
  SlotWinner,
} from '@sealane/store';
import { bidLeafOf } from './searcher-api';

/** A slot's winner as its results record it, with the slot; refundTxHash null without a refund. */
export type WinnerRow = Omit<SlotWinner, 'refundTxHash'> & {
  slot: number;
  block: number;
  refundTxHash: string | null;
};

export function winnerRows(r: SlotResults): WinnerRow[] {
  return r.winners.map((w) => ({
    slot: r.slot,
    block: r.block,
    bundleHash: w.bundleHash,
    searcher: w.searcher,
    value: w.value,
    price: w.price,
    refund: w.refund,
    gasUsed: w.gasUsed,
    refundTxHash: w.refundTxHash ?? null,
    priceSetBy: w.priceSetBy,
  }));
}

/** Winners paid something back (refund > 0), of one searcher if given. */
export function refundRows(r: SlotResults, searcher?: string): WinnerRow[] {
  return winnerRows(r).filter(
    (w) => BigInt(w.refund) > 0n && (searcher === undefined || w.searcher.toLowerCase() === searcher),
  );
}

export interface BidRow {
  slot: number;
  block: number;
  bidsRoot: string;
  /** 1 = first by the slot's ranking rule (ties broken by the slot's seed). */
  rank: number;
  bundleHash: string;
  searcher: string;
  value: string;
  gasUsed: number;
  won: boolean;
  state: string;
  price: string | null;
  refund: string | null;
  receivedAt: number;
}

/**
 * Every bid counted in a slot (its leaf is in the slot's bids tree), ranked as the auction ranks:
 * value (or value per gas) descending, then keccak256(seed ‖ bundle hash) ascending. A bid that
 * failed simulation counts with value 0.
 */
export function bidRows(r: SlotResults, statuses: readonly (BundleStatus | null)[]): BidRow[] {
  const leaves = new Set(r.leaves.map((l) => l.toLowerCase()));
  const seen = new Set<string>();
  const counted = statuses.filter((s): s is BundleStatus => {
    if (!s || s.slot !== r.slot || seen.has(s.bundleHash)) return false;
    seen.add(s.bundleHash);
    return leaves.has(toHex(bidLeafOf(s)));
  });
  const seed = fromHex(r.seed);
  const perGas = r.rules.ranking === 'valuePerGas';
  const score = (a: BundleStatus, b: BundleStatus) =>
    BigInt(a.value ?? 0) * (perGas ? BigInt(Math.max(b.gasUsed ?? 0, 1)) : 1n);
  const keys = new Map(counted.map((s) => [s.bundleHash, toHex(tieBreakKey(seed, s.bundleHash))]));
  counted.sort((a, b) => {
    const x = score(a, b);
    const y = score(b, a);
    if (x !== y) return x > y ? -1 : 1;
    return keys.get(a.bundleHash)! < keys.get(b.bundleHash)! ? -1 : 1;
  });
  const winners = new Set(r.winners.map((w) => w.bundleHash));
  return counted.map((s, i) => ({
    slot: r.slot,
    block: r.block,
    bidsRoot: r.bidsRoot,
    rank: i + 1,
    bundleHash: s.bundleHash,
    searcher: s.searcher,
    value: s.value ?? '0',
    gasUsed: s.gasUsed ?? 0,
    won: winners.has(s.bundleHash),
    state: s.state,
    price: s.price ?? null,
    refund: s.refund ?? null,
    receivedAt: s.receivedAt,
  }));
}

export interface CommitmentRow {
  slot: number;
  position: number;
  commitment: string;
  sender: string;
  state: string;
  block: number | null;
  index: number | null;
  txHash: string | null;
  feeTxHash: string;
  reason: string | null;
  code: string | null;
}

/** A sealed slot's commitments in position order with their outcome (no ciphertext, no key). */
export function commitmentRows(
  slot: number,
  stored: readonly { commitment: string; sender: string; feeTxHash: string }[],
  statuses: readonly (CommitmentStatus | null)[],
): CommitmentRow[] {
  return stored.map((c, position) => {
    const s = statuses[position];
    return {
      slot,
      position,
      commitment: c.commitment,
      sender: c.sender,
      state: s?.state ?? 'unknown',
      block: s?.block ?? null,
      index: s?.index ?? null,
      txHash: s?.txHash ?? null,
      feeTxHash: s?.feeTxHash ?? c.feeTxHash,
      reason: s?.reason ?? null,
      code: s?.code ?? null,
    };
  });
}

export interface SlotRow {
  slot: number;
  block: number;
  hash: string;
  parentHash: string;
  timestamp: number;
  startMs: number;
  endMs: number;
  txs: number;
  gasUsed: number | null;
  gasLimit: number | null;
  paramsVersion: number;
  builder: string | null;
  bids: number;
  winners: number;
  /** The least price a winner paid (wei), null without winners. */
  clearingPrice: string | null;
  /** What the winners paid in all, and what they were refunded. */
  paid: string;
  refunded: string;
  bidsRoot: string;
  orderRoot: string;
  commitments: number;
  commitmentsIncluded: number;
  commitmentsSkipped: number;
  commitmentsExpired: number;
}

export function slotRow(
  b: SealedBlock,
  slotMs: number,
  results: SlotResults | null,
  commitments: readonly (CommitmentStatus | null)[],
  gas: { gasUsed: number; gasLimit: number } | null,
): SlotRow {
  const winners = results?.winners ?? [];
  const prices = winners.map((w) => BigInt(w.price));
  const sum = (xs: bigint[]) => xs.reduce((a, x) => a + x, 0n).toString();
  const count = (state: string) => commitments.filter((c) => c?.state === state).length;
  return {
    slot: b.number,
    block: b.number,
    hash: b.hash,
    parentHash: b.parentHash,
    timestamp: b.timestamp,
    startMs: b.startMs,
    endMs: b.startMs + slotMs,
    txs: b.txHashes.length,
    gasUsed: gas?.gasUsed ?? null,
    gasLimit: gas?.gasLimit ?? null,
    paramsVersion: b.paramsVersion,
    builder: b.builder ?? null,
    bids: results?.bids ?? 0,
    winners: winners.length,
    clearingPrice: prices.length ? prices.reduce((a, x) => (x < a ? x : a)).toString() : null,
    paid: sum(prices),
    refunded: sum(winners.map((w) => BigInt(w.refund))),
    bidsRoot: b.bidsRoot,
    orderRoot: b.orderRoot,
    commitments: commitments.length,
    commitmentsIncluded: count('included'),
    commitmentsSkipped: count('skipped'),
    commitmentsExpired: count('expired'),
  };
}

export interface BatchRow {
  seq: number;
  firstBlock: number;
  lastBlock: number;
  blocks: number;
  rawBytes: number;
  compressedBytes: number;
  /** rawBytes / compressedBytes, two decimals. */
  ratio: number | null;
  l1TxHash: string;
  l1Block: number;
  /** The L1 block's time (whole seconds, in ms), null when L1 could not be asked. */
  l1TimeMs: number | null;
  /** From the end of the batch's last L2 slot to its L1 block, null when unknown. */
  lagMs: number | null;
  dataHash: string;
}

export function batchRow(b: PostedBatch, l1TimeMs: number | null, lastSlotEndMs: number | null): BatchRow {
  return {
    seq: b.sequenceNumber,
    firstBlock: b.firstBlock,
    lastBlock: b.lastBlock,
    blocks: b.lastBlock - b.firstBlock + 1,
    rawBytes: b.rawBytes,
    compressedBytes: b.compressedBytes,
    ratio: b.compressedBytes > 0 ? Math.round((b.rawBytes / b.compressedBytes) * 100) / 100 : null,
    l1TxHash: b.l1TxHash,
    l1Block: b.l1BlockNumber,
    l1TimeMs,
    lagMs: l1TimeMs !== null && lastSlotEndMs !== null ? Math.max(0, l1TimeMs - lastSlotEndMs) : null,
    dataHash: b.dataHash,
  };
}

export type SlotPhase = 'open' | 'closed' | 'sealing';

/**
 * The open slot's phase: open until the builder closes its intake, then closed (clearing: the
 * auction is simulated and the reveals run) until its end, then sealing until it is recorded.
 */
export function phaseOf(times: SlotTimes, closed: boolean, nowMs: number): SlotPhase {
  if (!closed) return 'open';
  return nowMs < times.endMs ? 'closed' : 'sealing';
}

export interface HistoryRow {
  index: number;
  kind: HistoryEntry['kind'];
  proposalId: string;
  at: number;
  openSlot: number;
  activationSlot: number | null;
  version: number | null;
  changes: { name: string; from: number; to: number }[];
  nonce: number | null;
  signers: string[];
  cancelledStatus: string | null;
}

export function historyRow(index: number, e: HistoryEntry): HistoryRow {
  return {
    index,
    kind: e.kind,
    proposalId: e.proposalId,
    at: e.at,
    openSlot: e.openSlot,
    activationSlot: e.activationSlot ?? null,
    version: e.version ?? null,
    changes: e.changes ?? [],
    nonce: e.nonce ?? null,
    signers: e.signatures.map((s) => s.member),
    cancelledStatus: e.cancelled?.status ?? null,
  };
}
