/**
 * The plan phase: what goes into the slot's block, in order: the auction winners (never split),
 * the committed transactions, the public lane, then the refunds. The plan is submitted to the
 * engine; what the engine refuses is dropped or skipped with its reason and the block is
 * planned again, at most MAX_SUBMIT_ROUNDS times, after which the slot is sealed empty.
 */
import type { Wallet } from 'ethers';
import type { ParamsSnapshot } from '@sealane/params';
import type { BatchResult, L2Engine } from '@sealane/engine';
import { decodeTransaction, fromHex, keccak256, maxCost, toHex, type DecodedTx } from '@sealane/protocol';
import type { PoolEntry, PublicLane, StoredCommitment } from '@sealane/store';
import { simBundle, type BundleSimulatorPort, type SimContext } from '../ports';
import type { AuctionOutcome, AuctionWinner } from './clear';
import type { MempoolRunner, OpenedCommitment } from '../mempool.runner';
import { selectPublic, type AccountState, type Candidate, type Skip } from '../public-lane.select';
import { plannedAuction, type ChainIncluded, type PlannedTx, type SlotPlan } from './record';

export interface PlanLogger {
  error(msg: string): void;
}

/** What the plan phase reads and calls. */
export interface PlanDeps {
  builderId: string;
  blockGasLimit: bigint;
  /** Account reads and receipts on the parent state. */
  engine: L2Engine;
  lane: PublicLane;
  /** Leaves exactly `txs` in the engine's pool, in order; one answer per transaction. */
  submit(txs: PlannedTx[]): Promise<BatchResult[]>;
  /** Without it, blocks carry no auction winners and no refunds. */
  auction?: { simulator: BundleSimulatorPort; feeRecipient: Wallet; chainId: number };
  /** Opens the slot's commitments (takes the reveals: none is accepted after). */
  mempool?: Pick<MempoolRunner, 'open'>;
  logger: PlanLogger;
}

/** The slot being planned, as the close left it. */
export interface PlanInput {
  slot: number;
  startMs: number;
  /** The engine block the plan is made on. */
  parentHash: string;
  snap: ParamsSnapshot;
  ctx: SimContext;
  outcome?: AuctionOutcome;
  committed?: StoredCommitment[];
}

/** Extra lane entries read beyond the block's capacity, so nonce gaps do not starve a block. */
const PEEK_MARGIN = 1024;
const MAX_SUBMIT_ROUNDS = 4;
const REFUND_GAS = 21_000n;

/**
 * Committed transactions in committed order: each commitment's fee transaction (executed
 * whether or not the user revealed), then the transaction it hid if that opened and is valid
 * here. Nonces and balances carry over from the auction winners placed before them.
 */
function planCommitted(
  opened: OpenedCommitment[],
  accounts: Map<string, AccountState>,
  baseFee: bigint,
  refusedFee: Map<string, string>,
  refusedReveal: Map<string, string>,
): { txs: (PlannedTx & { gasLimit: bigint })[]; reasons: Map<string, string> } {
  const txs: (PlannedTx & { gasLimit: bigint })[] = [];
  const reasons = new Map<string, string>();
  const check = (tx: DecodedTx): string | null => {
    const acc = accounts.get(tx.from) ?? { nonce: 0, balance: 0n };
    if (tx.nonce !== acc.nonce) return `nonce ${tx.nonce} is not the sender's next nonce ${acc.nonce}`;
    if (tx.maxFeePerGas < baseFee)
      return `max fee per gas ${tx.maxFeePerGas} below the block base fee ${baseFee}`;
    if (maxCost(tx) > acc.balance)
      return `insufficient funds: balance ${acc.balance} < max cost ${maxCost(tx)}`;
    return null;
  };
  const take = (tx: DecodedTx): void => {
    const acc = accounts.get(tx.from) ?? { nonce: 0, balance: 0n };
    accounts.set(tx.from, { nonce: acc.nonce + 1, balance: acc.balance - maxCost(tx) });
  };
  for (const o of opened) {
    const c = o.commitment.commitment;
    const feeWhy = refusedFee.get(c) ?? check(o.fee);
    if (feeWhy) {
      reasons.set(c, `fee transaction not executable: ${feeWhy}`);
      continue;
    }
    take(o.fee);
    txs.push({
      hash: o.fee.hash,
      raw: o.feeRaw,
      from: o.fee.from,
      role: 'fee',
      commitment: c,
      gasLimit: o.fee.gasLimit,
    });
    if (!o.revealed) {
      reasons.set(c, o.reason ?? 'not revealed');
      continue;
    }
    const why = refusedReveal.get(c) ?? check(o.revealed.tx);
    if (why) {
      reasons.set(c, why);
      continue;
    }
    take(o.revealed.tx);
    const r = o.revealed.tx;
    txs.push({
      hash: r.hash,
      raw: o.revealed.raw,
      from: r.from,
      role: 'revealed',
      commitment: c,
      gasLimit: r.gasLimit,
    });
  }
  return { txs, reasons };
}

/** Plans the slot and leaves exactly the plan's transactions in the engine's pool. */
export async function planSlot(deps: PlanDeps, input: PlanInput): Promise<SlotPlan> {
  const { slot, startMs, parentHash, snap, ctx, outcome, committed } = input;
  const auction = deps.auction;
  const skipped: Skip[] = [];
  const dropped = new Map<string, string>();
  const entries = await deps.lane.peek(snap.values.publicLaneMaxTxs + PEEK_MARGIN);
  const allCandidates = candidates(entries, skipped);
  const sequencer = auction?.feeRecipient.address.toLowerCase();
  const winnerSenders = (outcome?.winners ?? []).flatMap((w) => w.bid.nonces.map((n) => n.sender));
  const senders = new Set([
    ...allCandidates.map((c) => c.from),
    ...winnerSenders,
    ...(sequencer ? [sequencer] : []),
  ]);
  // The reveals are taken once: none is accepted after this.
  const opened = committed && deps.mempool ? await deps.mempool.open(slot, committed) : [];
  for (const o of opened) senders.add(o.commitment.sender);
  const baseAccounts = await readAccounts(deps.engine, [...senders]);
  const chainIncluded = await alreadyIncluded(deps.engine, allCandidates, baseAccounts);
  /** Commitments whose transactions the engine refused: the fee (both out) or the revealed one. */
  const refusedFee = new Map<string, string>();
  const refusedReveal = new Map<string, string>();

  for (let round = 0; ; round++) {
    const live = outcome ? await winnersInPlace(deps, outcome.winners, ctx, dropped) : [];
    const accounts = new Map(baseAccounts);
    const bundleTx = new Map<string, string>();
    let bundleGas = 0n;
    const top: PlannedTx[] = [];
    for (const { winner, gasUsed } of live) {
      bundleGas += gasUsed;
      winner.bundle.txs.forEach((raw, i) => {
        const tx = decodeTransaction(fromHex(raw), { knownSender: winner.bundle.senders?.[i] });
        const acc = accounts.get(tx.from) ?? { nonce: 0, balance: 0n };
        accounts.set(tx.from, {
          nonce: Math.max(acc.nonce, tx.nonce + 1),
          balance: acc.balance - maxCost(tx),
        });
        bundleTx.set(winner.bundle.txHashes[i], winner.bid.bundleHash);
        top.push({
          hash: winner.bundle.txHashes[i],
          raw,
          from: tx.from,
          role: 'bundle',
          bundle: winner.bid.bundleHash,
        });
      });
    }
    // Committed transactions, in committed order: each fee transaction, then what it hid.
    const commitPlan = planCommitted(opened, accounts, ctx.baseFee, refusedFee, refusedReveal);
    for (const t of commitPlan.txs) bundleGas += t.gasLimit;
    const committedHashes = new Set(commitPlan.txs.map((t) => t.hash));
    const refunds = live.filter(({ winner }) => winner.refund > 0n);
    const selection = selectPublic(
      allCandidates.filter((c) => !bundleTx.has(c.hash) && !committedHashes.has(c.hash)),
      accounts,
      {
        gasBudget: deps.blockGasLimit - bundleGas - BigInt(refunds.length) * REFUND_GAS,
        baseFee: ctx.baseFee,
        maxTxs: snap.values.publicLaneMaxTxs,
      },
    );
    const refundTxs: PlannedTx[] = [];
    if (auction && sequencer) {
      let nonce =
        (baseAccounts.get(sequencer)?.nonce ?? 0) +
        selection.included.filter((c) => c.from === sequencer).length;
      for (const { winner } of refunds) {
        const raw = await auction.feeRecipient.signTransaction({
          type: 2,
          chainId: auction.chainId,
          nonce: nonce++,
          to: winner.bundle.searcher,
          value: winner.refund,
          gasLimit: REFUND_GAS,
          maxFeePerGas: ctx.baseFee * 2n + 1n,
          maxPriorityFeePerGas: 0n,
        });
        const hash = toHex(keccak256(fromHex(raw)));
        refundTxs.push({ hash, raw, from: sequencer, role: 'refund', refundFor: winner.bid.bundleHash });
      }
    }
    const txs: PlannedTx[] = [
      ...top,
      ...commitPlan.txs.map(({ gasLimit: _, ...t }) => t),
      ...selection.included.map((c): PlannedTx => ({
        hash: c.hash,
        raw: c.raw,
        from: c.from,
        role: 'public',
      })),
      ...refundTxs,
    ];

    const res = await deps.submit(txs);
    const rejectedPublic = new Set<string>();
    res.forEach((r, i) => {
      if (r.ok) return;
      const t = txs[i];
      const why = `rejected by the L2 engine: ${r.error.rpcMessage}`;
      if (t.role === 'bundle') dropped.set(t.bundle!, why);
      else if (t.role === 'fee') refusedFee.set(t.commitment!, why);
      else if (t.role === 'revealed') refusedReveal.set(t.commitment!, why);
      // A winner whose refund cannot be paid would pay more than its price: it goes instead.
      else if (t.role === 'refund') dropped.set(t.refundFor!, `its refund was ${why}`);
      else {
        rejectedPublic.add(t.hash);
        skipped.push({ hash: t.hash, from: t.from, reason: why });
      }
    });
    const rejectedBundle = res.some((r, i) => !r.ok && txs[i].role !== 'public');
    if (!rejectedBundle && rejectedPublic.size === 0) {
      skipped.push(...selection.skipped);
      return {
        slot,
        parentHash,
        startMs,
        paramsVersion: snap.version,
        builder: deps.builderId,
        txs,
        skipped,
        chainIncluded,
        commitments: opened.map((o) => ({
          commitment: o.commitment.commitment,
          feeTxHash: o.fee.hash,
          ...(o.revealed ? { txHash: o.revealed.tx.hash } : {}),
          ...((commitPlan.reasons.get(o.commitment.commitment) ?? o.reason) !== undefined
            ? { reason: commitPlan.reasons.get(o.commitment.commitment) ?? o.reason }
            : {}),
        })),
        ...(outcome
          ? {
              auction: plannedAuction(
                outcome,
                live.map((l) => l.winner),
                dropped,
                snap.version,
              ),
            }
          : {}),
      };
    }
    if (round + 1 === MAX_SUBMIT_ROUNDS) {
      // The engine keeps refusing what is planned: the last round seals the slot empty rather
      // than retry it for ever (a slot always seals). Public transactions wait for the next one.
      const why = `the L2 engine refused this block's transactions ${MAX_SUBMIT_ROUNDS} rounds in a row`;
      deps.logger.error(`slot ${slot}: ${why}; sealing it empty`);
      for (const w of outcome?.winners ?? [])
        if (!dropped.has(w.bid.bundleHash)) dropped.set(w.bid.bundleHash, why);
      for (const o of opened)
        if (!refusedFee.has(o.commitment.commitment)) refusedFee.set(o.commitment.commitment, why);
      allCandidates.length = 0;
      continue;
    }
    for (let i = allCandidates.length - 1; i >= 0; i--)
      if (rejectedPublic.has(allCandidates[i].hash)) allCandidates.splice(i, 1);
  }
}

function candidates(entries: PoolEntry[], skipped: Skip[]): Candidate[] {
  const out: Candidate[] = [];
  for (const e of entries) {
    try {
      const tx = decodeTransaction(fromHex(e.raw), { knownSender: e.from });
      out.push({
        hash: e.hash,
        from: e.from,
        raw: e.raw,
        nonce: tx.nonce,
        gasLimit: tx.gasLimit,
        maxFeePerGas: tx.maxFeePerGas,
        maxCost: maxCost(tx),
      });
    } catch (err) {
      skipped.push({ hash: e.hash, from: e.from, reason: `undecodable: ${(err as Error).message}` });
    }
  }
  return out;
}

async function readAccounts(engine: L2Engine, senders: string[]): Promise<Map<string, AccountState>> {
  const calls = senders.flatMap((a) => [
    ['eth_getTransactionCount', [a, 'latest']] as [string, unknown[]],
    ['eth_getBalance', [a, 'latest']] as [string, unknown[]],
  ]);
  const res = await engine.batch(calls);
  const out = new Map<string, AccountState>();
  senders.forEach((a, i) => {
    const n = res[2 * i];
    const b = res[2 * i + 1];
    if (!n.ok) throw n.error;
    if (!b.ok) throw b.error;
    out.set(a, { nonce: Number(n.result), balance: BigInt(b.result as string) });
  });
  return out;
}

/**
 * The auction winners still valid in their final order: each is re-simulated in place, and
 * one that now fails or pays less than its price is dropped (the rest are checked again).
 */
async function winnersInPlace(
  deps: PlanDeps,
  winners: AuctionWinner[],
  ctx: SimContext,
  dropped: Map<string, string>,
): Promise<{ winner: AuctionWinner; gasUsed: bigint }[]> {
  let live = winners.filter((w) => !dropped.has(w.bid.bundleHash));
  for (;;) {
    if (live.length === 0) return [];
    const sims = await deps.auction!.simulator.simulateSequence(
      live.map((w) => simBundle(w.bundle)),
      ctx,
    );
    const bad = live.findIndex((w, i) => !sims[i].ok || sims[i].coinbaseDiff < w.price);
    if (bad < 0) return live.map((winner, i) => ({ winner, gasUsed: sims[i].totalGasUsed }));
    const s = sims[bad];
    dropped.set(
      live[bad].bid.bundleHash,
      s.ok
        ? `pays ${s.coinbaseDiff} in place, less than its price ${live[bad].price}`
        : `fails in place: ${s.error ?? 'invalid'}`,
    );
    live = live.filter((_, i) => i !== bad);
  }
}

/**
 * Public transactions whose nonce the chain has already used and that the chain holds (a
 * raw transaction sent again after its inclusion): retired as included, never skipped.
 */
async function alreadyIncluded(
  engine: L2Engine,
  candidates: Candidate[],
  accounts: Map<string, AccountState>,
): Promise<ChainIncluded[]> {
  const stale = candidates.filter((c) => c.nonce < (accounts.get(c.from)?.nonce ?? 0));
  if (stale.length === 0) return [];
  const res = await engine.batch(stale.map((c) => ['eth_getTransactionReceipt', [c.hash]]));
  const out: ChainIncluded[] = [];
  res.forEach((r, i) => {
    const receipt = r.ok ? (r.result as { blockNumber?: string; transactionIndex?: string } | null) : null;
    if (!receipt?.blockNumber || receipt.transactionIndex === undefined) return;
    out.push({
      hash: stale[i].hash,
      from: stale[i].from,
      block: Number(receipt.blockNumber),
      index: Number(receipt.transactionIndex),
    });
  });
  const known = new Set(out.map((c) => c.hash));
  for (let i = candidates.length - 1; i >= 0; i--) if (known.has(candidates[i].hash)) candidates.splice(i, 1);
  return out;
}
