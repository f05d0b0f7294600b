/**
 * eth_subscribe as geth has it, without I/O: the subscription kinds and their parameters, geth's
 * log filter matching, and one connection's subscriptions with the notifications a sealed block
 * makes for each. A subscription made by a request stays pending (its notifications queued)
 * until that request's answer is sent, so a client never sees news of an id it does not know yet.
 */
import { randomBytes } from 'node:crypto';
import { RateLimitedError } from '@sealane/protocol';
import { address, hash32, invalidParams } from '@sealane/rpc';

export const SUBSCRIPTION_KINDS = ['newHeads', 'logs', 'sealane_slotResults'] as const;
export type SubscriptionKind = (typeof SUBSCRIPTION_KINDS)[number];

/** geth's bound on topic positions in a filter (LOG0..LOG4 give at most four). */
export const MAX_TOPICS = 4;
/** geth's bound on the addresses (and on each position's topics) of one filter. */
export const MAX_FILTER_ITEMS = 1000;
/** Notifications a pending subscription may queue before its connection is closed as stuck. */
export const MAX_PENDING_NOTIFICATIONS = 10_000;

/** A log as the engine answers eth_getLogs. */
export interface EthLog {
  address: string;
  topics: string[];
  [field: string]: unknown;
}

/** `null` where anything matches: no addresses given, or a wildcard position. */
export interface LogFilter {
  addresses: Set<string> | null;
  topics: (Set<string> | null)[];
}

export type SubscribeRequest =
  { kind: 'newHeads' | 'sealane_slotResults' } | { kind: 'logs'; filter: LogFilter };

/** What one sealed block brings: read once, then shared by every subscription of every socket. */
export interface BlockNews {
  number: number;
  /** The block header as geth's newHeads sends it. */
  header: Record<string, unknown>;
  logs: EthLog[];
  /** What sealane_getSlotResults answers for the block (null: none published, e.g. no auction). */
  results: unknown;
}

/** Parses eth_subscribe's params; each fault is an invalid-params error saying what is wrong. */
export function parseSubscribe(params: unknown[]): SubscribeRequest {
  const [kind, arg, ...rest] = params;
  if (typeof kind !== 'string' || !(SUBSCRIPTION_KINDS as readonly string[]).includes(kind))
    throw invalidParams(
      `unknown subscription kind ${JSON.stringify(kind)?.slice(0, 64)}: expected one of ${SUBSCRIPTION_KINDS.join(', ')}`,
    );
  if (kind === 'logs') {
    if (rest.length) throw invalidParams('logs takes one filter object, got more params');
    return { kind, filter: parseLogFilter(arg ?? {}) };
  }
  if (params.length > 1) throw invalidParams(`${kind} takes no params besides its name`);
  return { kind: kind as 'newHeads' | 'sealane_slotResults' };
}

/** `{ address?: string | string[], topics?: (string | string[] | null)[] }`, as geth reads it. */
export function parseLogFilter(v: unknown): LogFilter {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw invalidParams('logs filter must be an object { address?, topics? }');
  const o = v as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => k !== 'address' && k !== 'topics');
  if (unknown.length)
    throw invalidParams(
      `logs filter field ${JSON.stringify(unknown[0]).slice(0, 64)} is not supported: a subscription takes address and topics`,
    );
  return { addresses: addressesOf(o.address), topics: topicsOf(o.topics) };
}

function addressesOf(v: unknown): Set<string> | null {
  if (v === undefined || v === null) return null;
  const list = Array.isArray(v) ? v : [v];
  if (list.length > MAX_FILTER_ITEMS)
    throw invalidParams(`logs filter has ${list.length} addresses, at most ${MAX_FILTER_ITEMS}`);
  const out = list.map((a, i) => address(a, Array.isArray(v) ? `filter address[${i}]` : 'filter address'));
  return out.length ? new Set(out) : null;
}

function topicsOf(v: unknown): (Set<string> | null)[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidParams('filter topics must be an array of topic positions');
  if (v.length > MAX_TOPICS)
    throw invalidParams(`filter has ${v.length} topic positions, at most ${MAX_TOPICS}`);
  return v.map((pos: unknown, i) => {
    if (pos === null) return null;
    if (!Array.isArray(pos)) return new Set([hash32(pos, `filter topics[${i}]`)]);
    if (pos.length > MAX_FILTER_ITEMS)
      throw invalidParams(`filter topics[${i}] has ${pos.length} topics, at most ${MAX_FILTER_ITEMS}`);
    // As geth: a null among the alternatives makes the whole position a wildcard.
    if (pos.includes(null)) return null;
    const set = new Set(pos.map((t: unknown, j) => hash32(t, `filter topics[${i}][${j}]`)));
    return set.size ? set : null;
  });
}

/** geth's rule: the address is one of the filter's; each topic position matches (null: any), and
 *  a filter with more positions than the log has topics never matches. */
export function matchesLog(f: LogFilter, log: EthLog): boolean {
  if (f.addresses && !f.addresses.has(log.address.toLowerCase())) return false;
  if (f.topics.length > log.topics.length) return false;
  return f.topics.every((set, i) => set === null || set.has(log.topics[i].toLowerCase()));
}

/** The fields of a block that geth's header object has not (its body, its size). */
const BODY_FIELDS = ['transactions', 'uncles', 'withdrawals', 'size', 'totalDifficulty'];

/** The engine's block as a newHeads header: the block without its body. */
export function headerOf(block: Record<string, unknown>): Record<string, unknown> {
  const header = { ...block };
  for (const f of BODY_FIELDS) delete header[f];
  return header;
}

/** A block's news serialized once for every subscriber: each part is turned to JSON at most once. */
export class PreparedNews {
  private header?: string;
  private results?: string;
  private readonly logs: (string | undefined)[] = [];
  constructor(readonly news: BlockNews) {}
  headerJson(): string {
    return (this.header ??= JSON.stringify(this.news.header));
  }
  resultsJson(): string {
    return (this.results ??= JSON.stringify(this.news.results));
  }
  logJson(i: number): string {
    return (this.logs[i] ??= JSON.stringify({ ...this.news.logs[i], removed: false }));
  }
}

export interface Subscription {
  readonly id: string;
  readonly request: SubscribeRequest;
  active: boolean;
  /** Notifications made before the answer that named it was sent. */
  queue: string[];
}

const notification = (id: string, resultJson: string): string =>
  `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"${id}","result":${resultJson}}}`;

/** Every notification one sealed block makes for one subscription, in order. */
export function notificationsFor(s: Pick<Subscription, 'id' | 'request'>, p: PreparedNews): string[] {
  switch (s.request.kind) {
    case 'newHeads':
      return [notification(s.id, p.headerJson())];
    case 'sealane_slotResults':
      return p.news.results === null || p.news.results === undefined
        ? []
        : [notification(s.id, p.resultsJson())];
    case 'logs': {
      const out: string[] = [];
      const f = s.request.filter;
      p.news.logs.forEach((log, i) => {
        if (matchesLog(f, log)) out.push(notification(s.id, p.logJson(i)));
      });
      return out;
    }
  }
}

/** One connection's subscriptions. */
export class SubscriptionSet {
  private readonly subs = new Map<string, Subscription>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.subs.size;
  }

  /** A new pending subscription; refused past the per-connection bound. */
  add(request: SubscribeRequest): Subscription {
    if (this.subs.size >= this.max)
      throw new RateLimitedError(
        `too many subscriptions on this connection: at most ${this.max} (WS_MAX_SUBSCRIPTIONS); eth_unsubscribe one first`,
      );
    let id: string;
    do id = '0x' + randomBytes(16).toString('hex');
    while (this.subs.has(id));
    const s: Subscription = { id, request, active: false, queue: [] };
    this.subs.set(id, s);
    return s;
  }

  remove(id: string): boolean {
    return this.subs.delete(id.toLowerCase());
  }

  /** Makes the subscriptions live and answers what they queued meanwhile, in order. */
  activate(subs: readonly Subscription[]): string[] {
    const out: string[] = [];
    for (const s of subs) {
      if (s.active || this.subs.get(s.id) !== s) continue;
      s.active = true;
      out.push(...s.queue.splice(0));
    }
    return out;
  }

  /**
   * The notifications to send now for a sealed block; pending subscriptions queue theirs.
   * Answers null when a pending subscription has queued more than it may (the caller closes).
   */
  deliver(p: PreparedNews): string[] | null {
    const now: string[] = [];
    for (const s of this.subs.values()) {
      const msgs = notificationsFor(s, p);
      if (s.active) now.push(...msgs);
      else if (s.queue.push(...msgs) > MAX_PENDING_NOTIFICATIONS) return null;
    }
    return now;
  }

  clear(): void {
    this.subs.clear();
  }
}
