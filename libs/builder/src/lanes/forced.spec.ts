import { AccountBook, type Account } from '@sealane/protocol';
import type { ForcedEntry, SealedBlock } from '@sealane/store';
import type { SlotPlan } from '../phases/record';
import { ForcedLane } from './forced';
import { addr, BASE_FEE, RICH, transfer } from './lanes.fixture';

const CHAIN = 24225n;

async function entry(index: number, key: number, nonce: number, l1Timestamp = 100): Promise<ForcedEntry> {
  const { raw, tx } = await transfer(key, nonce);
  return { index, raw, hash: tx.hash, l1Sender: addr(key), l1Timestamp, l1Block: 3 };
}

/** A lane over a queue and block records whose timestamps are given (block n has timestamps[n - 1]). */
function lane(
  queue: ForcedEntry[],
  slot: number,
  timestamp: number,
  records: number[] = [],
  chainId = CHAIN,
) {
  const arrivals: ForcedEntry[] = [];
  const deps = {
    store: {
      pending: async () => queue.map((e) => ({ ...e })),
      setArrival: async (e: ForcedEntry) => void arrivals.push({ ...e }),
    },
    chain: {
      blocks: async (nums: readonly number[]) =>
        nums.map((n) =>
          records[n - 1] === undefined
            ? null
            : ({ number: n, timestamp: records[n - 1], forceInclusionDelaySlots: 3 } as SealedBlock),
        ),
    },
    engine: { batch: async () => [] },
    chainId,
    blockGasLimit: 30_000_000n,
  };
  return { lane: new ForcedLane(deps, slot, timestamp, 4), arrivals };
}

const book = (accounts: [number, Account][]) =>
  new AccountBook(new Map(accounts.map(([k, a]) => [addr(k), a])), BASE_FEE);
const planOf = (slot: number): SlotPlan => ({
  slot,
  parentHash: '0x',
  startMs: 0,
  paramsVersion: 0,
  builder: 'b',
  txs: [],
  skipped: [],
  chainIncluded: [],
  commitments: [],
});

describe('forced lane', () => {
  it('places arrived forced transactions first, in queue order, and leaves the rest queued', async () => {
    const q = [await entry(0, 3, 0), await entry(1, 3, 1), await entry(2, 4, 0, 200)];
    const { lane: l, arrivals } = lane(q, 7, 150, [90, 95, 120, 130, 140, 145]);
    expect(await l.prepare()).toEqual([addr(3), addr(3)]);
    // Arrived at block 3, the first whose timestamp (120) reaches 100; its delay there is 3.
    expect(arrivals.map((a) => [a.index, a.arrival, a.deadline])).toEqual([
      [0, 3, 6],
      [1, 3, 6],
    ]);
    const p = await l.plan(book([[3, { nonce: 0, balance: RICH }]]));
    expect(p.txs.map((t) => [t.role, t.forced])).toEqual([
      ['forced', 0],
      ['forced', 1],
    ]);
    expect(p.gas).toBe(42_000n);
    const plan = planOf(7);
    plan.txs = p.txs;
    l.record(plan);
    expect(plan.forced?.map((f) => [f.index, f.outcome.state])).toEqual([
      [0, 'included-here'],
      [1, 'included-here'],
    ]);
  });

  it('keeps one that cannot execute until its deadline, then drops it with its code', async () => {
    const q = [{ ...(await entry(0, 3, 5)), arrival: 5, deadline: 8 }];
    const early = lane(q, 7, 150);
    await early.lane.prepare();
    expect((await early.lane.plan(book([[3, { nonce: 0, balance: RICH }]]))).txs).toEqual([]);
    const p7 = planOf(7);
    early.lane.record(p7);
    expect(p7.forced).toBeUndefined();

    const due = lane(q, 8, 160);
    await due.lane.prepare();
    await due.lane.plan(book([[3, { nonce: 0, balance: RICH }]]));
    const p8 = planOf(8);
    due.lane.record(p8);
    expect(p8.forced).toEqual([
      {
        index: 0,
        hash: q[0].hash,
        outcome: {
          state: 'dropped',
          block: 8,
          code: 'nonce-gap',
          reason: expect.stringMatching(/nonce gap/),
          deadline: 8,
        },
      },
    ]);
  });

  it('drops a transaction for another chain at its deadline, never placing it', async () => {
    const wrong = { ...(await entry(0, 3, 0)), arrival: 2, deadline: 2 };
    // A lane of chain 1 sees a transaction signed for chain 24225.
    const { lane: l } = lane([wrong], 2, 150, [], 1n);
    await l.prepare();
    expect((await l.plan(book([[3, { nonce: 0, balance: RICH }]]))).txs).toEqual([]);
    const p = planOf(2);
    l.record(p);
    expect(p.forced?.[0].outcome).toMatchObject({ state: 'dropped', code: 'wrong-chain' });
  });
});
