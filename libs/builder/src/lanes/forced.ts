/**
 * The forced lane, first in the block: transactions forced through `Inbox.forceInclude` that
 * have arrived (the block's timestamp reaches their L1 timestamp), in queue order, each checked
 * against the account book and placed when it can execute. One that cannot waits for a later
 * slot until its deadline, where it is dropped with its code — exactly derivation's rule
 * (@sealane/derive forced.ts), which the replica checks against every posted block.
 */
import { checkForced, decodeForced, forcedDeadline, hasArrived, type ForcedRefusal } from '@sealane/derive';
import type { L2Engine } from '@sealane/engine';
import type { Account, AccountBook, DecodedTx } from '@sealane/protocol';
import type { ChainStore, ForcedEntry, ForcedOutcome, ForcedStore } from '@sealane/store';
import type { PlannedTx, SlotPlan } from '../phases/record';
import type { Lane, LanePlan } from './lane';

export interface ForcedLaneDeps {
  store: Pick<ForcedStore, 'pending' | 'setArrival'>;
  chain: Pick<ChainStore, 'blocks'>;
  engine: Pick<L2Engine, 'batch'>;
  chainId: bigint;
  blockGasLimit: bigint;
}

/** What the lane resolved in the slot: recorded once the slot's block is. */
export interface ForcedResolution {
  index: number;
  hash: string;
  deadline?: number;
  outcome: ForcedOutcome | { state: 'included-here' };
}

/** How many block records one step of the arrival search reads. */
const ARRIVAL_CHUNK = 32;

export class ForcedLane implements Lane {
  private entries: {
    e: ForcedEntry;
    tx?: DecodedTx;
    refusal?: Pick<ForcedRefusal, 'reason'> & { code: string };
  }[] = [];
  private resolutions: ForcedResolution[] = [];

  constructor(
    private readonly deps: ForcedLaneDeps,
    private readonly slot: number,
    /** The slot's block timestamp, seconds. */
    private readonly timestamp: number,
    /** The slot's forceInclusionDelaySlots (the delay of a transaction arriving now). */
    private readonly delaySlots: number,
  ) {}

  async prepare(): Promise<string[]> {
    const pending = await this.deps.store.pending();
    for (const e of pending.filter((p) => hasArrived(p, this.timestamp))) {
      if (e.arrival === undefined) await this.fixArrival(e);
      const d = decodeForced(Buffer.from(e.raw.slice(2), 'hex'), this.deps.chainId);
      this.entries.push(d.ok ? { e, tx: d.tx } : { e, refusal: d.refusal });
    }
    return this.entries.flatMap((x) => (x.tx ? [x.tx.from] : []));
  }

  /** A forced transaction whose nonce the chain already used and that the chain holds is included there. */
  async onParentState(parent: ReadonlyMap<string, Account>): Promise<void> {
    const stale = this.entries.filter((x) => x.tx && x.tx.nonce < (parent.get(x.tx.from)?.nonce ?? 0));
    if (stale.length === 0) return;
    const res = await this.deps.engine.batch(stale.map((x) => ['eth_getTransactionReceipt', [x.e.hash]]));
    res.forEach((r, i) => {
      const receipt = r.ok ? (r.result as { blockNumber?: string; transactionIndex?: string } | null) : null;
      if (!receipt?.blockNumber || receipt.transactionIndex === undefined) return;
      const { e } = stale[i];
      this.resolutions.push({
        index: e.index,
        hash: e.hash,
        outcome: {
          state: 'included',
          block: Number(receipt.blockNumber),
          txIndex: Number(receipt.transactionIndex),
        },
      });
      this.entries = this.entries.filter((x) => x.e.index !== e.index);
    });
  }

  async plan(book: AccountBook): Promise<LanePlan> {
    const txs: PlannedTx[] = [];
    let gas = 0n;
    for (const x of this.entries) {
      if (!x.tx) continue;
      const refusal =
        gas + x.tx.gasLimit > this.deps.blockGasLimit
          ? {
              code: 'gas-above-block-limit' as const,
              reason: 'no gas left in the block after the forced transactions before it',
            }
          : checkForced(x.tx, book, this.deps.blockGasLimit);
      if (refusal) {
        x.refusal = refusal;
        continue;
      }
      x.refusal = undefined;
      book.take(x.tx);
      gas += x.tx.gasLimit;
      txs.push({ hash: x.e.hash, raw: x.e.raw, from: x.tx.from, role: 'forced', forced: x.e.index });
    }
    return { txs, gas };
  }

  onRefused(tx: PlannedTx, reason: string): void {
    const x = this.entries.find((y) => y.e.hash === tx.hash);
    if (!x) return;
    x.tx = undefined;
    x.refusal = { code: 'engine-refused', reason: `refused by the L2 engine: ${reason}` };
  }

  record(plan: SlotPlan): void {
    const placed = new Set(plan.txs.filter((t) => t.role === 'forced').map((t) => t.hash));
    const out = [...this.resolutions];
    for (const { e, refusal } of this.entries) {
      if (placed.has(e.hash))
        out.push({ index: e.index, hash: e.hash, deadline: e.deadline, outcome: { state: 'included-here' } });
      else if (refusal && this.slot >= (e.deadline ?? this.slot))
        out.push({
          index: e.index,
          hash: e.hash,
          outcome: {
            state: 'dropped',
            block: this.slot,
            code: refusal.code,
            reason: refusal.reason,
            deadline: e.deadline,
          },
        });
    }
    if (out.length) plan.forced = out;
  }

  /**
   * Its arrival: the first block whose timestamp reaches its L1 timestamp. This slot's does, so
   * the arrival is this slot or, when the watcher saw the transaction late, a block before it:
   * found in the sealed block records, walking back.
   */
  private async fixArrival(e: ForcedEntry): Promise<void> {
    let arrival = this.slot;
    let delay = this.delaySlots;
    for (let top = this.slot - 1; top >= 1; top -= ARRIVAL_CHUNK) {
      const nums = Array.from({ length: Math.min(ARRIVAL_CHUNK, top) }, (_, i) => top - i);
      const records = await this.deps.chain.blocks(nums);
      const stop = records.findIndex((b) => !b || !hasArrived(e, b.timestamp));
      const reached = stop < 0 ? records : records.slice(0, stop);
      if (reached.length) {
        const first = reached[reached.length - 1]!;
        arrival = first.number;
        delay = first.forceInclusionDelaySlots;
      }
      if (stop >= 0) break;
    }
    e.arrival = arrival;
    e.deadline = forcedDeadline(arrival, delay);
    await this.deps.store.setArrival(e);
  }
}
