/**
 * The committed lane, right after the auction winners: the mempool's own layout
 * (planCommittedLane: for each commitment in committed order its fee transaction, executed
 * whether or not the user revealed, then the transaction it hid if that opened with the fee
 * nonce + 1). The account book then decides: a fee transaction that cannot execute takes its
 * commitment out ('fee-failed'), a revealed one that cannot is skipped ('execution-rejected').
 */
import { planCommittedLane, type SkipReason } from '@sealane/mempool';
import type { DecodedTx, AccountBook } from '@sealane/protocol';
import type { StoredCommitment } from '@sealane/store';
import type { MempoolRunner, OpenedCommitment } from '../mempool.runner';
import type { PlannedCommitment, PlannedTx, SlotPlan } from '../phases/record';
import type { Traced } from '../trace';
import type { Lane, LanePlan } from './lane';

export class CommittedLane implements Lane {
  private opened: OpenedCommitment[] = [];
  /** Commitments whose transactions the engine refused: the fee (both out) or the revealed one. */
  private readonly refusedFee = new Map<string, string>();
  private readonly refusedReveal = new Map<string, string>();
  /** Each commitment's outcome in this round. */
  private outcomes: PlannedCommitment[] = [];

  constructor(
    private readonly slot: number,
    private readonly mempool: Pick<MempoolRunner, 'open'> | undefined,
    private readonly committed: StoredCommitment[] | undefined,
  ) {}

  /** Takes the reveals: none is accepted after this. */
  async prepare(): Promise<string[]> {
    this.opened = this.committed && this.mempool ? await this.mempool.open(this.slot, this.committed) : [];
    return this.opened.map((o) => o.commitment.sender);
  }

  async plan(book: AccountBook): Promise<LanePlan> {
    const layout = planCommittedLane(
      this.opened.map((o) => ({
        position: o.position,
        feeTx: o.fee,
        ...(o.opened ? { opened: o.opened } : {}),
      })),
    );
    const byPosition = new Map(this.opened.map((o) => [o.position, o]));
    const txs: PlannedTx[] = [];
    let gas = 0n;
    const place = (tx: DecodedTx, raw: string, role: 'fee' | 'revealed', commitment: string): void => {
      book.take(tx);
      txs.push({ hash: tx.hash, raw, from: tx.from, role, commitment });
      gas += tx.gasLimit;
    };
    this.outcomes = layout.placements.map((p) => {
      const o = byPosition.get(p.position)!;
      const c = o.commitment.commitment;
      // The hidden transaction, when it opened with the fee nonce + 1: what would include it.
      const hidden = p.txOffset === undefined ? undefined : o.revealed;
      const out: PlannedCommitment = {
        commitment: c,
        feeTxHash: o.fee.hash,
        ...(hidden ? { txHash: hidden.tx.hash } : {}),
      };
      const feeWhy = this.refusedFee.get(c) ?? book.check(o.fee)?.reason;
      if (feeWhy) return { ...out, ...skip('fee-failed', `fee transaction not executable: ${feeWhy}`) };
      place(o.fee, o.feeRaw, 'fee', c);
      if (!o.opened) return { ...out, reason: o.unkeyed ? `not revealed: ${o.unkeyed}` : 'not revealed' };
      if (!o.opened.ok) return { ...out, ...skip(o.opened.reason, `${o.opened.reason}: ${o.opened.detail}`) };
      if (!hidden) {
        const why = `nonce ${o.opened.tx.nonce} is not the fee transaction's nonce + 1 (${o.fee.nonce + 1})`;
        return { ...out, ...skip(p.skip ?? 'wrong-nonce', why) };
      }
      const why = this.refusedReveal.get(c) ?? book.check(hidden.tx)?.reason;
      if (why) return { ...out, ...skip('execution-rejected', why) };
      place(hidden.tx, hidden.raw, 'revealed', c);
      return out;
    });
    return { txs, gas };
  }

  onRefused(tx: PlannedTx, reason: string): void {
    (tx.role === 'fee' ? this.refusedFee : this.refusedReveal).set(tx.commitment!, reason);
  }

  giveUp(reason: string): void {
    for (const o of this.opened)
      if (!this.refusedFee.has(o.commitment.commitment)) this.refusedFee.set(o.commitment.commitment, reason);
  }

  record(plan: SlotPlan): void {
    plan.commitments = this.outcomes;
  }
}

function skip(code: SkipReason, reason: string): Traced<SkipReason> {
  return { code, reason };
}
