/**
 * The L2 engine's transaction pool as the leading builder filled it for a slot. The stream
 * appends the public transactions it expects the plan to start with while the slot is open;
 * the submit phase then sends only what the pool lacks, when what it holds is a prefix of the
 * plan and the engine still holds exactly that many (anything else, a refusal, another slot, an
 * engine that restarted, drops the pool and sends the plan whole, as before). The order check
 * after the seal stays the last word.
 */
import { submitOrdered, ORDERED_SUBMIT_CHUNK, type BatchResult, type L2Engine } from '@sealane/engine';
import type { PlannedTx } from '../phases/record';

export type SubmitPath = 'prefilled' | 'whole';

export class EnginePool {
  private slot = -1;
  private held: string[] = [];
  private spoiled = false;
  /** The pool's size read ahead of a submit of `slot` (-1: the read failed). */
  private ahead?: { slot: number; pending: Promise<number> };

  constructor(
    private readonly engine: L2Engine,
    /** Told how each plan went in: on top of what the stream sent, or whole. */
    private readonly onSubmit?: (path: SubmitPath, sent: number) => void,
  ) {}

  /** What the pool holds for `slot`, in order (empty for any other slot). */
  heldFor(slot: number): readonly string[] {
    return slot === this.slot && !this.spoiled ? this.held : [];
  }

  /** Starts `slot` on an empty pool (one left by a slot that did not seal is dropped). */
  async open(slot: number): Promise<void> {
    if (this.slot === slot) return;
    await this.engine.dropAllTransactions();
    this.slot = slot;
    this.held = [];
    this.spoiled = false;
  }

  /** Appends `txs` after what the pool holds for the open slot; false if the engine refused one. */
  async append(slot: number, txs: readonly PlannedTx[]): Promise<boolean> {
    if (slot !== this.slot || this.spoiled) return false;
    if (txs.length === 0) return true;
    const res = await this.engine.batch(
      txs.map((t) => ['eth_sendRawTransaction', [t.raw]]),
      ORDERED_SUBMIT_CHUNK,
    );
    this.held.push(...txs.map((t) => t.hash));
    if (res.some((r) => !r.ok)) this.spoiled = true;
    return !this.spoiled;
  }

  /**
   * Starts reading the pool's size for the submit of `slot` that follows (when the stream
   * filled it): the read overlaps the plan instead of waiting in front of the submit. Nothing
   * else writes to the engine's pool in between: only the leader does, and its slot is closed.
   */
  lookAhead(slot: number): void {
    if (this.heldFor(slot).length === 0) return;
    this.ahead = { slot, pending: this.pending().catch(() => -1) };
  }

  /** Leaves exactly `txs` in the pool, in order; one answer per transaction. */
  async submit(slot: number, txs: readonly PlannedTx[]): Promise<BatchResult[]> {
    const held = this.heldFor(slot);
    const ahead = this.ahead?.slot === slot ? this.ahead.pending : undefined;
    this.ahead = undefined;
    if (held.length > 0 && held.length <= txs.length && held.every((h, i) => txs[i].hash === h)) {
      if ((await (ahead ?? this.pending())) === held.length) {
        const rest = txs.slice(held.length);
        const res = rest.length
          ? await this.engine.batch(
              rest.map((t) => ['eth_sendRawTransaction', [t.raw]]),
              ORDERED_SUBMIT_CHUNK,
            )
          : [];
        this.held.push(...rest.map((t) => t.hash));
        if (res.some((r) => !r.ok)) this.spoiled = true;
        this.onSubmit?.('prefilled', rest.length);
        return [...held.map((): BatchResult => ({ ok: true, result: null })), ...res];
      }
    }
    const res = await submitOrdered(
      this.engine,
      txs.map((t) => t.raw),
    );
    this.slot = slot;
    this.held = txs.map((t) => t.hash);
    this.spoiled = res.some((r) => !r.ok);
    // An empty slot sends nothing: it is no plan sent whole.
    if (txs.length > 0) this.onSubmit?.('whole', txs.length);
    return res;
  }

  /** The slot's block is mined: the pool is empty again. */
  mined(): void {
    this.ahead = undefined;
    this.slot = -1;
    this.held = [];
    this.spoiled = false;
  }

  /** Ready transactions in the engine's pool (anvil answers txpool_status as geth does). */
  private async pending(): Promise<number> {
    const s = await this.engine.call<{ pending: string }>('txpool_status');
    return Number(s.pending);
  }
}
