import fc from 'fast-check';
import { concat, keccak256 as ethersKeccak } from 'ethers';
import {
  clearAuction,
  InvalidBidError,
  InvalidRulesError,
  makeRandomBids,
  tieBreakKey,
  type AuctionResult,
  type AuctionRules,
  type Bid,
} from './index';
import { toHex } from '@sealane/protocol';

const SEED = new Uint8Array(32).fill(1);

let counter = 0;
/** A bid with its own sender and transaction, touching nothing unless told. */
function bid(
  value: bigint,
  extra: Partial<Omit<Bid, 'reads' | 'writes'>> & { r?: string[]; w?: string[] } = {},
): Bid {
  counter++;
  const { r = [], w = [], ...rest } = extra;
  const id = counter.toString(16).padStart(40, '0');
  return {
    bundleHash: `0x${counter.toString(16).padStart(64, '0')}`,
    searcher: `0x${id}`,
    value,
    gasUsed: 100_000n,
    txHashes: [`0x${'e'.repeat(24)}${id}`],
    reads: new Set(r),
    writes: new Set(w),
    nonces: [{ sender: `0x${'5'.repeat(8)}${id.slice(8)}`, nonce: 0 }],
    receivedAt: counter,
    ...rest,
  };
}

const rules = (over: Partial<AuctionRules> = {}): AuctionRules => ({
  pricing: 'critical',
  ranking: 'value',
  reservePrice: 0n,
  gasBudget: 1_000_000n,
  ...over,
});

const winnerHashes = (r: AuctionResult): string[] => r.winners.map((w) => w.bid.bundleHash);
const key = (seed: Uint8Array, b: Bid): string => toHex(tieBreakKey(seed, b.bundleHash));
/** Whether a ranks ahead of b on a tie. */
const winsTie = (seed: Uint8Array, a: Bid, b: Bid): boolean => key(seed, a) < key(seed, b);

describe('tieBreakKey', () => {
  it('is keccak256(seed ‖ bundle hash bytes)', () => {
    const h = `0x${'ab'.repeat(32)}`;
    expect(toHex(tieBreakKey(SEED, h))).toBe(ethersKeccak(concat([SEED, h])));
  });
});

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

describe('pricing', () => {
  it('first price: the winner pays its value, no refund', () => {
    const a = bid(100n, { w: ['pool'] });
    const r = clearAuction(
      [a, bid(70n, { w: ['pool'] })],
      rules({ pricing: 'first', reservePrice: 5n }),
      SEED,
    );
    expect(r.winners).toEqual([{ bid: a, price: 100n, refund: 0n, priceSetBy: null }]);
  });

  it('critical with one winner over a conflicting loser is the second price (+1 wei if it loses the tie)', () => {
    const a = bid(100n, { w: ['pool'] });
    const b = bid(70n, { w: ['pool'] });
    const prices = new Set<bigint>();
    for (let i = 0; i < 32; i++) {
      const seed = new Uint8Array([i]);
      const [w] = clearAuction([a, b], rules({ reservePrice: 5n }), seed).winners;
      const expected = winsTie(seed, a, b) ? 70n : 71n;
      expect(w).toEqual({ bid: a, price: expected, refund: 100n - expected, priceSetBy: b.bundleHash });
      prices.add(w.price);
    }
    expect(prices).toEqual(new Set([70n, 71n]));
  });

  it('critical: a lone winner, or winners that all fit without conflict, pay the reserve', () => {
    const a = bid(100n);
    const b = bid(70n);
    const r = clearAuction([a, b], rules({ reservePrice: 5n }), SEED);
    expect(r.winners.map((w) => [w.price, w.refund, w.priceSetBy])).toEqual([
      [5n, 95n, null],
      [5n, 65n, null],
    ]);
  });

  it('critical: never below the reserve, even when the runner-up bid less', () => {
    const a = bid(100n, { w: ['pool'] });
    const b = bid(3n, { w: ['pool'] });
    const c = bid(40n, { w: ['pool'] });
    expect(clearAuction([a, b], rules({ reservePrice: 5n }), SEED).winners[0].price).toBe(5n);
    const [w] = clearAuction([a, b, c], rules({ reservePrice: 50n }), SEED).winners;
    expect([w.price, w.priceSetBy]).toEqual([50n, null]);
  });

  it('critical: a winner pushed out by gas alone pays what keeps it ahead of that bundle', () => {
    // Budget fits a+b or a+c, not all three. c's price: it must stay ahead of d, which would fill the gap.
    const a = bid(100n, { gasUsed: 500_000n });
    const c = bid(60n, { gasUsed: 500_000n });
    const d = bid(40n, { gasUsed: 500_000n });
    const r = clearAuction([a, c, d], rules(), SEED);
    expect(winnerHashes(r)).toEqual([a.bundleHash, c.bundleHash]);
    expect(r.winners[1].price).toBe(winsTie(SEED, c, d) ? 40n : 41n);
    expect(r.winners[1].priceSetBy).toBe(d.bundleHash);
    // a must stay ahead of d too (c moves up without a, then d takes the rest).
    expect(r.winners[0].price).toBe(winsTie(SEED, a, d) ? 40n : 41n);
  });

  it('one winner among bundles that all conflict pays the highest other eligible value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 40n }), { minLength: 1, maxLength: 8 }),
        fc.bigInt({ min: 0n, max: 20n }),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        (values, reservePrice, seed) => {
          const bids = values.map((v) => bid(v, { w: ['pool'] }));
          const r = clearAuction(bids, rules({ reservePrice }), seed);
          const eligible = bids.filter((b) => b.value >= reservePrice);
          if (eligible.length === 0) return expect(r.winners).toEqual([]);
          expect(r.winners).toHaveLength(1);
          const w = r.winners[0];
          const others = eligible.filter((b) => b !== w.bid);
          if (others.length === 0) return expect(w.price).toBe(reservePrice);
          const runnerUp = others.reduce((x, y) =>
            y.value > x.value || (y.value === x.value && winsTie(seed, y, x)) ? y : x,
          );
          const second = runnerUp.value + (winsTie(seed, w.bid, runnerUp) ? 0n : 1n);
          expect(w.price).toBe(second > reservePrice ? second : reservePrice);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('critical prices against brute force', () => {
  const KEYS = ['a', 'b', 'c', 'd', 'e'];
  const SENDERS = ['0x01', '0x02', '0x03', '0x04', '0x05', '0x06'];
  const arbBids = fc
    .array(
      fc.record({
        value: fc.bigInt({ min: 0n, max: 24n }),
        gasUsed: fc.bigInt({ min: 1n, max: 6n }),
        reads: fc.subarray(KEYS, { maxLength: 2 }),
        writes: fc.subarray(KEYS, { maxLength: 2 }),
        sender: fc.constantFrom(...SENDERS),
        userTx: fc.option(fc.constantFrom('0xu1', '0xu2'), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 7 },
    )
    .map((rows) =>
      rows.map((x, i): Bid => ({
        bundleHash: `0x${(i + 1).toString(16).padStart(64, '0')}`,
        searcher: `0x${'0'.repeat(39)}${i}`,
        value: x.value,
        gasUsed: x.gasUsed,
        txHashes: x.userTx ? [x.userTx, `0xown${i}`] : [`0xown${i}`],
        reads: new Set(x.reads),
        writes: new Set(x.writes),
        nonces: [{ sender: x.sender, nonce: i }],
        receivedAt: i,
      })),
    );
  const arbRules = fc.record({
    pricing: fc.constant('critical' as const),
    ranking: fc.constantFrom('value' as const, 'valuePerGas' as const),
    reservePrice: fc.bigInt({ min: 0n, max: 8n }),
    gasBudget: fc.bigInt({ min: 1n, max: 14n }),
  });

  const wins = (bids: Bid[], r: AuctionRules, seed: Uint8Array, hash: string): boolean =>
    clearAuction(bids, { ...r, pricing: 'first' }, seed).winners.some((w) => w.bid.bundleHash === hash);

  it('each winner pays exactly the least value with which it would still win, all else fixed', () => {
    fc.assert(
      fc.property(arbBids, arbRules, fc.uint8Array({ minLength: 1, maxLength: 4 }), (bids, r, seed) => {
        const result = clearAuction(bids, r, seed);
        const first = clearAuction(bids, { ...r, pricing: 'first' }, seed);
        expect(winnerHashes(result)).toEqual(winnerHashes(first));
        for (const w of result.winners) {
          const i = bids.indexOf(w.bid);
          expect(w.price).toBeGreaterThanOrEqual(r.reservePrice);
          expect(w.price).toBeLessThanOrEqual(w.bid.value);
          expect(w.refund).toBe(w.bid.value - w.price);
          // Brute force over every value up to its bid: wins exactly from the price on (monotone).
          for (let v = 0n; v <= w.bid.value; v++) {
            const alt = bids.map((b, k) => (k === i ? { ...b, value: v } : b));
            expect([v, wins(alt, r, seed, w.bid.bundleHash)]).toEqual([v, v >= w.price]);
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});

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
