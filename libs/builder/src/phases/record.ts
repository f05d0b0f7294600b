/**
 * The record phase of a slot: one pure function from the slot's plan and the block the engine
 * sealed to every record the slot leaves (block, transaction statuses, bundle states, auction
 * results, commitment outcomes), and one fenced Lua call that writes them all or nothing.
 *
 * The plan is written before the block is mined, so whoever finds the block sealed (the leader
 * itself, or a standby after the leader died) records exactly the same thing: the slot's
 * bookkeeping is one idempotent step any builder can finish. Outcomes follow what the block
 * holds, not what the plan intended, so a block that departs from its plan is still recorded
 * truthfully.
 */
import { decodeTransaction, fromHex, toHex } from '@sealane/protocol';
import type { SkipReason } from '@sealane/mempool';
import type { DropCode, SealedBlock, SlotRecord, SlotResults, SlotWinner, TxSkipCode } from '@sealane/store';
import type { AuctionOutcome, AuctionWinner } from './clear';
import type { Skip } from '../trace';
import type { ForcedResolution } from '../lanes/forced';

/** What a planned transaction is in its block. */
export type PlannedRole = 'forced' | 'bundle' | 'fee' | 'revealed' | 'public' | 'refund';

export interface PlannedTx {
  hash: string;
  raw: string;
  from: string;
  role: PlannedRole;
  /** The winning bundle a 'bundle' transaction belongs to. */
  bundle?: string;
  /** The commitment a 'fee' or 'revealed' transaction belongs to. */
  commitment?: string;
  /** The bundle a 'refund' pays back. */
  refundFor?: string;
  /** The Inbox queue index of a 'forced' transaction. */
  forced?: number;
}

/** A commitment of the slot: what would make it included, and why it is not otherwise. */
export interface PlannedCommitment {
  commitment: string;
  feeTxHash: string;
  /** The transaction it hid, when that opened to a usable transaction. */
  txHash?: string;
  /** Why it is not included if it is not (a skip reason, or 'not revealed'). */
  reason?: string;
  /** The skip reason's code (none for 'not revealed'). */
  code?: SkipReason;
}

/** The auction's outcome as it will be published; winners are those placed in the block. */
export interface PlannedAuction {
  paramsVersion: number;
  rules: SlotResults['rules'];
  seed: string;
  bids: number;
  bidsRoot: string;
  leaves: string[];
  winners: (Omit<SlotWinner, 'refundTxHash'> & { txHashes: string[] })[];
  dropped: { bundleHash: string; reason: string; code?: DropCode }[];
}

/** A public transaction the chain already holds (re-sent after its inclusion). */
export interface ChainIncluded {
  hash: string;
  from: string;
  block: number;
  index: number;
}

/** A skip as the plan keeps it: a plan stored by an older version has no codes. */
export type PlannedSkip = Omit<Skip, 'code'> & { code?: TxSkipCode };

export interface SlotPlan {
  slot: number;
  /** The engine block the plan was made on: a plan is valid on that parent only. */
  parentHash: string;
  /** Slot start in ms: the block timestamp is its second. */
  startMs: number;
  paramsVersion: number;
  builder: string;
  /** The block's transactions in order. */
  txs: PlannedTx[];
  /** Public transactions retired as skipped, with the reason. */
  skipped: PlannedSkip[];
  /** Public transactions retired as included earlier. */
  chainIncluded: ChainIncluded[];
  auction?: PlannedAuction;
  commitments: PlannedCommitment[];
  /** Root of the commitment order published at the close, when the slot had a committed lane. */
  orderRoot?: string;
  /** forceInclusionDelaySlots in force at the slot (absent in plans of older versions). */
  forceInclusionDelaySlots?: number;
  /** Forced transactions the slot resolves (lanes/forced.ts), written once the slot is recorded. */
  forced?: ForcedResolution[];
}

/**
 * A plan as stored before its mine: the public transactions without their raw bodies, which
 * wait in the public lane until the record retires them (they were over half the plan's bytes).
 */
export type StoredPlan = Omit<SlotPlan, 'txs'> & { txs: (Omit<PlannedTx, 'raw'> & { raw?: string })[] };

/** The plan as stored: public transactions by hash only. */
export function storedPlan(plan: SlotPlan): StoredPlan {
  return { ...plan, txs: plan.txs.map((t) => (t.role === 'public' ? { ...t, raw: undefined } : t)) };
}

/** Bundles and commitments of a slot sealed without a plan: they get a final state too. */
export interface Orphans {
  bundles: string[];
  commitments: string[];
  reason: string;
}

/**
 * Every record of a sealed slot. `block` is the block as sealed (its raw transactions from the
 * plan or the engine); `plan` is null for a block sealed by something other than a builder.
 */
export function recordOf(plan: StoredPlan | null, block: SealedBlock, orphans?: Orphans): SlotRecord {
  const n = block.number;
  const index = new Map(block.txHashes.map((h, i) => [h, i]));
  const planned = new Map((plan?.txs ?? []).map((t) => [t.hash, t]));
  const txs: SlotRecord['txs'] = block.txHashes.map((hash, i) => ({
    hash,
    from: planned.get(hash)?.from ?? decodeTransaction(fromHex(block.txs[i])).from,
    status: { status: 'included', block: n, index: i },
  }));
  for (const c of plan?.chainIncluded ?? [])
    if (!index.has(c.hash))
      txs.push({
        hash: c.hash,
        from: c.from,
        status: { status: 'included', block: c.block, index: c.index },
      });
  for (const s of plan?.skipped ?? [])
    if (!index.has(s.hash))
      txs.push({
        hash: s.hash,
        from: s.from,
        status: { status: 'skipped', slot: n, reason: s.reason, ...(s.code ? { code: s.code } : {}) },
      });

  const bundles: SlotRecord['bundles'] = [];
  const commitments: SlotRecord['commitments'] = [];
  let results: SlotResults | null = null;
  const a = plan?.auction;
  if (a) {
    const refundTx = new Map(
      (plan?.txs ?? [])
        .filter((t) => t.role === 'refund' && index.has(t.hash))
        .map((t) => [t.refundFor!, t.hash]),
    );
    const winners: SlotWinner[] = [];
    const dropped: PlannedAuction['dropped'] = [...a.dropped];
    for (const w of a.winners) {
      const { txHashes, ...winner } = w;
      if (txHashes.every((h) => index.has(h))) {
        const refundTxHash = refundTx.get(w.bundleHash);
        winners.push({ ...winner, ...(refundTxHash ? { refundTxHash } : {}) });
        bundles.push({
          bundleHash: w.bundleHash,
          patch: { state: 'included', block: n, ...(refundTxHash ? { refundTxHash } : {}) },
        });
      } else {
        dropped.push({ bundleHash: w.bundleHash, reason: `not in sealed block ${n}` });
      }
    }
    for (const d of dropped)
      bundles.push({
        bundleHash: d.bundleHash,
        patch: { state: 'dropped', block: n, reason: d.reason, ...(d.code ? { code: d.code } : {}) },
      });
    results = {
      slot: n,
      block: n,
      paramsVersion: a.paramsVersion,
      rules: a.rules,
      seed: a.seed,
      bids: a.bids,
      bidsRoot: a.bidsRoot,
      leaves: a.leaves,
      winners,
      // The published results keep each drop's text; its code is in the bundle's status.
      dropped: dropped.map((d) => ({ bundleHash: d.bundleHash, reason: d.reason })),
    };
  }
  for (const c of plan?.commitments ?? []) {
    const feeTxIndex = index.get(c.feeTxHash);
    const fee = feeTxIndex === undefined ? {} : { feeTxHash: c.feeTxHash, feeTxIndex };
    const i = c.txHash === undefined ? undefined : index.get(c.txHash);
    if (c.txHash !== undefined && i !== undefined) {
      commitments.push({
        commitment: c.commitment,
        patch: { state: 'included', block: n, index: i, txHash: c.txHash, ...fee },
      });
      continue;
    }
    const reason = c.reason ?? 'not included';
    // Never revealed: by its user, or (sealed to the slot) by the keypers' slot key.
    const expired = c.txHash === undefined && reason.startsWith('not revealed');
    commitments.push({
      commitment: c.commitment,
      patch: {
        state: expired ? 'expired' : 'skipped',
        block: n,
        reason,
        ...(c.code ? { code: c.code } : {}),
        ...fee,
      },
    });
  }
  for (const h of orphans?.bundles ?? [])
    bundles.push({ bundleHash: h, patch: { state: 'dropped', block: n, reason: orphans!.reason } });
  for (const c of orphans?.commitments ?? [])
    commitments.push({ commitment: c, patch: { state: 'skipped', block: n, reason: orphans!.reason } });
  return { block, txs, bundles, commitments, results };
}

/** The auction's outcome as the plan keeps it: `placed` are the winners put in the block. */
export function plannedAuction(
  outcome: AuctionOutcome,
  placed: AuctionWinner[],
  dropped: ReadonlyMap<string, { reason: string; code?: DropCode }>,
  paramsVersion: number,
): PlannedAuction {
  return {
    paramsVersion,
    rules: {
      pricing: outcome.rules.pricing,
      ranking: outcome.rules.ranking,
      reservePrice: outcome.rules.reservePrice.toString(),
      gasBudget: Number(outcome.rules.gasBudget),
    },
    seed: toHex(outcome.seed),
    bids: outcome.bids,
    bidsRoot: outcome.bidsRoot,
    leaves: outcome.leaves,
    winners: placed.map((w) => ({
      bundleHash: w.bid.bundleHash,
      searcher: w.bid.searcher,
      value: w.bid.value.toString(),
      price: w.price.toString(),
      refund: w.refund.toString(),
      gasUsed: Number(w.bid.gasUsed),
      priceSetBy: w.priceSetBy,
      txHashes: w.bundle.txHashes,
    })),
    dropped: [...dropped].map(([bundleHash, d]) => ({
      bundleHash,
      reason: d.reason,
      ...(d.code ? { code: d.code } : {}),
    })),
  };
}

/** Whether the sealed block holds exactly the plan's transactions in the plan's order. */
export function matchesPlan(plan: StoredPlan, block: Pick<SealedBlock, 'txHashes'>): boolean {
  return plan.txs.length === block.txHashes.length && plan.txs.every((t, i) => t.hash === block.txHashes[i]);
}
