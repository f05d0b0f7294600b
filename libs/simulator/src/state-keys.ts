/**
 * State keys of executed transactions, from the engine's prestateTracer, and the state
 * overrides that replay one transaction's effects for the next one.
 *
 * Keys are lowercase strings: `addr` for an account's balance, nonce or code, `addr:slot` for
 * one storage slot. Reads come from the tracer's plain mode (every account and slot the
 * transaction touched, which includes what it wrote); writes from its diff mode (what changed).
 * Pure: no I/O.
 */

/** One account as the prestateTracer reports it; nonce is a JSON number, the rest hex. */
export interface TracedAccount {
  balance?: string;
  nonce?: number;
  code?: string;
  storage?: Record<string, string>;
}
export type Prestate = Record<string, TracedAccount>;
/** Diff mode: `pre` holds only what changed, `post` the new values; a slot set to zero is left out of `post`. */
export interface PrestateDiff {
  pre: Prestate;
  post: Prestate;
}

/** eth_simulateV1 / debug_traceCall state override of one account. */
export interface AccountOverride {
  balance?: string;
  nonce?: string;
  code?: string;
  stateDiff?: Record<string, string>;
}
export type StateOverrides = Record<string, AccountOverride>;

const ZERO_WORD = '0x' + '0'.repeat(64);

/** Every account and slot the transaction touched, except `ignore` (the fee recipient). */
export function readKeys(trace: Prestate, ignore: string, into = new Set<string>()): Set<string> {
  for (const [a, acct] of Object.entries(trace)) {
    const addr = a.toLowerCase();
    if (addr === ignore) continue;
    into.add(addr);
    for (const slot of Object.keys(acct.storage ?? {})) into.add(`${addr}:${slot.toLowerCase()}`);
  }
  return into;
}

/**
 * What the transaction changed, except `ignore`: `addr` when its balance, nonce or code
 * changed, `addr:slot` for every slot whose value changed (including to zero).
 */
export function writeKeys(diff: PrestateDiff, ignore: string, into = new Set<string>()): Set<string> {
  for (const a of new Set([...Object.keys(diff.pre), ...Object.keys(diff.post)])) {
    const addr = a.toLowerCase();
    if (addr === ignore) continue;
    const post = diff.post[a];
    if (post && (post.balance !== undefined || post.nonce !== undefined || post.code !== undefined))
      into.add(addr);
    for (const slot of slotsOf(diff, a)) into.add(`${addr}:${slot.toLowerCase()}`);
  }
  return into;
}

function slotsOf(diff: PrestateDiff, a: string): Set<string> {
  return new Set([...Object.keys(diff.pre[a]?.storage ?? {}), ...Object.keys(diff.post[a]?.storage ?? {})]);
}

/**
 * Folds one transaction's diff into `overrides` (in place), so that a call run with them sees
 * the state after that transaction. A slot in `pre` but not in `post` became zero. An account
 * in `pre` but not in `post` only had slots zeroed: since Cancun an account can only vanish
 * (SELFDESTRUCT) in the transaction that created it, and then it is in neither.
 */
export function applyDiff(overrides: StateOverrides, diff: PrestateDiff): StateOverrides {
  for (const a of new Set([...Object.keys(diff.pre), ...Object.keys(diff.post)])) {
    const addr = a.toLowerCase();
    const o = (overrides[addr] ??= {});
    const post = diff.post[a];
    if (post?.balance !== undefined) o.balance = post.balance;
    if (post?.nonce !== undefined) o.nonce = '0x' + post.nonce.toString(16);
    if (post?.code !== undefined) o.code = post.code;
    for (const slot of slotsOf(diff, a)) {
      (o.stateDiff ??= {})[slot.toLowerCase()] = post?.storage?.[slot] ?? ZERO_WORD;
    }
  }
  return overrides;
}

/** A deep copy, so the state before a transaction can be kept while the chain moves on. */
export function cloneOverrides(o: StateOverrides): StateOverrides {
  const out: StateOverrides = {};
  for (const [a, v] of Object.entries(o))
    out[a] = { ...v, ...(v.stateDiff ? { stateDiff: { ...v.stateDiff } } : {}) };
  return out;
}
