/**
 * The public lane, after the committed one: the lane's transactions as selectPublic orders them
 * (arrival order, nonce order per sender, gaps wait, a full block defers the rest). One the chain
 * already holds is retired as included; one the engine refuses is skipped for the slot.
 */
import type { L2Engine } from '@sealane/engine';
import { decodeTransaction, fromHex, type Account, type AccountBook } from '@sealane/protocol';
import type { PublicLane as LaneStore } from '@sealane/store';
import type { ChainIncluded, PlannedTx, SlotPlan } from '../phases/record';
import { selectPublic, type Candidate } from '../public-lane.select';
import type { Skip, SlotTrace } from '../trace';
import type { PublicIntake } from '../intake/public-intake';
import type { Lane, LanePlan, Room } from './lane';

/** Extra lane entries read beyond the block's capacity, so nonce gaps do not starve a block. */
export const PEEK_MARGIN = 1024;

export class PublicLane implements Lane {
  private candidates: Candidate[] = [];
  private chainIncluded: ChainIncluded[] = [];
  /** This round's skips: the plan keeps those of the round the engine took. */
  private skipped: Skip[] = [];

  constructor(
    private readonly store: Pick<LaneStore, 'peek'>,
    private readonly engine: Pick<L2Engine, 'batch'>,
    private readonly maxTxs: number,
    private readonly trace: SlotTrace,
    /** The slot's lane as the builder read it while the slot was open (decoded once). */
    private readonly intake?: PublicIntake,
  ) {}

  async prepare(): Promise<string[]> {
    if (this.intake) {
      await this.intake.refresh();
      this.candidates = [...this.intake.candidates];
      for (const u of this.intake.undecodable) this.trace.skip(u, 'undecodable', u.reason);
      return this.candidates.map((c) => c.from);
    }
    for (const e of await this.store.peek(this.maxTxs + PEEK_MARGIN)) {
      try {
        const tx = decodeTransaction(fromHex(e.raw), { knownSender: e.from });
        const { nonce, gasLimit, maxFeePerGas, value } = tx;
        this.candidates.push({
          hash: e.hash,
          from: e.from,
          raw: e.raw,
          nonce,
          gasLimit,
          maxFeePerGas,
          value,
        });
      } catch (err) {
        this.trace.skip(e, 'undecodable', `undecodable: ${(err as Error).message}`);
      }
    }
    return this.candidates.map((c) => c.from);
  }

  /**
   * Transactions whose nonce the chain has already used and that the chain holds (a raw
   * transaction sent again after its inclusion): retired as included, never skipped.
   */
  async onParentState(parent: ReadonlyMap<string, Account>): Promise<void> {
    const stale = this.candidates.filter((c) => c.nonce < (parent.get(c.from)?.nonce ?? 0));
    if (stale.length === 0) return;
    const res = await this.engine.batch(stale.map((c) => ['eth_getTransactionReceipt', [c.hash]]));
    res.forEach((r, i) => {
      const receipt = r.ok ? (r.result as { blockNumber?: string; transactionIndex?: string } | null) : null;
      if (!receipt?.blockNumber || receipt.transactionIndex === undefined) return;
      this.chainIncluded.push({
        hash: stale[i].hash,
        from: stale[i].from,
        block: Number(receipt.blockNumber),
        index: Number(receipt.transactionIndex),
      });
    });
    const known = new Set(this.chainIncluded.map((c) => c.hash));
    this.candidates = this.candidates.filter((c) => !known.has(c.hash));
  }

  async plan(book: AccountBook, room: Room): Promise<LanePlan> {
    const selection = selectPublic(
      this.candidates.filter((c) => !room.placed.has(c.hash)),
      book,
      { gasBudget: room.gasLeft, maxTxs: this.maxTxs },
    );
    this.skipped = selection.skipped;
    const txs = selection.included.map((c): PlannedTx => ({
      hash: c.hash,
      raw: c.raw,
      from: c.from,
      role: 'public',
    }));
    return { txs, gas: selection.included.reduce((g, c) => g + c.gasLimit, 0n) };
  }

  onRefused(tx: PlannedTx, reason: string): void {
    this.trace.skip(tx, 'engine-refused', reason);
    this.candidates = this.candidates.filter((c) => c.hash !== tx.hash);
  }

  /** The transactions wait for the next slot. */
  giveUp(): void {
    this.candidates = [];
  }

  record(plan: SlotPlan): void {
    plan.skipped.push(...this.skipped);
    plan.chainIncluded = this.chainIncluded;
  }
}
