/**
 * Which public-lane transactions go into a block, in which order. Pure.
 * Arrival order, except that a sender's transactions go in nonce order: one that arrives
 * ahead of a missing nonce waits (stays in the lane) until the gap is filled.
 */
export interface Candidate {
  hash: string;
  from: string;
  raw: string;
  nonce: number;
  gasLimit: bigint;
  maxFeePerGas: bigint;
  /** gasLimit * maxFeePerGas + value: the most it can take from the sender. */
  maxCost: bigint;
}

export interface AccountState {
  nonce: number;
  balance: bigint;
}

export interface Skip {
  hash: string;
  from: string;
  reason: string;
}

export interface Selection {
  included: Candidate[];
  skipped: Skip[];
  /** Left in the lane for a later slot: block full, or waiting for a lower nonce. */
  deferred: Candidate[];
}

export interface SelectOptions {
  gasBudget: bigint;
  baseFee: bigint;
  maxTxs: number;
}

export function selectPublic(
  candidates: readonly Candidate[],
  accounts: ReadonlyMap<string, AccountState>,
  opts: SelectOptions,
): Selection {
  const included: Candidate[] = [];
  const skipped: Skip[] = [];
  const deferred: Candidate[] = [];
  const next = new Map<string, number>();
  const balance = new Map<string, bigint>();
  const waiting = new Map<string, Map<number, Candidate>>();
  let gasLeft = opts.gasBudget;
  let full = false;

  const skip = (c: Candidate, reason: string): void => {
    skipped.push({ hash: c.hash, from: c.from, reason });
  };

  const place = (c: Candidate): void => {
    const bal = balance.get(c.from) ?? accounts.get(c.from)?.balance ?? 0n;
    if (c.maxCost > bal) return skip(c, `insufficient funds: balance ${bal} < max cost ${c.maxCost}`);
    if (full || included.length >= opts.maxTxs || c.gasLimit > gasLeft) {
      full = true;
      deferred.push(c);
      return;
    }
    included.push(c);
    gasLeft -= c.gasLimit;
    balance.set(c.from, bal - c.maxCost);
    const n = c.nonce + 1;
    next.set(c.from, n);
    const w = waiting.get(c.from)?.get(n);
    if (w) {
      waiting.get(c.from)!.delete(n);
      place(w);
    }
  };

  for (const c of candidates) {
    const expected = next.get(c.from) ?? accounts.get(c.from)?.nonce ?? 0;
    if (c.nonce < expected) {
      skip(c, `nonce too low: next nonce is ${expected}, transaction has ${c.nonce}`);
    } else if (c.maxFeePerGas < opts.baseFee) {
      skip(c, `max fee per gas ${c.maxFeePerGas} below the block base fee ${opts.baseFee}`);
    } else if (c.nonce > expected || full) {
      if (full) deferred.push(c);
      else {
        let m = waiting.get(c.from);
        if (!m) waiting.set(c.from, (m = new Map()));
        if (m.has(c.nonce)) skip(c, `another transaction with nonce ${c.nonce} is already waiting`);
        else m.set(c.nonce, c);
      }
    } else {
      place(c);
    }
  }
  for (const m of waiting.values()) deferred.push(...m.values());
  return { included, skipped, deferred };
}
