import type { L2Engine } from '@sealane/engine';
import type { PoolEntry } from '@sealane/store';
import { AccountBook, type Account } from '@sealane/protocol';
import type { SlotPlan } from '../phases/record';
import { SlotTrace } from '../trace';
import { addr, BASE_FEE, RICH, transfer, type Signed } from './lanes.fixture';
import { PublicLane } from './public';

const entry = (s: Signed, seq: number): PoolEntry => ({ hash: s.tx.hash, from: s.tx.from, raw: s.raw, seq });
const room = (placed: string[] = [], gasLeft = 30_000_000n) => ({ gasLeft, placed: new Set(placed) });
const rich = new Map<string, Account>([1, 2, 3].map((k) => [addr(k), { nonce: 0, balance: RICH }]));
const book = (accounts = rich) => new AccountBook(accounts, BASE_FEE);
const noReceipts = { batch: () => Promise.reject(new Error('not used')) } as unknown as L2Engine;

async function laneOf(entries: PoolEntry[], engine = noReceipts, trace = new SlotTrace()) {
  const lane = new PublicLane({ peek: async () => entries }, engine, 100, trace);
  const senders = await lane.prepare();
  return { lane, senders, trace };
}
function recorded(lane: PublicLane, trace: SlotTrace) {
  const plan = { skipped: [...trace.skipped] } as SlotPlan;
  lane.record(plan);
  return plan;
}

describe('PublicLane', () => {
  it('plans in arrival order what the lanes before did not place, and records its skips with their codes', async () => {
    const [a0, b0, c0, a0again] = await Promise.all([
      transfer(1, 0),
      transfer(2, 0),
      transfer(3, 0, { maxFeePerGas: 1n }),
      transfer(1, 0, { value: 2n }),
    ]);
    const { lane, senders, trace } = await laneOf([
      entry(a0, 1),
      entry(b0, 2),
      entry(c0, 3),
      entry(a0again, 4),
    ]);
    expect(senders).toEqual([addr(1), addr(2), addr(3), addr(1)]);
    const p = await lane.plan(book(), room([b0.tx.hash]));
    expect(p.txs).toEqual([{ hash: a0.tx.hash, raw: a0.raw, from: addr(1), role: 'public' }]);
    expect(p.gas).toBe(21_000n);
    expect(recorded(lane, trace).skipped).toEqual([
      {
        hash: c0.tx.hash,
        from: addr(3),
        code: 'fee-cap-below-base-fee',
        reason: `max fee per gas 1 below the block base fee ${BASE_FEE}`,
      },
      {
        hash: a0again.tx.hash,
        from: addr(1),
        code: 'nonce-too-low',
        reason: 'nonce too low: next nonce is 1, transaction has 0',
      },
    ]);
  });

  it('keeps to the gas left for it', async () => {
    const [a0, b0] = await Promise.all([transfer(1, 0), transfer(2, 0)]);
    const { lane } = await laneOf([entry(a0, 1), entry(b0, 2)]);
    expect((await lane.plan(book(), room([], 30_000n))).txs.map((t) => t.hash)).toEqual([a0.tx.hash]);
  });

  it('skips an undecodable entry for the slot', async () => {
    const bad: PoolEntry = { hash: '0x' + '11'.repeat(32), from: addr(1), raw: '0x02', seq: 1 };
    const { lane, senders, trace } = await laneOf([bad]);
    expect(senders).toEqual([]);
    expect(trace.skipped).toEqual([
      { hash: bad.hash, from: addr(1), code: 'undecodable', reason: expect.stringMatching(/^undecodable: /) },
    ]);
    expect((await lane.plan(book(), room())).txs).toEqual([]);
  });

  it('skips for the slot what the engine refuses and plans the rest again; gives all up when the slot seals empty', async () => {
    const [a0, b0] = await Promise.all([transfer(1, 0), transfer(2, 0)]);
    const { lane, trace } = await laneOf([entry(a0, 1), entry(b0, 2)]);
    const first = await lane.plan(book(), room());
    lane.onRefused(first.txs[0], 'rejected by the L2 engine: nope');
    expect((await lane.plan(book(), room())).txs.map((t) => t.hash)).toEqual([b0.tx.hash]);
    expect(recorded(lane, trace).skipped).toEqual([
      { hash: a0.tx.hash, from: addr(1), code: 'engine-refused', reason: 'rejected by the L2 engine: nope' },
    ]);
    lane.giveUp();
    expect((await lane.plan(book(), room())).txs).toEqual([]);
  });

  it('retires as included a used nonce the chain holds, with one receipt read for all', async () => {
    const [a0, a1, b0] = await Promise.all([transfer(1, 0), transfer(1, 1), transfer(2, 0)]);
    const calls: unknown[][] = [];
    const engine = {
      batch: async (c: [string, unknown[]][]) => {
        calls.push(c);
        return c.map(([, [h]]) =>
          h === a0.tx.hash
            ? { ok: true, result: { blockNumber: '0x3', transactionIndex: '0x1' } }
            : { ok: true, result: null },
        );
      },
    } as unknown as L2Engine;
    const { lane, trace } = await laneOf([entry(a0, 1), entry(a1, 2), entry(b0, 3)], engine);
    const parent = new Map([...rich, [addr(1), { nonce: 2, balance: RICH }]]);
    await lane.onParentState(parent);
    expect(calls).toEqual([
      [
        ['eth_getTransactionReceipt', [a0.tx.hash]],
        ['eth_getTransactionReceipt', [a1.tx.hash]],
      ],
    ]);
    expect((await lane.plan(book(parent), room())).txs.map((t) => t.hash)).toEqual([b0.tx.hash]);
    const plan = recorded(lane, trace);
    expect(plan.chainIncluded).toEqual([{ hash: a0.tx.hash, from: addr(1), block: 3, index: 1 }]);
    expect(plan.skipped.map((s) => [s.hash, s.code])).toEqual([[a1.tx.hash, 'nonce-too-low']]);
  });
});
