import { keccak256, Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import type { SealedBlock } from '@sealane/store';
import type { AuctionOutcome, AuctionWinner } from './clear';
import { matchesPlan, plannedAuction, recordOf, type SlotPlan } from './record';

const sign = (key: number, nonce: number) =>
  new Wallet(DEV_KEYS[key]).signTransaction({
    type: 2,
    chainId: 24225,
    nonce,
    to: new Wallet(DEV_KEYS[9]).address,
    value: 1n,
    gasLimit: 21_000n,
    maxFeePerGas: 10n ** 10n,
    maxPriorityFeePerGas: 1n,
  });
const addr = (key: number) => new Wallet(DEV_KEYS[key]).address.toLowerCase();
const h = (raw: string) => keccak256(raw);

async function fixture() {
  const raws = {
    b1: await sign(1, 0),
    b2: await sign(1, 1),
    fee: await sign(2, 0),
    hidden: await sign(2, 1),
    fee2: await sign(3, 0),
    pub: await sign(4, 0),
    refund: await sign(0, 0),
  };
  const bundle = '0x' + 'bb'.repeat(32);
  const lost = '0x' + 'cc'.repeat(32);
  const [c1, c2] = ['0x' + '01'.repeat(32), '0x' + '02'.repeat(32)];
  const plan: SlotPlan = {
    slot: 7,
    parentHash: '0x' + '66'.repeat(32),
    startMs: 14_000,
    paramsVersion: 2,
    builder: 'a',
    txs: [
      { hash: h(raws.b1), raw: raws.b1, from: addr(1), role: 'bundle', bundle },
      { hash: h(raws.b2), raw: raws.b2, from: addr(1), role: 'bundle', bundle },
      { hash: h(raws.fee), raw: raws.fee, from: addr(2), role: 'fee', commitment: c1 },
      { hash: h(raws.hidden), raw: raws.hidden, from: addr(2), role: 'revealed', commitment: c1 },
      { hash: h(raws.fee2), raw: raws.fee2, from: addr(3), role: 'fee', commitment: c2 },
      { hash: h(raws.pub), raw: raws.pub, from: addr(4), role: 'public' },
      { hash: h(raws.refund), raw: raws.refund, from: addr(0), role: 'refund', refundFor: bundle },
    ],
    skipped: [
      { hash: '0x' + '55'.repeat(32), from: addr(5), reason: 'insufficient funds: balance 0 < max cost 1' },
    ],
    chainIncluded: [{ hash: '0x' + '44'.repeat(32), from: addr(6), block: 3, index: 1 }],
    auction: {
      paramsVersion: 2,
      rules: { pricing: 'critical', ranking: 'value', reservePrice: '0', gasBudget: 1_000_000 },
      seed: '0x' + '99'.repeat(32),
      bids: 2,
      bidsRoot: '0x' + '77'.repeat(32),
      leaves: ['0x' + '78'.repeat(32), '0x' + '79'.repeat(32)],
      winners: [
        {
          bundleHash: bundle,
          searcher: addr(1),
          value: '30',
          price: '20',
          refund: '10',
          gasUsed: 42_000,
          priceSetBy: lost,
          txHashes: [h(raws.b1), h(raws.b2)],
        },
      ],
      dropped: [{ bundleHash: lost, reason: 'fails in place: reverted' }],
    },
    commitments: [
      { commitment: c1, feeTxHash: h(raws.fee), txHash: h(raws.hidden) },
      { commitment: c2, feeTxHash: h(raws.fee2), reason: 'not revealed' },
    ],
  };
  const block = (txHashes: string[]): SealedBlock => ({
    number: 7,
    hash: '0x' + 'ab'.repeat(32),
    parentHash: plan.parentHash,
    timestamp: 14,
    startMs: 14_000,
    txs: txHashes.map((x) => plan.txs.find((t) => t.hash === x)!.raw),
    txHashes,
    paramsVersion: 2,
    builder: 'b',
    stateRoot: '0x' + 'cd'.repeat(32),
    feeRecipient: '0x' + '00'.repeat(20),
    orderRoot: '0x' + '00'.repeat(32),
    bidsRoot: '0x' + '00'.repeat(32),
    forceInclusionDelaySlots: 10,
  });
  return { raws, plan, block, bundle, lost, c1, c2 };
}

describe('recordOf', () => {
  it('records an honest slot completely: statuses, bundle states, results and outcomes', async () => {
    const { plan, block, bundle, lost, c1, c2, raws } = await fixture();
    const sealed = block(plan.txs.map((t) => t.hash));
    expect(matchesPlan(plan, sealed)).toBe(true);
    const r = recordOf(plan, sealed);
    expect(r.block).toBe(sealed);
    expect(r.txs.slice(0, 7)).toEqual(
      plan.txs.map((t, index) => ({
        hash: t.hash,
        from: t.from,
        status: { status: 'included', block: 7, index },
      })),
    );
    expect(r.txs.slice(7)).toEqual([
      { hash: '0x' + '44'.repeat(32), from: addr(6), status: { status: 'included', block: 3, index: 1 } },
      {
        hash: '0x' + '55'.repeat(32),
        from: addr(5),
        status: { status: 'skipped', slot: 7, reason: 'insufficient funds: balance 0 < max cost 1' },
      },
    ]);
    expect(r.bundles).toEqual([
      { bundleHash: bundle, patch: { state: 'included', block: 7, refundTxHash: h(raws.refund) } },
      { bundleHash: lost, patch: { state: 'dropped', block: 7, reason: 'fails in place: reverted' } },
    ]);
    expect(r.results).toEqual({
      slot: 7,
      block: 7,
      paramsVersion: 2,
      rules: plan.auction!.rules,
      seed: plan.auction!.seed,
      bids: 2,
      bidsRoot: plan.auction!.bidsRoot,
      leaves: plan.auction!.leaves,
      winners: [
        {
          bundleHash: bundle,
          searcher: addr(1),
          value: '30',
          price: '20',
          refund: '10',
          gasUsed: 42_000,
          priceSetBy: lost,
          refundTxHash: h(raws.refund),
        },
      ],
      dropped: [{ bundleHash: lost, reason: 'fails in place: reverted' }],
    });
    expect(r.commitments).toEqual([
      {
        commitment: c1,
        patch: {
          state: 'included',
          block: 7,
          index: 3,
          txHash: h(raws.hidden),
          feeTxHash: h(raws.fee),
          feeTxIndex: 2,
        },
      },
      {
        commitment: c2,
        patch: { state: 'expired', block: 7, reason: 'not revealed', feeTxHash: h(raws.fee2), feeTxIndex: 4 },
      },
    ]);
  });

  it('is a function of plan and block: the leader and an adopting standby record the same', async () => {
    const { plan, block } = await fixture();
    const sealed = block(plan.txs.map((t) => t.hash));
    const again = JSON.parse(JSON.stringify(plan)) as SlotPlan;
    expect(recordOf(again, { ...sealed, builder: 'other' })).toEqual(
      recordOf(plan, { ...sealed, builder: 'other' }),
    );
  });

  it('follows the block where it departs from the plan', async () => {
    const { plan, block, bundle, c1, raws } = await fixture();
    // The block lacks the bundle's second transaction, the hidden one and the refund.
    const sealed = block([h(raws.b1), h(raws.fee), h(raws.fee2), h(raws.pub)]);
    expect(matchesPlan(plan, sealed)).toBe(false);
    const r = recordOf(plan, sealed);
    expect(r.results!.winners).toEqual([]);
    expect(r.results!.dropped).toContainEqual({ bundleHash: bundle, reason: 'not in sealed block 7' });
    expect(r.bundles).toContainEqual({
      bundleHash: bundle,
      patch: { state: 'dropped', block: 7, reason: 'not in sealed block 7' },
    });
    expect(r.commitments[0]).toEqual({
      commitment: c1,
      patch: { state: 'skipped', block: 7, reason: 'not included', feeTxHash: h(raws.fee), feeTxIndex: 1 },
    });
    expect(r.txs.filter((t) => t.status.status === 'included' && t.status.block === 7)).toHaveLength(4);
  });

  it('never records a skip for a transaction the block holds', async () => {
    const { plan, block, raws } = await fixture();
    const p = { ...plan, skipped: [{ hash: h(raws.pub), from: addr(4), reason: 'nonce too low' }] };
    const r = recordOf(p, block(plan.txs.map((t) => t.hash)));
    expect(r.txs.filter((t) => t.hash === h(raws.pub))).toEqual([
      { hash: h(raws.pub), from: addr(4), status: { status: 'included', block: 7, index: 5 } },
    ]);
  });

  it('records a block sealed without a plan from what it holds, and closes what was sent for it', async () => {
    const { plan, block, raws } = await fixture();
    const sealed = block([h(raws.pub), h(raws.b1)]);
    const r = recordOf(null, sealed, { bundles: ['0x01'], commitments: ['0x02'], reason: 'sealed outside' });
    expect(r.txs).toEqual([
      { hash: h(raws.pub), from: addr(4), status: { status: 'included', block: 7, index: 0 } },
      { hash: h(raws.b1), from: addr(1), status: { status: 'included', block: 7, index: 1 } },
    ]);
    expect(r.results).toBeNull();
    expect(r.bundles).toEqual([
      { bundleHash: '0x01', patch: { state: 'dropped', block: 7, reason: 'sealed outside' } },
    ]);
    expect(r.commitments).toEqual([
      { commitment: '0x02', patch: { state: 'skipped', block: 7, reason: 'sealed outside' } },
    ]);
    expect(plan.txs).toHaveLength(7);
  });
});

describe('plannedAuction', () => {
  it('keeps the outcome as it will be published: decimal strings, the seed in hex, the placed winners only', () => {
    const bundle = { txHashes: ['0x01', '0x02'] } as unknown as AuctionWinner['bundle'];
    const winner = (bundleHash: string): AuctionWinner => ({
      bundle,
      bid: { bundleHash, searcher: '0xs', value: 30n, gasUsed: 42_000n } as unknown as AuctionWinner['bid'],
      price: 20n,
      refund: 10n,
      priceSetBy: '0xother',
    });
    const outcome: AuctionOutcome = {
      slot: 7,
      seed: new Uint8Array(32).fill(0x99),
      rules: { pricing: 'critical', ranking: 'value', reservePrice: 5n, gasBudget: 1_000_000n },
      bids: 3,
      leaves: ['0xl'],
      bidsRoot: '0xr',
      winners: [winner('0xaa'), winner('0xbb')],
    };
    expect(
      plannedAuction(outcome, [outcome.winners[1]], new Map([['0xaa', { reason: 'fails in place' }]]), 4),
    ).toEqual({
      paramsVersion: 4,
      rules: { pricing: 'critical', ranking: 'value', reservePrice: '5', gasBudget: 1_000_000 },
      seed: '0x' + '99'.repeat(32),
      bids: 3,
      bidsRoot: '0xr',
      leaves: ['0xl'],
      winners: [
        {
          bundleHash: '0xbb',
          searcher: '0xs',
          value: '30',
          price: '20',
          refund: '10',
          gasUsed: 42_000,
          priceSetBy: '0xother',
          txHashes: ['0x01', '0x02'],
        },
      ],
      dropped: [{ bundleHash: '0xaa', reason: 'fails in place' }],
    });
  });
});
