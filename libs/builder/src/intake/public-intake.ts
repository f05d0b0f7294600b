/**
 * The public lane of one slot as the builder has read it so far: each waiting transaction
 * decoded once, in arrival order, with its sender's account on the parent state read once.
 * Refreshed while the slot is open (the stream) and once more when the block is planned, each
 * time reading only the lane's order (hashes) and the bodies of what is new; a transaction that
 * left the lane meanwhile (replaced by a fee bump) is dropped from it.
 */
import { decodeTransaction, fromHex, type Account } from '@sealane/protocol';
import type { PoolEntry, PublicLane as LaneStore } from '@sealane/store';
import type { Candidate } from '../public-lane.select';

export interface IntakeDeps {
  lane: Pick<LaneStore, 'order' | 'orderAfter' | 'countUpTo' | 'entries'>;
  /** Accounts on the parent state (the engine's latest block while the slot is open). */
  readAccounts(senders: string[]): Promise<Map<string, Account>>;
}

export interface Undecodable {
  hash: string;
  from: string;
  reason: string;
}

export class PublicIntake {
  private list: Candidate[] = [];
  private bad: Undecodable[] = [];
  private readonly known = new Set<string>();
  readonly accounts = new Map<string, Account>();
  /** Set when a refresh found that a transaction it had read left the lane. */
  private dropped = 0;
  /** The arrival number of the newest entry read. */
  private lastSeq = 0;

  constructor(
    readonly slot: number,
    /** The engine block the slot is built on: the accounts are read on it. */
    readonly parentHash: string,
    private readonly deps: IntakeDeps,
    /** How many lane entries to read at most (the lane's capacity per block plus a margin). */
    private readonly limit: number,
  ) {}

  /** Decoded transactions in arrival order. */
  get candidates(): readonly Candidate[] {
    return this.list;
  }

  get undecodable(): readonly Undecodable[] {
    return this.bad;
  }

  /** Transactions read earlier that have since left the lane. */
  get left(): number {
    return this.dropped;
  }

  /** Reads what arrived since the last refresh; answers how many transactions were new. */
  async refresh(): Promise<number> {
    const fresh = await this.arrivals();
    if (fresh.length === 0) return 0;
    const entries = await this.deps.lane.entries(fresh);
    const senders = new Set<string>();
    for (const e of entries) {
      this.known.add(e.hash);
      this.lastSeq = Math.max(this.lastSeq, e.seq);
      const c = decoded(e);
      if ('reason' in c) this.bad.push(c);
      else {
        this.list.push(c);
        if (!this.accounts.has(c.from)) senders.add(c.from);
      }
    }
    if (senders.size)
      for (const [a, acc] of await this.deps.readAccounts([...senders])) this.accounts.set(a, acc);
    return entries.length;
  }

  /**
   * The lane entries not read yet, in arrival order. Arrival numbers only grow, so while the
   * lane still holds as many entries up to the last one read as were read, nothing read left
   * it and the new ones are those after it (two small reads); otherwise the whole order is read
   * again and what left is dropped.
   */
  private async arrivals(): Promise<{ hash: string; seq: number }[]> {
    const { lane } = this.deps;
    const room = this.limit - this.known.size;
    if (this.known.size > 0) {
      const [upTo, after] = await Promise.all([
        lane.countUpTo(this.lastSeq),
        lane.orderAfter(this.lastSeq, room),
      ]);
      if (upTo === this.known.size) return after;
    }
    const order = await lane.order(this.limit);
    const present = new Set(order.map((r) => r.hash));
    if ([...this.known].some((h) => !present.has(h))) {
      const before = this.list.length + this.bad.length;
      this.list = this.list.filter((c) => present.has(c.hash));
      this.bad = this.bad.filter((b) => present.has(b.hash));
      for (const h of [...this.known]) if (!present.has(h)) this.known.delete(h);
      this.dropped += before - this.list.length - this.bad.length;
    }
    return order.filter((r) => !this.known.has(r.hash));
  }
}

function decoded(e: PoolEntry): Candidate | Undecodable {
  try {
    const { nonce, gasLimit, maxFeePerGas, value } = decodeTransaction(fromHex(e.raw), {
      knownSender: e.from,
    });
    return { hash: e.hash, from: e.from, raw: e.raw, nonce, gasLimit, maxFeePerGas, value };
  } catch (err) {
    return { hash: e.hash, from: e.from, reason: `undecodable: ${(err as Error).message}` };
  }
}
