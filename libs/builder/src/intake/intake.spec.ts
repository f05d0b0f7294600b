import type { BatchResult, L2Engine, RpcCall } from '@sealane/engine';
import type { Account } from '@sealane/protocol';
import type { PoolEntry } from '@sealane/store';
import { BASE_FEE, ctx, RICH, transfer } from '../lanes/lanes.fixture';
import type { PlannedTx } from '../phases/record';
import { EnginePool } from './engine-pool';
import { PublicIntake } from './public-intake';
import { SlotStream } from './stream';

/** The Redis lane as order() and entries() see it. */
class FakeLane {
  entries_: PoolEntry[] = [];
  private seq = 0;
  bodiesRead = 0;
  add(hash: string, from: string, raw: string): void {
    this.entries_.push({ hash, from, raw, seq: ++this.seq });
  }
  remove(hash: string): void {
    this.entries_ = this.entries_.filter((e) => e.hash !== hash);
  }
  order(limit: number) {
    return Promise.resolve(this.entries_.slice(0, limit).map(({ hash, seq }) => ({ hash, seq })));
  }
  orderAfter(seq: number, limit: number) {
    return Promise.resolve(
      this.entries_
        .filter((e) => e.seq > seq)
        .slice(0, limit)
        .map(({ hash, seq: s }) => ({ hash, seq: s })),
    );
  }
  countUpTo(seq: number) {
    return Promise.resolve(this.entries_.filter((e) => e.seq <= seq).length);
  }
  entries(refs: readonly { hash: string }[]) {
    this.bodiesRead += refs.length;
    return Promise.resolve(refs.map((r) => this.entries_.find((e) => e.hash === r.hash)!).filter(Boolean));
  }
}

/** An engine pool in order, as anvil keeps it with --order fifo; refuses hashes in `refuse`. */
class FakeEngine {
  pool: string[] = [];
  refuse = new Set<string>();
  sent = 0;
  drops = 0;
  batch(calls: RpcCall[]): Promise<BatchResult[]> {
    return Promise.resolve(
      calls.map(([method, params]): BatchResult => {
        if (method !== 'eth_sendRawTransaction') throw new Error(`unexpected ${method}`);
        this.sent++;
        const raw = params[0] as string;
        if (this.refuse.has(raw))
          return { ok: false, error: Object.assign(new Error('no'), { rpcMessage: 'no' }) as never };
        this.pool.push(raw);
        return { ok: true, result: null };
      }),
    );
  }
  call<T>(method: string): Promise<T> {
    if (method === 'txpool_status')
      return Promise.resolve({ pending: '0x' + this.pool.length.toString(16) } as T);
    throw new Error(`unexpected ${method}`);
  }
  dropAllTransactions(): Promise<void> {
    this.drops++;
    this.pool = [];
    return Promise.resolve();
  }
}

const rich = (senders: string[]): Promise<Map<string, Account>> =>
  Promise.resolve(new Map(senders.map((s) => [s, { nonce: 0, balance: RICH }])));

async function setup(n: number) {
  const lane = new FakeLane();
  const signed = await Promise.all(
    Array.from({ length: n }, (_, i) => transfer(1 + (i % 3), Math.floor(i / 3))),
  );
  const engine = new FakeEngine();
  const pool = new EnginePool(engine as unknown as L2Engine);
  const intake = new PublicIntake(5, '0xparent', { lane, readAccounts: rich }, 100);
  const top = { bundles: 0, commitments: 0, forced: 0 };
  const stream = new SlotStream(
    intake,
    { chain: { topOfBlockWaiting: () => Promise.resolve(top) }, pool, blockGasLimit: 30_000_000n },
    { ...ctx, baseFee: BASE_FEE },
    100,
  );
  const add = (k: number) => lane.add(signed[k].tx.hash, signed[k].tx.from, signed[k].raw);
  const planned = (ks: number[]): PlannedTx[] =>
    ks.map((k) => ({ hash: signed[k].tx.hash, raw: signed[k].raw, from: signed[k].tx.from, role: 'public' }));
  return { lane, signed, engine, pool, intake, stream, top, add, planned };
}

describe('the public lane streamed into the engine while the slot is open', () => {
  it('sends what arrives in lane order, reading each body once, and the seal sends only the rest', async () => {
    const t = await setup(6);
    [0, 1, 2].forEach(t.add);
    await t.stream.tick();
    [3, 4].forEach(t.add);
    await t.stream.tick();
    await t.stream.tick();
    expect(t.engine.pool).toEqual([0, 1, 2, 3, 4].map((k) => t.signed[k].raw));
    expect(t.lane.bodiesRead).toBe(5);
    expect(t.stream.streamed).toBe(5);
    t.add(5);
    const res = await t.pool.submit(5, t.planned([0, 1, 2, 3, 4, 5]));
    expect(res.every((r) => r.ok)).toBe(true);
    expect(t.engine.sent).toBe(6);
    expect(t.engine.pool).toEqual([0, 1, 2, 3, 4, 5].map((k) => t.signed[k].raw));
  });

  it('sends at most maxSend a look, and the rest at the next look without new arrivals', async () => {
    const t = await setup(3);
    [0, 1, 2].forEach(t.add);
    await t.stream.tick(2);
    expect(t.engine.pool).toHaveLength(2);
    await t.stream.tick(2);
    expect(t.engine.pool).toEqual([0, 1, 2].map((k) => t.signed[k].raw));
  });

  it('waits with a nonce gap as the plan does: the later nonce follows its predecessor', async () => {
    const t = await setup(6);
    t.add(3); // sender 1, nonce 1: waits for nonce 0
    await t.stream.tick();
    expect(t.engine.pool).toEqual([]);
    t.add(0);
    await t.stream.tick();
    expect(t.engine.pool).toEqual([t.signed[0].raw, t.signed[3].raw]);
  });

  it('stops, and the seal sends the block whole, once anything waits for the top of the block', async () => {
    const t = await setup(3);
    t.add(0);
    await t.stream.tick();
    t.top.bundles = 1;
    t.add(1);
    await t.stream.tick();
    expect(t.stream.stopped).toBe('top-of-block');
    expect(t.engine.pool).toEqual([t.signed[0].raw]);
    // A bundle's transaction goes first: what the pool holds is no prefix of the plan.
    const plan = [...t.planned([2]), ...t.planned([0, 1])];
    await t.pool.submit(5, plan);
    expect(t.engine.drops).toBe(2);
    expect(t.engine.pool).toEqual([2, 0, 1].map((k) => t.signed[k].raw));
  });

  it('drops a transaction that left the lane and ends the stream when the plan no longer extends it', async () => {
    const t = await setup(3);
    [0, 1].forEach(t.add);
    await t.stream.tick();
    t.lane.remove(t.signed[0].tx.hash);
    await t.stream.tick();
    expect(t.intake.left).toBe(1);
    expect(t.intake.candidates.map((c) => c.hash)).toEqual([t.signed[1].tx.hash]);
    expect(t.stream.stopped).toBe('diverged');
  });

  it('sends the block whole when the engine no longer holds what was streamed (a restarted engine)', async () => {
    const t = await setup(2);
    [0, 1].forEach(t.add);
    await t.stream.tick();
    t.engine.pool = [];
    await t.pool.submit(5, t.planned([0, 1]));
    expect(t.engine.pool).toEqual([0, 1].map((k) => t.signed[k].raw));
    expect(t.engine.sent).toBe(4);
  });

  it('stops at a refusal and never claims to hold what the engine refused', async () => {
    const t = await setup(2);
    t.engine.refuse.add(t.signed[1].raw);
    [0, 1].forEach(t.add);
    await t.stream.tick();
    expect(t.stream.stopped).toBe('refused');
    expect(t.pool.heldFor(5)).toEqual([]);
  });
});
