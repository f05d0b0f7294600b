/**
 * The public lane streamed into the engine while the slot is open: every few milliseconds the
 * lane is read again and what the plan will start with (selectPublic over the same account
 * book the plan uses) is appended to the engine's pool, so the seal sends, decodes and selects
 * only what arrived since. Only while nothing else waits for the top of the block (bundles,
 * commitments, forced transactions): those go first, and the engine orders its pool by arrival,
 * so a slot with any of them keeps the whole submission at the seal (EnginePool.submit).
 */
import { AccountBook } from '@sealane/protocol';
import type { ChainStore } from '@sealane/store';
import type { PlannedTx } from '../phases/record';
import type { SimContext } from '../ports';
import { selectPublic } from '../public-lane.select';
import type { EnginePool } from './engine-pool';
import type { PublicIntake } from './public-intake';

export interface StreamDeps {
  chain: Pick<ChainStore, 'topOfBlockWaiting'>;
  pool: EnginePool;
  blockGasLimit: bigint;
  /** Told of the transactions each look sent ahead. */
  onStreamed?: (n: number) => void;
}

/** Why a slot's stream stopped, for the debug log. */
export type StreamStop = 'top-of-block' | 'diverged' | 'refused';

export class SlotStream {
  private sent: PlannedTx[] = [];
  /** How many the last selection included (more than sent while maxSend holds some back). */
  private selected = 0;
  private stop: StreamStop | undefined;

  constructor(
    readonly intake: PublicIntake,
    private readonly deps: StreamDeps,
    /** The slot's block environment (its base fee prices what the stream selects). */
    readonly ctx: SimContext,
    private readonly maxTxs: number,
  ) {}

  get slot(): number {
    return this.intake.slot;
  }

  get stopped(): StreamStop | undefined {
    return this.stop;
  }

  /** Transactions sent ahead so far. */
  get streamed(): number {
    return this.sent.length;
  }

  /**
   * One look at the lane; sends the engine what the plan will start with, `maxSend` at most (so
   * that one look stays short next to the slot: the close must not wait for it).
   */
  async tick(maxSend = Number.MAX_SAFE_INTEGER): Promise<void> {
    if (this.stop) return;
    const top = await this.deps.chain.topOfBlockWaiting(this.slot);
    if (top.bundles || top.commitments || top.forced) return void (this.stop = 'top-of-block');
    await this.deps.pool.open(this.slot);
    const left = this.intake.left;
    const fresh = await this.intake.refresh();
    if (fresh === 0 && this.intake.left === left && this.sent.length >= this.selected) return;
    const { included } = selectPublic(
      this.intake.candidates,
      new AccountBook(this.intake.accounts, this.ctx.baseFee),
      { gasBudget: this.deps.blockGasLimit, maxTxs: this.maxTxs },
    );
    // The plan selects from the same lane with the same rules, so it extends what went before;
    // one that does not (a replaced transaction) ends the stream: the seal sends the block whole.
    if (included.length < this.sent.length || this.sent.some((t, i) => included[i].hash !== t.hash))
      return void (this.stop = 'diverged');
    const more = included
      .slice(this.sent.length, this.sent.length + maxSend)
      .map((c): PlannedTx => ({ hash: c.hash, raw: c.raw, from: c.from, role: 'public' }));
    this.selected = included.length;
    if (more.length === 0) return;
    const ok = await this.deps.pool.append(this.slot, more);
    this.sent.push(...more);
    this.deps.onStreamed?.(more.length);
    if (!ok) this.stop = 'refused';
  }
}
