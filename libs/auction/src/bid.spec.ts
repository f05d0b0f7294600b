/** Bid checks and the one-bid-per-bundleHash rule. */
import fc from 'fast-check';
import { clearAuction, InvalidBidError, InvalidRulesError, type Bid } from './index';
import { bid, rules, SEED } from './clear.fixture';

describe('input checks', () => {
  it('rejects malformed bids and rules', () => {
    const ok = bid(1n);
    expect(() => clearAuction([{ ...ok, bundleHash: ok.bundleHash.toUpperCase() }], rules(), SEED)).toThrow(
      InvalidBidError,
    );
    expect(() => clearAuction([{ ...ok, gasUsed: 0n }], rules(), SEED)).toThrow(InvalidBidError);
    expect(() => clearAuction([{ ...ok, value: -1n }], rules(), SEED)).toThrow(InvalidBidError);
    expect(() => clearAuction([ok], rules({ reservePrice: -1n }), SEED)).toThrow(InvalidRulesError);
    expect(() => clearAuction([ok], rules({ ranking: 'fifo' as never }), SEED)).toThrow(InvalidRulesError);
    expect(() => clearAuction([ok], rules({ gasBudget: 2n ** 60n }), SEED)).toThrow(InvalidRulesError);
  });
});

describe('duplicate bundle hashes', () => {
  it('clears with the earliest received of a bundle sent twice; the later one loses as a duplicate', () => {
    const rival = bid(5n, { w: ['0xpool'] });
    const original = bid(9n, { w: ['0xpool'], receivedAt: 100 });
    // The same transactions sent again (another replacementUuid, another searcher): one bundleHash.
    const copy: Bid = { ...original, searcher: '0x' + 'cc'.repeat(20), receivedAt: 200 };
    const copyFirst = clearAuction([copy, rival, original], rules(), SEED);
    expect(copyFirst.winners).toHaveLength(1);
    expect(copyFirst.winners[0].bid).toBe(original);
    // It pays what it would have alone: the copy neither sets its price nor takes part.
    expect(copyFirst.winners[0].price).toBe(clearAuction([rival, original], rules(), SEED).winners[0].price);
    expect(copyFirst.losers).toEqual([
      {
        bid: rival,
        code: 'conflict',
        reason: `conflicts with ${original.bundleHash}`,
        conflictsWith: original.bundleHash,
      },
      { bid: copy, code: 'duplicate', reason: 'duplicate bundleHash' },
    ]);
  });

  it('keeps input order among copies received at the same time, and never throws on any number of them', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 30 }), (picks) => {
        const pool = Array.from({ length: 6 }, (_, i) => bid(BigInt(i + 1)));
        const bids = picks.map((p) => ({ ...pool[p], receivedAt: 0 }));
        const r = clearAuction(bids, rules({ gasBudget: 10_000_000n }), SEED);
        const distinct = new Set(picks).size;
        expect(r.winners.length + r.losers.length).toBe(bids.length);
        expect(r.losers.filter((l) => l.code === 'duplicate')).toHaveLength(bids.length - distinct);
        // The first of each hash in input order is the one that takes part.
        const taking = [
          ...r.winners.map((w) => w.bid),
          ...r.losers.filter((l) => l.code !== 'duplicate').map((l) => l.bid),
        ];
        for (const b of taking)
          expect(bids.indexOf(b)).toBe(bids.findIndex((x) => x.bundleHash === b.bundleHash));
      }),
    );
  });
});
