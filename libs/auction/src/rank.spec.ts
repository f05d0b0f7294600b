/** Ranking: value or value per gas, exact comparison, and the seed-based tie-break. */
import { concat, keccak256 as ethersKeccak } from 'ethers';
import { toHex } from '@sealane/protocol';
import { clearAuction, makeRandomBids, tieBreakKey } from './index';
import { bid, rules, SEED, winnerHashes, winsTie } from './clear.fixture';

describe('tieBreakKey', () => {
  it('is keccak256(seed ‖ bundle hash bytes)', () => {
    const h = `0x${'ab'.repeat(32)}`;
    expect(toHex(tieBreakKey(SEED, h))).toBe(ethersKeccak(concat([SEED, h])));
  });
});

describe('ranking', () => {
  it('ranks by value, or by value per gas', () => {
    const heavy = bid(100n, { gasUsed: 70_000n, w: ['pool'] });
    const light = bid(60n, { gasUsed: 30_000n, w: ['pool'] });
    const byValue = clearAuction([light, heavy], rules(), SEED);
    expect(winnerHashes(byValue)).toEqual([heavy.bundleHash]);
    expect(byValue.winners[0].price).toBe(winsTie(SEED, heavy, light) ? 60n : 61n);
    const perGas = clearAuction([heavy, light], rules({ ranking: 'valuePerGas' }), SEED);
    expect(winnerHashes(perGas)).toEqual([light.bundleHash]);
    // Least v with v/30k > 100/70k: 3,000,000/70,000 = 42.86, so 43 (no tie possible).
    expect(perGas.winners[0].price).toBe(43n);
    expect(perGas.winners[0].refund).toBe(17n);
  });

  it('compares value per gas exactly, even where doubles cannot tell the scores apart', () => {
    const big = 10n ** 30n;
    const a = bid(big * 3n + 1n, { gasUsed: 3n, w: ['k'] });
    const b = bid(big, { gasUsed: 1n, w: ['k'] });
    const r = clearAuction([b, a], rules({ ranking: 'valuePerGas' }), SEED);
    expect(winnerHashes(r)).toEqual([a.bundleHash]);
    // a must stay ahead of b: v * 1 >= big * 3 when a wins the tie, else one more wei.
    expect(r.winners[0].price).toBe(winsTie(SEED, a, b) ? big * 3n : big * 3n + 1n);
  });
});

describe('ties', () => {
  const seeds = Array.from({ length: 32 }, (_, i) => new Uint8Array([i]));

  it('are broken by keccak256(seed ‖ bundle hash): deterministic per seed, reordered by another seed', () => {
    const a = bid(50n, { w: ['pool'] });
    const b = bid(50n, { w: ['pool'] });
    const outcomes = new Set<string>();
    for (const seed of seeds) {
      const r1 = clearAuction([a, b], rules(), seed);
      const r2 = clearAuction([b, a], rules(), seed);
      expect(winnerHashes(r2)).toEqual(winnerHashes(r1));
      const expected = winsTie(seed, a, b) ? a : b;
      expect(winnerHashes(r1)).toEqual([expected.bundleHash]);
      // Winning the tie at equal score, the winner pays exactly the loser's value.
      expect(r1.winners[0].price).toBe(50n);
      outcomes.add(r1.winners[0].bid.bundleHash);
    }
    expect(outcomes.size).toBe(2);
  });

  it('input order and arrival time never matter', () => {
    const bids = makeRandomBids(300, 5, { maxValue: 1000n });
    const r1 = clearAuction(bids, rules({ gasBudget: 2_000_000n }), SEED);
    const shuffled = [...bids].reverse().map((b, i) => ({ ...b, receivedAt: -i }));
    const r2 = clearAuction(shuffled, rules({ gasBudget: 2_000_000n }), SEED);
    expect(winnerHashes(r2)).toEqual(winnerHashes(r1));
    expect(r2.winners.map((w) => w.price)).toEqual(r1.winners.map((w) => w.price));
    expect(r2.losers.map((l) => l.bid.bundleHash)).toEqual(r1.losers.map((l) => l.bid.bundleHash));
  });
});
