import { AccountBook } from '@sealane/protocol';
import type { OpenedCommitment } from '../mempool.runner';
import type { SlotPlan } from '../phases/record';
import { CommittedLane } from './committed';
import { addr, BASE_FEE, commitment, RICH, transfer } from './lanes.fixture';

const bookOf = (accounts: [number, bigint][]) =>
  new AccountBook(new Map(accounts.map(([k, balance]) => [addr(k), { nonce: 0, balance }])), BASE_FEE);

async function laneOf(opened: OpenedCommitment[]) {
  const lane = new CommittedLane(
    5,
    { open: async () => opened },
    opened.map((o) => o.commitment),
  );
  await lane.prepare();
  return lane;
}
function outcomes(lane: CommittedLane) {
  const plan = {} as SlotPlan;
  lane.record(plan);
  return plan.commitments;
}

describe('CommittedLane', () => {
  it('places each fee transaction then the transaction it hid, in committed order', async () => {
    const [f1, h1, f2] = await Promise.all([transfer(1, 0), transfer(1, 1), transfer(2, 0)]);
    const opened = [commitment(0, f1, { revealed: h1 }), commitment(1, f2)];
    const lane = await laneOf(opened);
    const book = bookOf([
      [1, RICH],
      [2, RICH],
    ]);
    const p = await lane.plan(book);
    expect(p.txs.map((t) => [t.hash, t.role, t.commitment])).toEqual([
      [f1.tx.hash, 'fee', opened[0].commitment.commitment],
      [h1.tx.hash, 'revealed', opened[0].commitment.commitment],
      [f2.tx.hash, 'fee', opened[1].commitment.commitment],
    ]);
    expect(p.gas).toBe(63_000n);
    expect(book.nextNonce(addr(1))).toBe(2);
    expect(outcomes(lane)).toEqual([
      { commitment: opened[0].commitment.commitment, feeTxHash: f1.tx.hash, txHash: h1.tx.hash },
      { commitment: opened[1].commitment.commitment, feeTxHash: f2.tx.hash, reason: 'not revealed' },
    ]);
  });

  it("skips with the mempool's code what did not open, and a hidden transaction without the fee nonce + 1", async () => {
    const [f1, f2, h2] = await Promise.all([transfer(1, 0), transfer(2, 0), transfer(2, 5)]);
    const opened = [
      commitment(0, f1, { reason: 'decryption-failed', detail: 'tag mismatch' }),
      commitment(1, f2, { revealed: h2 }),
    ];
    const lane = await laneOf(opened);
    const p = await lane.plan(
      bookOf([
        [1, RICH],
        [2, RICH],
      ]),
    );
    expect(p.txs.map((t) => t.role)).toEqual(['fee', 'fee']);
    expect(outcomes(lane).map(({ reason, code }) => ({ reason, code }))).toEqual([
      { code: 'decryption-failed', reason: 'decryption-failed: tag mismatch' },
      { code: 'wrong-nonce', reason: "nonce 5 is not the fee transaction's nonce + 1 (1)" },
    ]);
  });

  it('takes a commitment out when its fee cannot execute, and skips a hidden one that cannot', async () => {
    const [f1, h1, f2, h2] = await Promise.all([
      transfer(1, 0),
      transfer(1, 1),
      transfer(2, 0),
      transfer(2, 1, { value: RICH }),
    ]);
    const opened = [commitment(0, f1, { revealed: h1 }), commitment(1, f2, { revealed: h2 })];
    const lane = await laneOf(opened);
    const p = await lane.plan(bookOf([[2, RICH]]));
    expect(p.txs.map((t) => t.hash)).toEqual([f2.tx.hash]);
    const [o1, o2] = outcomes(lane);
    expect(o1).toMatchObject({ code: 'fee-failed', txHash: h1.tx.hash });
    expect(o1.reason).toMatch(/^fee transaction not executable: insufficient funds: balance 0 < max cost /);
    expect(o2).toMatchObject({ code: 'execution-rejected', txHash: h2.tx.hash });
    expect(o2.reason).toMatch(/^insufficient funds: balance /);
  });

  it('follows what the engine refused: a fee fails its commitment, a hidden one is skipped', async () => {
    const [f1, h1, f2, h2] = await Promise.all([
      transfer(1, 0),
      transfer(1, 1),
      transfer(2, 0),
      transfer(2, 1),
    ]);
    const opened = [commitment(0, f1, { revealed: h1 }), commitment(1, f2, { revealed: h2 })];
    const lane = await laneOf(opened);
    const book = () =>
      bookOf([
        [1, RICH],
        [2, RICH],
      ]);
    const first = await lane.plan(book());
    lane.onRefused(first.txs[0], 'rejected by the L2 engine: boom');
    lane.onRefused(first.txs[3], 'rejected by the L2 engine: bang');
    expect((await lane.plan(book())).txs.map((t) => t.hash)).toEqual([f2.tx.hash]);
    expect(outcomes(lane).map(({ reason, code }) => ({ reason, code }))).toEqual([
      { code: 'fee-failed', reason: 'fee transaction not executable: rejected by the L2 engine: boom' },
      { code: 'execution-rejected', reason: 'rejected by the L2 engine: bang' },
    ]);
    lane.giveUp('sealed empty');
    expect((await lane.plan(book())).txs).toEqual([]);
    expect(outcomes(lane)[1]).toMatchObject({
      code: 'fee-failed',
      reason: 'fee transaction not executable: sealed empty',
    });
  });

  it('opens nothing without the mempool', async () => {
    const lane = new CommittedLane(5, undefined, undefined);
    expect(await lane.prepare()).toEqual([]);
    expect(await lane.plan(bookOf([]))).toEqual({ txs: [], gas: 0n });
  });
});
