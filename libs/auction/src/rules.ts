/**
 * The auction rules of a slot: their shape and domain, and the one place that maps the governed
 * parameters in force at that slot to pricing (through the registry of pricing rules), ranking,
 * reserve price and the MEV lane's gas budget.
 */
import type { Params } from '@sealane/params';
import { InvalidRulesError } from './auction.error';
import { MAX_GAS } from './bid';
import { PRICING_RULES, type Pricing } from './pricing/registry';

export type { Pricing };
export type Ranking = 'value' | 'valuePerGas';

export interface AuctionRules {
  readonly pricing: Pricing;
  readonly ranking: Ranking;
  /** Least value a bundle must pay to be taken, and the least any winner pays (wei). */
  readonly reservePrice: bigint;
  /** Gas of the MEV lane: the winners' gasUsed sum to at most this. */
  readonly gasBudget: bigint;
}

const GWEI = 10n ** 9n;

/** Pricing names by their `auctionPricing` value. */
const PRICING_BY_PARAM = new Map<number, Pricing>(
  (Object.keys(PRICING_RULES) as Pricing[]).map((name) => [PRICING_RULES[name].param, name]),
);

/** Throws InvalidRulesError when `auctionPricing` selects no registered pricing rule. */
export function rulesOf(p: Params, blockGasLimit: bigint): AuctionRules {
  const pricing = PRICING_BY_PARAM.get(p.auctionPricing);
  if (pricing === undefined) throw new InvalidRulesError(`unknown auctionPricing ${p.auctionPricing}`);
  return {
    pricing,
    ranking: p.auctionRanking === 1 ? 'valuePerGas' : 'value',
    reservePrice: BigInt(p.reservePriceGwei) * GWEI,
    gasBudget: (blockGasLimit * BigInt(p.mevLaneGasPercent)) / 100n,
  };
}

/** Throws InvalidRulesError on an unregistered pricing, an unknown ranking or an amount out of range. */
export function checkRules(rules: AuctionRules): void {
  if (!Object.hasOwn(PRICING_RULES, rules.pricing)) {
    throw new InvalidRulesError(`unknown pricing "${String(rules.pricing)}"`);
  }
  if (rules.ranking !== 'value' && rules.ranking !== 'valuePerGas') {
    throw new InvalidRulesError(`unknown ranking "${String(rules.ranking)}"`);
  }
  if (typeof rules.reservePrice !== 'bigint' || rules.reservePrice < 0n) {
    throw new InvalidRulesError('reservePrice must be a bigint >= 0');
  }
  if (typeof rules.gasBudget !== 'bigint' || rules.gasBudget < 0n || rules.gasBudget > MAX_GAS) {
    throw new InvalidRulesError('gasBudget must be a bigint in [0, 2^53)');
  }
}
