/**
 * The plan phase: what goes into the slot's block, lane after lane over one account book: the
 * auction winners (never split), the committed transactions, the public lane, then the refunds.
 * The plan is submitted to the engine; each transaction the engine refuses goes back to the
 * lane that planned it (which drops or skips it with its reason) and the block is planned
 * again, at most MAX_SUBMIT_ROUNDS times, after which the slot is sealed empty.
 */
import type { Wallet } from 'ethers';
import type { ParamsSnapshot } from '@sealane/params';
import type { BatchResult, L2Engine } from '@sealane/engine';
import type { PublicLane as PublicLaneStore, StoredCommitment } from '@sealane/store';
import { AccountBook, type Account } from '@sealane/protocol';
import type { BundleSimulatorPort, SimContext } from '../ports';
import type { AuctionOutcome } from './clear';
import { CommittedLane } from '../lanes/committed';
import { ForcedLane, type ForcedLaneDeps } from '../lanes/forced';
import type { Lane } from '../lanes/lane';
import { MevLane } from '../lanes/mev';
import { PublicLane } from '../lanes/public';
import { RefundsLane } from '../lanes/refunds';
import type { MempoolRunner } from '../mempool.runner';
import type { PublicIntake } from '../intake/public-intake';
import { refusedByEngine, SlotTrace } from '../trace';
import type { PlannedTx, SlotPlan } from './record';

export interface PlanLogger {
  error(msg: string): void;
}

/** What the plan phase reads and calls. */
export interface PlanDeps {
  builderId: string;
  blockGasLimit: bigint;
  /** Account reads and receipts on the parent state. */
  engine: L2Engine;
  lane: PublicLaneStore;
  /** Leaves exactly `txs` in the engine's pool, in order; one answer per transaction. */
  submit(txs: PlannedTx[]): Promise<BatchResult[]>;
  /** Without it, blocks carry no auction winners and no refunds. */
  auction?: { simulator: BundleSimulatorPort; feeRecipient: Wallet; chainId: number };
  /** Transactions forced through the Inbox: without it, blocks carry none. */
  forced?: Omit<ForcedLaneDeps, 'blockGasLimit'>;
  /** Opens the slot's commitments (takes the reveals: none is accepted after). */
  mempool?: Pick<MempoolRunner, 'open'>;
  /** The slot's public lane as read while it was open, with its senders' parent accounts. */
  intake?: PublicIntake;
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
  /** Root of the commitment order published at the close. */
  orderRoot?: string;
}

const MAX_SUBMIT_ROUNDS = 4;

/** The block's lanes, in block order: a new lane is one line here. */
function lanesOf(deps: PlanDeps, input: PlanInput, trace: SlotTrace): Lane[] {
  const { auction } = deps;
  const mev = new MevLane(auction?.simulator, input.outcome, input.ctx, input.snap.version, trace);
  const forced = deps.forced
    ? [
        new ForcedLane(
          { ...deps.forced, blockGasLimit: deps.blockGasLimit },
          input.slot,
          input.ctx.timestamp,
          input.snap.values.forceInclusionDelaySlots,
        ),
      ]
    : [];
  return [
    ...forced,
    mev,
    new CommittedLane(input.slot, deps.mempool, input.committed),
    new PublicLane(deps.lane, deps.engine, input.snap.values.publicLaneMaxTxs, trace, deps.intake),
    new RefundsLane(mev, auction, input.ctx.baseFee, trace),
  ];
}

/** Plans the slot and leaves exactly the plan's transactions in the engine's pool. */
export async function planSlot(deps: PlanDeps, input: PlanInput): Promise<SlotPlan> {
  const { slot } = input;
  const trace = new SlotTrace();
  const lanes = lanesOf(deps, input, trace);
  const senders = new Set<string>();
  for (const lane of lanes) for (const s of (await lane.prepare?.()) ?? []) senders.add(s);
  // Accounts the intake read on the same parent block are not read again.
  const known = deps.intake?.accounts;
  const parent = await readAccounts(
    deps.engine,
    [...senders].filter((s) => !known?.has(s)),
  );
  if (known) for (const [a, acc] of known) if (senders.has(a)) parent.set(a, acc);
  for (const lane of lanes) await lane.onParentState?.(parent);

  for (let round = 0; ; round++) {
    const book = new AccountBook(parent, input.ctx.baseFee);
    const txs: PlannedTx[] = [];
    const plannedBy: Lane[] = [];
    let gas = 0n;
    for (const [i, lane] of lanes.entries()) {
      const reserved = lanes.slice(i + 1).reduce((sum, l) => sum + (l.reserve?.() ?? 0n), 0n);
      const p = await lane.plan(book, {
        gasLeft: deps.blockGasLimit - gas - reserved,
        placed: new Set(txs.map((t) => t.hash)),
      });
      gas += p.gas;
      for (const t of p.txs) {
        txs.push(t);
        plannedBy.push(lane);
      }
    }

    const res = await deps.submit(txs);
    let refused = false;
    res.forEach((r, i) => {
      if (r.ok) return;
      refused = true;
      plannedBy[i].onRefused(txs[i], refusedByEngine(r.error.rpcMessage));
    });
    if (!refused) {
      const plan: SlotPlan = {
        slot,
        parentHash: input.parentHash,
        startMs: input.startMs,
        paramsVersion: input.snap.version,
        builder: deps.builderId,
        txs,
        skipped: [...trace.skipped],
        chainIncluded: [],
        commitments: [],
        ...(input.orderRoot ? { orderRoot: input.orderRoot } : {}),
        forceInclusionDelaySlots: input.snap.values.forceInclusionDelaySlots,
      };
      for (const lane of lanes) lane.record?.(plan);
      return plan;
    }
    if (round + 1 === MAX_SUBMIT_ROUNDS) {
      // The engine keeps refusing what is planned: the last round seals the slot empty rather
      // than retry it for ever (a slot always seals). Public transactions wait for the next one.
      const why = `the L2 engine refused this block's transactions ${MAX_SUBMIT_ROUNDS} rounds in a row`;
      deps.logger.error(`slot ${slot}: ${why}; sealing it empty`);
      for (const lane of lanes) lane.giveUp?.(why);
    }
  }
}

export async function readAccounts(
  engine: Pick<L2Engine, 'batch'>,
  senders: string[],
): Promise<Map<string, Account>> {
  if (senders.length === 0) return new Map();
  const calls = senders.flatMap((a) => [
    ['eth_getTransactionCount', [a, 'latest']] as [string, unknown[]],
    ['eth_getBalance', [a, 'latest']] as [string, unknown[]],
  ]);
  const res = await engine.batch(calls);
  const out = new Map<string, Account>();
  senders.forEach((a, i) => {
    const n = res[2 * i];
    const b = res[2 * i + 1];
    if (!n.ok) throw n.error;
    if (!b.ok) throw b.error;
    out.set(a, { nonce: Number(n.result), balance: BigInt(b.result as string) });
  });
  return out;
}
