/**
 * The slot's trace: every public transaction skipped and every auction winner dropped while the
 * block is planned, each with a reason code and the human text. The codes travel through the
 * plan and the records to the store, so nothing downstream reads the text back.
 */
import type { DropCode, TxSkipCode } from '@sealane/store';

/** A reason: its code, and the text that says it with the numbers. */
export interface Traced<C extends string> {
  code: C;
  reason: string;
}

/** A public transaction retired as skipped. */
export interface Skip extends Traced<TxSkipCode> {
  hash: string;
  from: string;
}

/** The prefix of every engine refusal's text. */
export function refusedByEngine(rpcMessage: string): string {
  return `rejected by the L2 engine: ${rpcMessage}`;
}

export class SlotTrace {
  /** Public transactions skipped for the whole slot (undecodable, refused by the engine). */
  readonly skipped: Skip[] = [];
  /** Winners dropped, by bundle hash: none is planned again in this slot. */
  readonly dropped = new Map<string, Traced<DropCode>>();

  skip(tx: { hash: string; from: string }, code: TxSkipCode, reason: string): void {
    this.skipped.push({ hash: tx.hash, from: tx.from, reason, code });
  }

  drop(bundleHash: string, code: DropCode, reason: string): void {
    this.dropped.set(bundleHash, { code, reason });
  }
}
