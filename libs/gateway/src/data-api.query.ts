/**
 * The public data API's queries: the parameters a route takes, checked with stable error codes,
 * and the window of slots a request reads, which never goes above the sealed head, so nothing of
 * an open or unsealed slot can be read through it.
 */
/** Most records one request answers. */
export const DATA_LIMIT_MAX = 200;
export const DATA_LIMIT_DEFAULT = 100;
/** Most slots one request of a sparse route (bids, winners, refunds, commitments) scans. */
export const DATA_SCAN_SLOTS = 1000;

export type DataErrorCode =
  'unknown-param' | 'bad-param' | 'bad-limit' | 'bad-range' | 'not-found' | 'unavailable';

/** A refused data request: an HTTP status and a body `{ code, message }`. */
export class DataApiError extends Error {
  override readonly name = 'DataApiError';
  constructor(
    readonly code: DataErrorCode,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The query parameters of one request, each given at most once; any other parameter is refused. */
export function readQuery<K extends string>(
  query: unknown,
  allowed: readonly K[],
): Partial<Record<K, string>> {
  const q = (query ?? {}) as Record<string, unknown>;
  const out: Partial<Record<K, string>> = {};
  for (const [name, v] of Object.entries(q)) {
    if (!(allowed as readonly string[]).includes(name))
      throw new DataApiError(
        'unknown-param',
        allowed.length
          ? `unknown parameter "${name}" (this route takes ${allowed.join(', ')})`
          : `unknown parameter "${name}" (this route takes none)`,
      );
    if (typeof v !== 'string') throw new DataApiError('bad-param', `${name} must be given once`);
    out[name as K] = v;
  }
  return out;
}

const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

/** A non-negative decimal integer (no sign, no leading zero, no hex), or undefined when absent. */
export function intParam(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!DECIMAL.test(v) || !Number.isSafeInteger(Number(v)))
    throw new DataApiError(
      'bad-param',
      `${name} must be a non-negative decimal integer, got "${v.slice(0, 40)}"`,
    );
  return Number(v);
}

export function limitParam(v: string | undefined): number {
  if (v === undefined) return DATA_LIMIT_DEFAULT;
  const n = intParam(v, 'limit')!;
  if (n < 1 || n > DATA_LIMIT_MAX)
    throw new DataApiError('bad-limit', `limit must be between 1 and ${DATA_LIMIT_MAX}, got ${n}`);
  return n;
}

export function addressParam(v: string | undefined, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (!/^0x[0-9a-fA-F]{40}$/.test(v))
    throw new DataApiError('bad-param', `${name} must be a 0x address of 20 bytes`);
  return v.toLowerCase();
}

export interface SlotQuery {
  slot?: string;
  cursor?: string;
  from?: string;
  to?: string;
}

/** Slots `hi` down to `lo`, newest first; empty when hi < lo. `floor` is the request's own lower bound. */
export interface SlotWindow {
  hi: number;
  lo: number;
  floor: number;
}

/**
 * The slots a request reads: `slot` alone, or from `cursor` (or `to`, the same thing: the newest
 * slot, inclusive) down to `from` (inclusive), never above the sealed head nor more than `scan`
 * slots. Slot 0 is the genesis block: nothing was auctioned in it.
 */
export function slotWindow(q: SlotQuery, head: number, scan: number): SlotWindow {
  const slot = intParam(q.slot, 'slot');
  const cursor = intParam(q.cursor, 'cursor');
  const from = intParam(q.from, 'from');
  const to = intParam(q.to, 'to');
  if (slot !== undefined) {
    if (cursor !== undefined || from !== undefined || to !== undefined)
      throw new DataApiError('bad-range', 'slot cannot be combined with cursor, from or to');
    return { hi: Math.min(slot, head), lo: Math.max(slot, 1), floor: Math.max(slot, 1) };
  }
  if (cursor !== undefined && to !== undefined)
    throw new DataApiError('bad-range', 'give cursor or to, not both (both name the newest slot)');
  const top = cursor ?? to;
  if (top !== undefined && from !== undefined && from > top)
    throw new DataApiError(
      'bad-range',
      `from (${from}) is above ${cursor !== undefined ? 'cursor' : 'to'} (${top})`,
    );
  const hi = Math.min(top ?? head, head);
  const floor = Math.max(from ?? 1, 1);
  return { hi, lo: Math.max(floor, hi - scan + 1), floor };
}

/** The slots of a window, newest first. */
export function slotsOf(w: Pick<SlotWindow, 'hi' | 'lo'>): number[] {
  const out: number[] = [];
  for (let s = w.hi; s >= w.lo; s--) out.push(s);
  return out;
}

/**
 * Records of consecutive slots (newest first) up to `limit`, a slot's records never split across
 * two pages (but a first slot with more than `limit` is cut at `limit`); `next` is the cursor of
 * the next page, or null when the window is done.
 */
export function page<T>(
  perSlot: readonly { slot: number; rows: readonly T[] }[],
  limit: number,
  floor: number,
): { rows: T[]; next: number | null } {
  const rows: T[] = [];
  let last: number | null = null;
  for (const { slot, rows: r } of perSlot) {
    if (rows.length > 0 && rows.length + r.length > limit) break;
    rows.push(...r.slice(0, limit - rows.length));
    last = slot;
    if (rows.length >= limit) break;
  }
  const end = last ?? perSlot[perSlot.length - 1]?.slot ?? null;
  return { rows, next: end !== null && end - 1 >= floor ? end - 1 : null };
}
