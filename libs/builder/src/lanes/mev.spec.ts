import { AccountBook } from '@sealane/protocol';
import type { AuctionOutcome, AuctionWinner } from '../phases/clear';
import type { SlotPlan } from '../phases/record';
import { SlotTrace } from '../trace';
import { addr, BASE_FEE, ctx, simulator, transfer, winner } from './lanes.fixture';
import { MevLane } from './mev';

const outcomeOf = (winners: AuctionWinner[]): AuctionOutcome => ({
  slot: 5,
  seed: new Uint8Array(32),
  rules: { pricing: 'critical', ranking: 'value', reservePrice: 0n, gasBudget: 1_000_000n },
  bids: winners.length,
  leaves: [],
  bidsRoot: '0x',
  winners,
});
const book = () => new AccountBook(new Map(), BASE_FEE);

describe('MevLane', () => {
  it('places the winners in their order, never split, and the book follows their transactions', async () => {
    const [a0, a1, b0] = await Promise.all([transfer(1, 0), transfer(1, 1), transfer(2, 0)]);
    const [w1, w2] = [winner([a0, a1]), winner([b0])];
    const lane = new MevLane(simulator(), outcomeOf([w1, w2]), ctx, 3, new SlotTrace());
    expect(await lane.prepare()).toEqual([addr(1), addr(1), addr(2)]);
    const b = book();
    const p = await lane.plan(b);
    expect(p.txs.map((t) => [t.hash, t.role, t.bundle])).toEqual([
      [a0.tx.hash, 'bundle', w1.bid.bundleHash],
      [a1.tx.hash, 'bundle', w1.bid.bundleHash],
      [b0.tx.hash, 'bundle', w2.bid.bundleHash],
    ]);
    expect(p.gas).toBe(63_000n);
    expect([b.nextNonce(addr(1)), b.nextNonce(addr(2))]).toEqual([2, 1]);
  });

  it('drops a winner that fails or pays under its price in place, and checks the rest again', async () => {
    const [a, b, c] = await Promise.all([transfer(1, 0), transfer(2, 0), transfer(3, 0)]);
    const ws = [winner([a], 10n), winner([b], 10n), winner([c], 10n)];
    const trace = new SlotTrace();
    const sim = simulator(
      new Map<string, bigint | string>([
        [a.raw, 'reverted'],
        [b.raw, 9n],
      ]),
    );
    const lane = new MevLane(sim, outcomeOf(ws), ctx, 3, trace);
    const p = await lane.plan(book());
    expect(p.txs.map((t) => t.hash)).toEqual([c.tx.hash]);
    expect([...trace.dropped]).toEqual([
      [ws[0].bid.bundleHash, { code: 'fails-in-place', reason: 'fails in place: reverted' }],
      [ws[1].bid.bundleHash, { code: 'below-price', reason: 'pays 9 in place, less than its price 10' }],
    ]);
  });

  it('drops a winner the engine refuses, plans the others again, and gives up the rest when the slot seals empty', async () => {
    const [a, b] = await Promise.all([transfer(1, 0), transfer(2, 0)]);
    const ws = [winner([a]), winner([b])];
    const trace = new SlotTrace();
    const lane = new MevLane(simulator(), outcomeOf(ws), ctx, 3, trace);
    const first = await lane.plan(book());
    lane.onRefused(first.txs[0], 'rejected by the L2 engine: nonce too low');
    expect((await lane.plan(book())).txs.map((t) => t.hash)).toEqual([b.tx.hash]);
    lane.giveUp('refused 4 rounds in a row');
    expect((await lane.plan(book())).txs).toEqual([]);
    expect([...trace.dropped.values()]).toEqual([
      { code: 'engine-refused', reason: 'rejected by the L2 engine: nonce too low' },
      { code: 'block-refused', reason: 'refused 4 rounds in a row' },
    ]);
  });

  it("records the auction with the placed winners and each drop's code", async () => {
    const [a, b] = await Promise.all([transfer(1, 0), transfer(2, 0)]);
    const ws = [winner([a]), winner([b])];
    const trace = new SlotTrace();
    const lane = new MevLane(simulator(new Map([[a.raw, 'reverted']])), outcomeOf(ws), ctx, 3, trace);
    await lane.plan(book());
    const plan = { commitments: [] } as unknown as SlotPlan;
    lane.record(plan);
    expect(plan.auction?.paramsVersion).toBe(3);
    expect(plan.auction?.winners.map((w) => w.bundleHash)).toEqual([ws[1].bid.bundleHash]);
    expect(plan.auction?.dropped).toEqual([
      { bundleHash: ws[0].bid.bundleHash, reason: 'fails in place: reverted', code: 'fails-in-place' },
    ]);
  });

  it('is empty without an auction', async () => {
    const lane = new MevLane(undefined, undefined, ctx, 3, new SlotTrace());
    expect(await lane.prepare()).toEqual([]);
    expect(await lane.plan(book())).toEqual({ txs: [], gas: 0n });
    const plan = {} as SlotPlan;
    lane.record(plan);
    expect(plan.auction).toBeUndefined();
  });
});
