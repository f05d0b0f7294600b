/**
 * The pricing rules the auction knows, by the name `AuctionRules.pricing` and the published
 * results carry. A new rule is one file beside these and one line here.
 */
import { critical } from './critical';
import { first } from './first';
import type { PricingRule } from './pricing';

export const PRICING_RULES = { first, critical } satisfies Record<string, PricingRule>;

export type Pricing = keyof typeof PRICING_RULES;
