/** Params -> auction rules, and the rules' domain checks through the pricing registry. */
import { DEFAULT_PARAMS, PARAM_DEFS, type Params } from '@sealane/params';
import { clearAuction, InvalidRulesError, PRICING_RULES, rulesOf } from './index';
import { bid, rules, SEED } from './clear.fixture';

const params = (over: Partial<Params>): Params => ({ ...DEFAULT_PARAMS, ...over });

describe('rulesOf', () => {
  it('maps the governed parameters to pricing, ranking, reserve (gwei to wei) and lane gas', () => {
    const p = params({ auctionPricing: 1, auctionRanking: 1, reservePriceGwei: 7, mevLaneGasPercent: 25 });
    expect(rulesOf(p, 30_000_000n)).toEqual({
      pricing: 'critical',
      ranking: 'valuePerGas',
      reservePrice: 7_000_000_000n,
      gasBudget: 7_500_000n,
    });
    expect(rulesOf(params({ auctionPricing: 0, auctionRanking: 0 }), 1n)).toMatchObject({
      pricing: 'first',
      ranking: 'value',
    });
  });

  it('selects a registered rule for every auctionPricing value the parameter allows, and only those', () => {
    const { min, max } = PARAM_DEFS.auctionPricing;
    const selected = Array.from({ length: max - min + 1 }, (_, i) =>
      rulesOf(params({ auctionPricing: min + i }), 1n),
    );
    expect(new Set(selected.map((r) => r.pricing))).toEqual(new Set(Object.keys(PRICING_RULES)));
    expect(() => rulesOf(params({ auctionPricing: max + 1 }), 1n)).toThrow(InvalidRulesError);
  });
});

describe('checkRules', () => {
  it('takes only registered pricing names', () => {
    for (const pricing of ['second', 'toString', '__proto__']) {
      expect(() => clearAuction([bid(1n)], rules({ pricing: pricing as never }), SEED)).toThrow(
        InvalidRulesError,
      );
    }
  });
});
