/** Hand-made bids and rules for the auction's specs. Not for production use. */
import { toHex } from '@sealane/protocol';
import type { AuctionResult } from './clear';
import type { Bid } from './bid';
import { tieBreakKey } from './rank';
import type { AuctionRules } from './rules';

export const SEED = new Uint8Array(32).fill(1);

let counter = 0;
/** A bid with its own sender and transaction, touching nothing unless told. */
export function bid(
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

export const rules = (over: Partial<AuctionRules> = {}): AuctionRules => ({
  pricing: 'critical',
  ranking: 'value',
  reservePrice: 0n,
  gasBudget: 1_000_000n,
  ...over,
});

export const winnerHashes = (r: AuctionResult): string[] => r.winners.map((w) => w.bid.bundleHash);
const key = (seed: Uint8Array, b: Bid): string => toHex(tieBreakKey(seed, b.bundleHash));
/** Whether a ranks ahead of b on a tie. */
export const winsTie = (seed: Uint8Array, a: Bid, b: Bid): boolean => key(seed, a) < key(seed, b);
