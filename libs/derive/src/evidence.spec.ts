import { concat, keccak256, ZeroHash } from 'ethers';
import type { BatchBlock } from '@sealane/batch';
import { checkEvidence, type SlotDataSource } from './index';

const h = (s: string) => keccak256('0x' + Buffer.from(s).toString('hex'));
const [forced, w1a, w1b, w2, refund, fee, hidden, pub] = [
  'forced',
  'w1a',
  'w1b',
  'w2',
  'refund',
  'fee',
  'hidden',
  'pub',
].map(h);
const ORDER = h('order');
const BIDS = h('bids');
const bundle = (...txs: string[]) => keccak256(concat(txs));

const block: BatchBlock = {
  number: 9,
  timestamp: 100,
  feeRecipient: '0x' + '00'.repeat(20),
  txs: [],
  hash: h('block'),
  stateRoot: h('state'),
  evidence: { paramsVersion: 2, forceInclusionDelaySlots: 10, orderRoot: ORDER, bidsRoot: BIDS },
};
const honest = [forced, w1a, w1b, w2, fee, hidden, pub, refund];

function source(
  over: Partial<{ [K in keyof SlotDataSource]: Awaited<ReturnType<SlotDataSource[K]>> }> = {},
): SlotDataSource {
  return {
    order: async () => (over.order !== undefined ? over.order : { count: 1, root: ORDER }),
    commitments: async () =>
      over.commitments ?? [{ feeTxHash: fee, outcome: { status: 'included', index: 5, txHash: hidden } }],
    results: async () =>
      over.results !== undefined
        ? over.results
        : {
            bidsRoot: BIDS,
            winners: [{ bundleHash: bundle(w1a, w1b), refundTxHash: refund }, { bundleHash: bundle(w2) }],
          },
    params: async () => over.params ?? { version: 2, values: { forceInclusionDelaySlots: 10 } },
  };
}
const check = (txs: string[], src = source(), b = block) => checkEvidence(b, txs, new Set([forced]), src);

describe('ordering evidence', () => {
  it('accepts a block that holds what the slot published, where it says', async () => {
    expect(await check(honest)).toBeNull();
    const empty = { ...block, evidence: { ...block.evidence, orderRoot: ZeroHash, bidsRoot: ZeroHash } };
    expect(await check([pub], source({ order: null, commitments: [], results: null }), empty)).toBeNull();
  });

  it('refuses roots and parameters other than the published ones', async () => {
    expect(
      await check(honest, source({ params: { version: 3, values: { forceInclusionDelaySlots: 10 } } })),
    ).toMatch(/parameters version 2, the slot ran under version 3/);
    expect(
      await check(honest, source({ params: { version: 2, values: { forceInclusionDelaySlots: 5 } } })),
    ).toMatch(/forceInclusionDelaySlots 10/);
    expect(await check(honest, source({ order: { count: 1, root: h('other') } }))).toMatch(/order root/);
    expect(await check(honest, source({ order: null }))).toMatch(/order root/);
    expect(await check(honest, source({ results: { bidsRoot: h('x'), winners: [] } }))).toMatch(/bids root/);
  });

  it('refuses winners out of allocation order, split, or below other transactions, and a missing refund', async () => {
    expect(await check([forced, w2, w1a, w1b, fee, hidden, pub, refund])).toMatch(/winner .* not next/);
    expect(await check([forced, w1a, pub, w1b, w2, fee, hidden, refund])).toMatch(/winner .* not next/);
    expect(await check([w1a, w1b, forced, w2, fee, hidden, pub, refund])).toMatch(/winner .* not next/);
    expect(await check([forced, w1a, w1b, w2, fee, hidden, pub])).toMatch(/refund .* not in the block/);
  });

  it('refuses committed transactions away from their fee transaction or recorded index', async () => {
    expect(await check([forced, w1a, w1b, w2, hidden, fee, pub, refund])).toMatch(
      /not at its recorded index 5/,
    );
    const moved = source({
      commitments: [{ feeTxHash: fee, outcome: { status: 'included', index: 6, txHash: hidden } }],
    });
    expect(await check([forced, w1a, w1b, w2, fee, pub, hidden, refund], moved)).toMatch(
      /does not follow its fee/,
    );
    expect(
      await check(
        [forced, w1a, w1b, w2, pub, refund],
        source({ commitments: [{ feeTxHash: fee, outcome: null }] }),
      ),
    ).toMatch(/fee transaction .* not in the block/);
  });
});
