/** First price: each winner pays its own bid. */
import { clearAuction } from '../index';
import { bid, rules, SEED } from '../clear.fixture';

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
});
