import { Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import type { BatchResult } from '@sealane/engine';
import type { ParamsSnapshot } from '@sealane/params';
import type { PoolEntry, PublicLane } from '@sealane/store';
import type { Account } from '@sealane/protocol';
import type { AuctionOutcome, AuctionWinner } from './clear';
import {
  addr,
  CHAIN_ID,
  commitment,
  ctx,
  engine,
  refusal,
  RICH,
  simulator,
  transfer,
  winner,
  type Signed,
} from '../lanes/lanes.fixture';
import type { OpenedCommitment } from '../mempool.runner';
import { planSlot, type PlanDeps, type PlanInput } from './plan';
import type { PlannedTx } from './record';

const snap = {
  version: 2,
  activationSlot: 0,
  values: { publicLaneMaxTxs: 100 },
} as unknown as ParamsSnapshot;
const accounts = new Map<string, Account>(
  [0, 1, 2, 3, 4, 5, 6].map((k) => [addr(k), { nonce: 0, balance: RICH }]),
);
const entry = (s: Signed, seq: number): PoolEntry => ({ hash: s.tx.hash, from: s.tx.from, raw: s.raw, seq });

/** planSlot over fakes: `refuse` answers the engine's refusal of a planned transaction, if any. */
function setup(opts: {
  pool?: Signed[];
  winners?: AuctionWinner[];
  opened?: OpenedCommitment[];
  refuse?: (t: PlannedTx, i: number, all: PlannedTx[]) => string | undefined;
}) {
  const submitted: PlannedTx[][] = [];
  const errors: string[] = [];
  const deps: PlanDeps = {
    builderId: 'a',
    blockGasLimit: 30_000_000n,
    engine: engine(accounts),
    lane: { peek: async () => (opts.pool ?? []).map(entry) } as unknown as PublicLane,
    submit: async (txs) => {
      submitted.push(txs);
      return txs.map((t, i): BatchResult => {
        const why = opts.refuse?.(t, i, txs);
        return why ? refusal(why) : { ok: true, result: t.hash };
      });
    },
    auction: { simulator: simulator(), feeRecipient: new Wallet(DEV_KEYS[0]), chainId: CHAIN_ID },
    ...(opts.opened ? { mempool: { open: async () => opts.opened! } } : {}),
    logger: { error: (m) => errors.push(m) },
  };
  const outcome: AuctionOutcome | undefined = opts.winners && {
    slot: 5,
    seed: new Uint8Array(32),
    rules: { pricing: 'first', ranking: 'value', reservePrice: 0n, gasBudget: 1_000_000n },
    bids: opts.winners.length,
    leaves: [],
    bidsRoot: '0x',
    winners: opts.winners,
  };
  const input: PlanInput = {
    slot: 5,
    startMs: 10_000,
    parentHash: '0x' + '66'.repeat(32),
    snap,
    ctx,
    ...(outcome ? { outcome } : {}),
    ...(opts.opened ? { committed: opts.opened.map((o) => o.commitment) } : {}),
  };
  return { plan: () => planSlot(deps, input), submitted, errors };
}

describe('planSlot', () => {
  it('orders the block lane after lane: winners, committed, public, refunds', async () => {
    const [b0, f0, h0, p0] = await Promise.all([
      transfer(1, 0),
      transfer(2, 0),
      transfer(2, 1),
      transfer(3, 0),
    ]);
    const w = winner([b0], 10n, 3n);
    const s = setup({ pool: [p0], winners: [w], opened: [commitment(0, f0, { revealed: h0 })] });
    const plan = await s.plan();
    expect(plan.txs.map((t) => t.role)).toEqual(['bundle', 'fee', 'revealed', 'public', 'refund']);
    expect(plan.txs.slice(0, 4).map((t) => t.hash)).toEqual([b0.tx.hash, f0.tx.hash, h0.tx.hash, p0.tx.hash]);
    expect(s.submitted).toHaveLength(1);
    expect(plan).toMatchObject({ slot: 5, paramsVersion: 2, builder: 'a', skipped: [], chainIncluded: [] });
    expect(plan.auction?.winners.map((x) => x.bundleHash)).toEqual([w.bid.bundleHash]);
    expect(plan.commitments).toEqual([
      { commitment: expect.any(String), feeTxHash: f0.tx.hash, txHash: h0.tx.hash },
    ]);
  });

  it('skips a public transaction the engine refuses, with its code, and plans the block again', async () => {
    const [a0, b0] = await Promise.all([transfer(1, 0), transfer(2, 0)]);
    const s = setup({ pool: [a0, b0], refuse: (t) => (t.hash === a0.tx.hash ? 'nonce too low' : undefined) });
    const plan = await s.plan();
    expect(s.submitted.map((txs) => txs.map((t) => t.hash))).toEqual([
      [a0.tx.hash, b0.tx.hash],
      [b0.tx.hash],
    ]);
    expect(plan.txs.map((t) => t.hash)).toEqual([b0.tx.hash]);
    expect(plan.skipped).toEqual([
      {
        hash: a0.tx.hash,
        from: addr(1),
        code: 'engine-refused',
        reason: 'rejected by the L2 engine: nonce too low',
      },
    ]);
  });

  it('skips a commitment as fee-failed when the engine refuses its fee transaction', async () => {
    const [f0, h0] = await Promise.all([transfer(2, 0), transfer(2, 1)]);
    const s = setup({
      opened: [commitment(0, f0, { revealed: h0 })],
      refuse: (t) => (t.role === 'fee' ? 'gas' : undefined),
    });
    const plan = await s.plan();
    expect(plan.txs).toEqual([]);
    expect(plan.commitments).toEqual([
      {
        commitment: expect.any(String),
        feeTxHash: f0.tx.hash,
        txHash: h0.tx.hash,
        code: 'fee-failed',
        reason: 'fee transaction not executable: rejected by the L2 engine: gas',
      },
    ]);
  });

  it('drops a winner whose refund the engine refuses, and keeps the others', async () => {
    const [a0, b0] = await Promise.all([transfer(1, 0), transfer(2, 0)]);
    const [w1, w2] = [winner([a0], 10n, 5n), winner([b0], 10n, 0n)];
    const s = setup({
      winners: [w1, w2],
      refuse: (t) => (t.role === 'refund' ? 'insufficient funds' : undefined),
    });
    const plan = await s.plan();
    expect(plan.txs.map((t) => t.hash)).toEqual([b0.tx.hash]);
    expect(plan.auction?.winners.map((x) => x.bundleHash)).toEqual([w2.bid.bundleHash]);
    expect(plan.auction?.dropped).toEqual([
      {
        bundleHash: w1.bid.bundleHash,
        code: 'refund-refused',
        reason: 'its refund was rejected by the L2 engine: insufficient funds',
      },
    ]);
  });

  it('seals the slot empty after MAX_SUBMIT_ROUNDS refused rounds: winners dropped, commitments fee-failed, the public lane waits', async () => {
    const [b0, f0, ...pool] = await Promise.all([
      transfer(1, 0),
      transfer(2, 0),
      ...[3, 4, 5, 6].map((k) => transfer(k, 0)),
    ]);
    const w = winner([b0]);
    // Each round the engine refuses the block's last transaction.
    const s = setup({
      pool,
      winners: [w],
      opened: [commitment(0, f0)],
      refuse: (_, i, all) => (i === all.length - 1 ? 'busy' : undefined),
    });
    const plan = await s.plan();
    expect(s.submitted.map((txs) => txs.length)).toEqual([6, 5, 4, 3, 0]);
    expect(plan.txs).toEqual([]);
    const why = "the L2 engine refused this block's transactions 4 rounds in a row";
    expect(s.errors).toEqual([`slot 5: ${why}; sealing it empty`]);
    expect(plan.auction?.winners).toEqual([]);
    expect(plan.auction?.dropped).toEqual([
      { bundleHash: w.bid.bundleHash, code: 'block-refused', reason: why },
    ]);
    expect(plan.commitments).toEqual([
      {
        commitment: expect.any(String),
        feeTxHash: f0.tx.hash,
        code: 'fee-failed',
        reason: `fee transaction not executable: ${why}`,
      },
    ]);
    expect(plan.skipped.map((x) => [x.hash, x.code])).toEqual(
      [...pool].reverse().map((p) => [p.tx.hash, 'engine-refused']),
    );
  });
});
