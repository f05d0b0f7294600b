/**
 * Which public-lane transactions go into a block, in which order. Pure, over the account book.
 * Arrival order, except that a sender's transactions go in nonce order: one that arrives
 * ahead of a missing nonce waits (stays in the lane) until the gap is filled.
 */
import type { AccountBook, BookTx } from '@sealane/protocol';
import type { Skip } from './trace';

export interface Candidate extends BookTx {
  hash: string;
  raw: string;
}

export interface Selection {
  included: Candidate[];
  skipped: Skip[];
  /** Left in the lane for a later slot: block full, or waiting for a lower nonce. */
  deferred: Candidate[];
}

export interface SelectOptions {
  gasBudget: bigint;
  maxTxs: number;
}

/** Selects from `candidates`, taking what it includes from `book`. */
export function selectPublic(
  candidates: readonly Candidate[],
  book: AccountBook,
  opts: SelectOptions,
): Selection {
  const included: Candidate[] = [];
  const skipped: Skip[] = [];
  const deferred: Candidate[] = [];
  const waiting = new Map<string, Map<number, Candidate>>();
  let gasLeft = opts.gasBudget;
  let full = false;

  const skip = (c: Candidate, code: Skip['code'], reason: string): void => {
    skipped.push({ hash: c.hash, from: c.from, reason, code });
  };

  // Its nonce is the sender's next and its fee cap was checked on arrival: only funds are left.
  const place = (c: Candidate): void => {
    const refused = book.check(c);
    if (refused) return skip(c, 'insufficient-funds', refused.reason);
    if (full || included.length >= opts.maxTxs || c.gasLimit > gasLeft) {
      full = true;
      deferred.push(c);
      return;
    }
    included.push(c);
    gasLeft -= c.gasLimit;
    book.take(c);
    const n = c.nonce + 1;
    const w = waiting.get(c.from)?.get(n);
    if (w) {
      waiting.get(c.from)!.delete(n);
      place(w);
    }
  };

  for (const c of candidates) {
    const refused = book.check(c);
    if (refused?.code === 'nonce-too-low' || refused?.code === 'fee-cap-below-base-fee') {
      skip(c, refused.code, refused.reason);
    } else if (refused?.code === 'nonce-gap' || full) {
      if (full) deferred.push(c);
      else {
        let m = waiting.get(c.from);
        if (!m) waiting.set(c.from, (m = new Map()));
        if (m.has(c.nonce))
          skip(c, 'duplicate-nonce', `another transaction with nonce ${c.nonce} is already waiting`);
        else m.set(c.nonce, c);
      }
    } else {
      place(c);
    }
  }
  for (const m of waiting.values()) deferred.push(...m.values());
  return { included, skipped, deferred };
}
