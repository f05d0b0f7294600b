/**
 * Shared helpers for the benchmarks: signing many distinct transfers fast, timing, medians and
 * the result table. Benchmarks report figures; they never assert timings (see CONVENTIONS.md).
 */
import { computeAddress, getBytes, hexlify, Signature, Transaction } from 'ethers';
import { createHash } from 'node:crypto';
import { ecdsaSign, privateKeyVerify } from 'secp256k1';
import { DEV_KEYS } from '@sealane/config';
import { keccak256, toHex } from '@sealane/protocol';

export const L2_CHAIN_ID = 24225;
/** A recipient that is none of the senders, so every transfer is a plain value move. */
const RECIPIENT = '0x000000000000000000000000000000000000bEEF';

/** One row of the results: what results.json holds, plus a note for the printed table. */
export interface Row {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export interface SignedTransfer {
  raw: string;
  /** keccak256 of the raw bytes, lowercase 0x hex: what eth_sendRawTransaction answers. */
  hash: string;
  /** The unsigned hash the signature covers, and the signature: what sender recovery needs. */
  digest: Uint8Array;
  r: Uint8Array;
  s: Uint8Array;
  yParity: 0 | 1;
  /** Lowercase sender address. */
  from: string;
}

/**
 * Signs EIP-1559 transfers from anvil's dev accounts with sequential nonces, round-robin over the
 * senders so that arrival order interleaves them like real traffic. Signing goes through native
 * libsecp256k1: ethers' pure-JS curve code (about a millisecond per operation here, see the
 * recovery figures) would make pre-signing tens of thousands of transfers outlast the benchmarks.
 */
export class TransferSigner {
  private readonly keys: Uint8Array[];
  private readonly senders: string[];
  private readonly nonces: number[];
  private turn = 0;

  /** Key 0 is also the default sequencer key; leaving it out keeps its L2 nonce to Sealane. */
  constructor(keys: readonly string[] = DEV_KEYS.slice(1)) {
    this.keys = keys.map((k) => getBytes(k));
    this.senders = keys.map((k) => computeAddress(k).toLowerCase());
    this.nonces = keys.map(() => 0);
  }

  sign(count: number): SignedTransfer[] {
    const out: SignedTransfer[] = [];
    for (let i = 0; i < count; i++) {
      const who = this.turn++ % this.keys.length;
      out.push(this.signOne(who, this.nonces[who]++));
    }
    return out;
  }

  private signOne(who: number, nonce: number): SignedTransfer {
    const tx = Transaction.from({
      type: 2,
      chainId: L2_CHAIN_ID,
      nonce,
      to: RECIPIENT,
      value: 1000n + BigInt(nonce),
      gasLimit: 21_000n,
      maxFeePerGas: 100n * 10n ** 9n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
    const digest = getBytes(tx.unsignedHash);
    const { signature, recid } = ecdsaSign(digest, this.keys[who]);
    const r = signature.slice(0, 32);
    const s = signature.slice(32, 64);
    const yParity = recid as 0 | 1;
    tx.signature = Signature.from({ r: hexlify(r), s: hexlify(s), yParity });
    const raw = tx.serialized;
    return { raw, hash: toHex(keccak256(getBytes(raw))), digest, r, s, yParity, from: this.senders[who] };
  }
}

export const now = (): number => performance.now();

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile (p in 0..100); NaN for an empty list. */
export function percentile(xs: ArrayLike<number>, p: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/**
 * Calls `fn(i)` for consecutive i until at least `ms` have passed; returns operations per second.
 * The clock is read once per `chunk` calls so that reading it costs nothing next to the work.
 */
export function opsPerSecond(fn: (i: number) => void, ms: number, chunk = 64): number {
  let n = 0;
  const t0 = now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let j = 0; j < chunk; j++) fn(n++);
    elapsed = now() - t0;
  }
  return (n / elapsed) * 1000;
}

/** Wall time of one async step, in ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = now();
  const value = await fn();
  return { ms: now() - t0, value };
}

/** Accumulates wall time per label (phases of a seal, say) across calls. */
export class PhaseTimer {
  private readonly totals = new Map<string, number>();
  /** Calls being timed now, since when at least one has been, and that time added up. */
  private inFlight = 0;
  private since = 0;
  private waited = 0;

  async time<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const t0 = now();
    if (this.inFlight++ === 0) this.since = t0;
    try {
      return await fn();
    } finally {
      const t1 = now();
      this.add(label, t1 - t0);
      if (--this.inFlight === 0) this.waited += t1 - this.since;
    }
  }

  add(label: string, ms: number): void {
    this.totals.set(label, (this.totals.get(label) ?? 0) + ms);
  }

  /**
   * Totals since the last call, then starts again from zero. `waitedMs`: the time at least one
   * timed call was running (calls that overlap count once, so it can be less than the sum).
   */
  take(): { totals: Map<string, number>; waitedMs: number } {
    const out = { totals: new Map(this.totals), waitedMs: this.waited };
    this.totals.clear();
    this.waited = 0;
    return out;
  }
}

export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  // Counts print as they are; measures get about three significant digits.
  const digits = Number.isInteger(v) || Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The rows as an aligned text table: name, value, unit, note. */
export function formatTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => [r.name, formatValue(r.value), r.unit, r.note ?? '']);
  const head = ['benchmark', 'value', 'unit', 'notes'];
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => (c === 1 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** Prints a progress line on stderr, so stdout holds only the table. */
export function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

/**
 * Unfunded keys, the same every run: sha256("sealane bench <label> <i>"), skipping the rare hash
 * that is not a valid key. Intake checks signatures (and fees by value), not balances.
 */
export function derivedKeys(label: string, n: number): { key: Uint8Array; address: string }[] {
  const out: { key: Uint8Array; address: string }[] = [];
  for (let i = 0; out.length < n; i++) {
    const key = new Uint8Array(createHash('sha256').update(`sealane bench ${label} ${i}`).digest());
    if (!privateKeyVerify(key)) continue;
    out.push({ key, address: computeAddress(hexlify(key)) });
  }
  return out;
}
