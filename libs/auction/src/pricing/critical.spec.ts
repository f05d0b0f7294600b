/** Critical-value pricing, against worked cases and a brute force. */
import fc from 'fast-check';
import { clearAuction, type AuctionRules, type Bid } from '../index';
import { bid, rules, SEED, winnerHashes, winsTie } from '../clear.fixture';

describe('pricing', () => {
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
