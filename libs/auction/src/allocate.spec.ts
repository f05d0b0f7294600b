/** Greedy allocation of the MEV lane: reserve, gas budget, conflicts. */
import { clearAuction, makeRandomBids, type Bid } from './index';
import { bid, rules, SEED, winnerHashes } from './clear.fixture';

describe('allocation', () => {
  it('takes every non-conflicting bundle that fits, in rank order', () => {
    const [a, b, c] = [bid(10n), bid(30n), bid(20n)];
    const r = clearAuction([a, b, c], rules({ pricing: 'first' }), SEED);
    expect(winnerHashes(r)).toEqual([b, c, a].map((x) => x.bundleHash));
    expect(r.losers).toEqual([]);
    expect(r.gasUsed).toBe(300_000n);
  });

  it('handles an empty slot', () => {
    expect(clearAuction([], rules(), SEED)).toEqual({ winners: [], losers: [], gasUsed: 0n });
  });

  it('refuses bundles below the reserve, and takes one exactly at it', () => {
    const [low, at] = [bid(9n), bid(10n)];
    const r = clearAuction([low, at], rules({ reservePrice: 10n }), SEED);
    expect(winnerHashes(r)).toEqual([at.bundleHash]);
    expect(r.losers).toEqual([{ bid: low, code: 'below-reserve', reason: 'below reserve' }]);
  });

  it('respects the lane gas budget and keeps filling it with later bundles that fit', () => {
    const big = bid(100n, { gasUsed: 600_000n });
    const mid = bid(90n, { gasUsed: 500_000n });
    const huge = bid(80n, { gasUsed: 1_500_000n });
    const small = bid(10n, { gasUsed: 400_000n });
    const r = clearAuction([small, huge, mid, big], rules({ pricing: 'first' }), SEED);
    expect(winnerHashes(r)).toEqual([big.bundleHash, small.bundleHash]);
    expect(r.losers.map((l) => [l.bid.bundleHash, l.reason])).toEqual([
      [mid.bundleHash, 'exceeds remaining gas'],
      [huge.bundleHash, 'exceeds gas budget'],
    ]);
    expect(r.gasUsed).toBe(1_000_000n);
  });
});

describe('conflicts', () => {
  const pair = (x: Bid, y: Bid) => clearAuction([x, y], rules({ pricing: 'first' }), SEED);

  it('write/write conflict: only the higher one wins, and the loser says with whom', () => {
    const a = bid(20n, { w: ['pool:0x8'] });
    const b = bid(10n, { w: ['pool:0x8'] });
    const r = pair(b, a);
    expect(winnerHashes(r)).toEqual([a.bundleHash]);
    expect(r.losers).toEqual([
      { bid: b, code: 'conflict', reason: `conflicts with ${a.bundleHash}`, conflictsWith: a.bundleHash },
    ]);
  });

  it('read/write conflicts in both directions', () => {
    const writer = bid(20n, { w: ['k'] });
    const reader = bid(10n, { r: ['k'] });
    expect(winnerHashes(pair(writer, reader))).toEqual([writer.bundleHash]);
    const writer2 = bid(10n, { w: ['k'] });
    const reader2 = bid(20n, { r: ['k'] });
    expect(winnerHashes(pair(writer2, reader2))).toEqual([reader2.bundleHash]);
  });

  it('read/read is not a conflict', () => {
    expect(pair(bid(20n, { r: ['oracle'] }), bid(10n, { r: ['oracle'] })).winners).toHaveLength(2);
  });

  it('the same (sender, nonce) conflicts', () => {
    const nonces = [{ sender: '0xaa', nonce: 7 }];
    expect(pair(bid(20n, { nonces }), bid(10n, { nonces })).winners).toHaveLength(1);
  });

  it('the same sender with different nonces conflicts (a sender is in at most one winning bundle)', () => {
    const a = bid(20n, { nonces: [{ sender: '0xaa', nonce: 7 }] });
    const b = bid(10n, {
      nonces: [
        { sender: '0xbb', nonce: 1 },
        { sender: '0xaa', nonce: 8 },
      ],
    });
    const r = pair(a, b);
    expect(winnerHashes(r)).toEqual([a.bundleHash]);
    expect(r.losers[0].conflictsWith).toBe(a.bundleHash);
  });

  it('a shared transaction hash conflicts (two backruns of one user transaction)', () => {
    const a = bid(20n, { txHashes: ['0xuser', '0xa'] });
    const b = bid(10n, { txHashes: ['0xuser', '0xb'] });
    expect(winnerHashes(pair(a, b))).toEqual([a.bundleHash]);
  });

  it('a loser that conflicts with several winners names the one holding its first shared write', () => {
    const a = bid(30n, { w: ['x'] });
    const b = bid(20n, { w: ['y'] });
    const c = bid(10n, { w: ['y', 'x'] });
    const r = clearAuction([c, b, a], rules(), SEED);
    expect(r.losers[0].conflictsWith).toBe(b.bundleHash);
  });

  it('a bundle that loses to a conflict does not block later ones', () => {
    const a = bid(30n, { w: ['x'] });
    const b = bid(20n, { w: ['x', 'y'] });
    const c = bid(10n, { w: ['y'] });
    expect(winnerHashes(clearAuction([a, b, c], rules(), SEED))).toEqual([a.bundleHash, c.bundleHash]);
  });
});

describe('makeRandomBids', () => {
  it('is deterministic and clears with realistic contention', () => {
    const a = makeRandomBids(500, 42);
    expect(makeRandomBids(500, 42)).toEqual(a);
    const r = clearAuction(a, rules({ gasBudget: 3_000_000n, reservePrice: 10n ** 14n }), SEED);
    expect(r.winners.length).toBeGreaterThan(1);
    expect(r.winners.length + r.losers.length).toBe(500);
    expect(r.losers.some((l) => l.code === 'conflict')).toBe(true);
  });
});
