/**
 * The public data API's routes: each reads the sealed head once, reads only slots at or below it
 * (see slotWindow) and shapes flat records (data-api.ts). Answers are kept for a moment per query,
 * so many dashboards polling every second cost Redis one read each time.
 */
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ENDPOINTS, REDIS, type Endpoints } from '@sealane/core';
import { EngineClient, L2Engine } from '@sealane/engine';
import { earliestSlotTimes, slotTimes } from '@sealane/protocol';
import {
  BundleStore,
  GovernanceStore,
  Keys,
  ParamsStore,
  readPosterStatus,
  type SealaneRedis,
} from '@sealane/store';
import {
  batchRow,
  bidRows,
  commitmentRows,
  historyRow,
  phaseOf,
  refundRows,
  slotRow,
  winnerRows,
  type BatchRow,
  type HistoryRow,
  type SlotPhase,
} from './data-api';
import {
  addressParam,
  DATA_SCAN_SLOTS,
  intParam,
  limitParam,
  page,
  readQuery,
  slotsOf,
  slotWindow,
  type SlotWindow,
} from './data-api.query';
import { DataReader } from './data-api.reader';

export interface Page<T> {
  rows: T[];
  /** The cursor of the next (older) page, or null when there is none. */
  next: number | null;
}

const SLOT_PARAMS = ['slot', 'cursor', 'from', 'to', 'limit'] as const;
/** Slots read per step of a scan. */
const SCAN_CHUNK = 100;
/** How long an answer is reused for the same query. */
const ANSWER_TTL_MS = 250;
const ANSWERS_MAX = 256;

export interface DataStatus {
  /** The open slot: the one after the sealed head. */
  slot: number;
  phase: SlotPhase;
  startMs: number;
  closeMs: number;
  endMs: number;
  nowMs: number;
  slotMs: number;
  closeOffsetMs: number;
  paramsVersion: number;
  intakePaused: boolean;
  sealedHead: number;
  sealedHash: string | null;
  posterLagBlocks: number | null;
  posterUnsentBlocks: number | null;
  posterPostedBlock: number | null;
  posterInFlight: number | null;
  posterActivity: string | null;
  posterUpdatedAtMs: number | null;
}

@Injectable()
export class DataApiService implements OnModuleDestroy {
  readonly reader: DataReader;
  private readonly l1: EngineClient | null;
  private readonly bundles: BundleStore;
  private readonly governance: GovernanceStore;
  private readonly answers = new Map<string, { at: number; value: Promise<unknown> }>();
  private genesis: Promise<number> | undefined;

  constructor(
    @Inject(REDIS) private readonly redis: SealaneRedis,
    private readonly keys: Keys,
    private readonly params: ParamsStore,
    private readonly engine: L2Engine,
    @Inject(ENDPOINTS) endpoints: Endpoints,
  ) {
    this.l1 = endpoints.l1RpcUrl ? new EngineClient(endpoints.l1RpcUrl, 2000) : null;
    this.reader = new DataReader({ redis, keys, params, engine, l1: this.l1 });
    this.bundles = new BundleStore(redis, keys);
    this.governance = new GovernanceStore(redis, keys);
  }

  async onModuleDestroy(): Promise<void> {
    await this.l1?.close();
  }

  /** The answer to `key` if one was made within ANSWER_TTL_MS, else a new one (errors are not kept). */
  cached<T>(key: string, make: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.answers.get(key);
    if (hit && now - hit.at <= ANSWER_TTL_MS) return hit.value as Promise<T>;
    if (this.answers.size >= ANSWERS_MAX) this.answers.clear();
    const value = make();
    this.answers.set(key, { at: now, value });
    value.catch(() => this.answers.delete(key));
    return value;
  }

  async status(query: unknown): Promise<DataStatus> {
    readQuery(query, []);
    const head = await this.reader.sealedHead();
    const open = head + 1;
    const [headBlock, snap, prevEndMs, closed, poster, pause] = await Promise.all([
      this.reader.chain.block(head),
      this.params.snapshot(open),
      this.reader.chain.slotEndMs(head, this.params, () => (this.genesis ??= this.engine.genesisMs())),
      this.bundles.isClosed(open),
      readPosterStatus(this.redis, this.keys),
      this.params.intakePause(),
    ]);
    const nowMs = Date.now();
    const { slotMs, auctionCloseOffsetMs } = snap.values;
    // Once closed, the slot's times are fixed; while open, a builder running late closes it now.
    const times = closed
      ? earliestSlotTimes(prevEndMs, slotMs, auctionCloseOffsetMs)
      : slotTimes(prevEndMs, nowMs, slotMs, auctionCloseOffsetMs);
    return {
      slot: open,
      phase: phaseOf(times, closed, nowMs),
      ...times,
      nowMs,
      slotMs,
      closeOffsetMs: auctionCloseOffsetMs,
      paramsVersion: snap.version,
      intakePaused: pause.paused,
      sealedHead: head,
      sealedHash: headBlock?.hash ?? null,
      posterLagBlocks: poster?.lagBlocks ?? null,
      posterUnsentBlocks: poster?.unsentBlocks ?? null,
      posterPostedBlock: poster?.postedBlock ?? null,
      posterInFlight: poster?.inFlight ?? null,
      posterActivity: poster?.activity ?? null,
      posterUpdatedAtMs: poster?.updatedAtMs ?? null,
    };
  }

  /** The query, its limit and its window of sealed slots: `limit` slots, or DATA_SCAN_SLOTS when sparse. */
  private async window(query: unknown, sparse: boolean, extra: readonly string[] = []) {
    const q = readQuery(query, [...SLOT_PARAMS, ...extra]);
    const limit = limitParam(q.limit);
    const head = await this.reader.sealedHead();
    return { q, limit, w: slotWindow(q, head, sparse ? DATA_SCAN_SLOTS : limit) };
  }

  /** Reads a window newest first, a chunk of slots at a time, until `limit` records are found. */
  private async scan<T>(
    w: SlotWindow,
    limit: number,
    read: (slots: number[]) => Promise<T[][]>,
  ): Promise<Page<T>> {
    const perSlot: { slot: number; rows: T[] }[] = [];
    const slots = slotsOf(w);
    let found = 0;
    for (let i = 0; i < slots.length && found < limit; i += SCAN_CHUNK) {
      const part = slots.slice(i, i + SCAN_CHUNK);
      const rows = await read(part);
      part.forEach((slot, j) => {
        perSlot.push({ slot, rows: rows[j] });
        found += rows[j].length;
      });
    }
    return page(perSlot, limit, w.floor);
  }

  async slots(query: unknown) {
    const { limit, w } = await this.window(query, false);
    return this.scan(w, limit, async (slots) => {
      const [blocks, results, commitments] = await Promise.all([
        this.reader.blocks(slots),
        this.reader.results(slots),
        this.reader.commitments(slots),
      ]);
      const sealed = blocks.filter((b) => b !== null);
      const gas = new Map((await this.reader.gas(sealed)).map((g, i) => [sealed[i].number, g]));
      return Promise.all(
        blocks.map(async (b, i) =>
          b
            ? [
                slotRow(
                  b,
                  await this.reader.slotMs(b.paramsVersion),
                  results[i],
                  commitments[i].statuses,
                  gas.get(b.number) ?? null,
                ),
              ]
            : [],
        ),
      );
    });
  }

  async winners(query: unknown) {
    const { limit, w } = await this.window(query, true);
    return this.scan(w, limit, async (slots) =>
      (await this.reader.results(slots)).map((r) => (r ? winnerRows(r) : [])),
    );
  }

  async refunds(query: unknown) {
    const { q, limit, w } = await this.window(query, true, ['searcher']);
    const searcher = addressParam(q.searcher, 'searcher');
    return this.scan(w, limit, async (slots) =>
      (await this.reader.results(slots)).map((r) => (r ? refundRows(r, searcher) : [])),
    );
  }

  async bids(query: unknown) {
    const { limit, w } = await this.window(query, true);
    return this.scan(w, limit, async (slots) => {
      const results = await this.reader.results(slots);
      const withBids = results.filter((r) => r !== null && r.bids > 0);
      const statuses = await this.reader.bidStatuses(withBids.map((r) => r!.slot));
      const bySlot = new Map(withBids.map((r, i) => [r!.slot, bidRows(r!, statuses[i])]));
      return slots.map((s) => bySlot.get(s) ?? []);
    });
  }

  async commitments(query: unknown) {
    const { limit, w } = await this.window(query, true);
    return this.scan(w, limit, async (slots) =>
      (await this.reader.commitments(slots)).map((c, i) => commitmentRows(slots[i], c.stored, c.statuses)),
    );
  }

  /** Posted batches by sequence number, newest first; `cursor` is a sequence number. */
  async batches(query: unknown): Promise<Page<BatchRow>> {
    const q = readQuery(query, ['cursor', 'limit']);
    const limit = limitParam(q.limit);
    const cursor = intParam(q.cursor, 'cursor');
    const newest = ((await this.reader.poster.cursor())?.nextBatch ?? 0) - 1;
    const top = Math.min(cursor ?? newest, newest);
    const low = Math.max(0, top - limit + 1);
    const seqs = top < 0 ? [] : slotsOf({ hi: top, lo: low });
    const batches = (await this.reader.batches(seqs)).filter((b) => b !== null);
    const [l1Times, lasts] = await Promise.all([
      this.reader.l1Times(batches.map((b) => b.l1BlockNumber)),
      this.reader.blocks(batches.map((b) => b.lastBlock)),
    ]);
    const rows = await Promise.all(
      batches.map(async (b, i) => {
        const last = lasts[i];
        const endMs = last ? last.startMs + (await this.reader.slotMs(last.paramsVersion)) : null;
        return batchRow(b, l1Times[i], endMs);
      }),
    );
    return { rows, next: top >= 0 && low > 0 ? low - 1 : null };
  }

  /** Governance decisions, newest first; `cursor` is an entry's index (0 = the first decision). */
  async governanceHistory(query: unknown): Promise<Page<HistoryRow>> {
    const q = readQuery(query, ['cursor', 'limit']);
    const limit = limitParam(q.limit);
    const cursor = intParam(q.cursor, 'cursor');
    const total = await this.redis.llen(this.keys.govHistory());
    const top = Math.min(cursor ?? total - 1, total - 1);
    if (top < 0) return { rows: [], next: null };
    const low = Math.max(0, top - limit + 1);
    const { entries } = await this.governance.history(low, top - low + 1);
    const rows = entries.map((e, i) => historyRow(low + i, e)).reverse();
    return { rows, next: low > 0 ? low - 1 : null };
  }
}
