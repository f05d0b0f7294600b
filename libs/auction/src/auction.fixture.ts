/**
 * Deterministic random bids for specs and benchmarks, shaped like a slot of DEX arbitrage:
 * each bundle swaps through 1–2 of a few pools (writes their reserves, reads a shared oracle),
 * comes from one of a few searcher EOAs (sender conflicts), and some backrun a shared user
 * transaction (tx hash and sender conflicts). Not for production use.
 */
import { bundleHash, fromHex, toHex } from '@sealane/protocol';
import type { Bid } from './bid';

export interface RandomBidsOptions {
  /** Pools the bundles trade through; each bundle touches 1–2 of them. Default 20. */
  pools?: number;
  /** Searcher EOAs sending the bundles' own transactions. Default 200. */
  searchers?: number;
  /** User transactions available to backrun; 30% of bundles include one. Default 300. */
  userTxs?: number;
  /** Values are uniform-cubed in [0, maxValue) wei, so most are small and a few are large. */
  maxValue?: bigint;
}

/** mulberry32: small, fast and good enough for fixtures. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A flat copy of a string, like those JSON.parse yields for bids read back from Redis. Strings
 * built by concatenation are ropes that V8 flattens on first use, which would otherwise be paid
 * inside whatever the fixture is used to time.
 */
function flat(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

function randomHex(rand: () => number, bytes: number): string {
  let s = '0x';
  for (let i = 0; i < bytes; i++)
    s += Math.floor(rand() * 256)
      .toString(16)
      .padStart(2, '0');
  return flat(s);
}

export function makeRandomBids(n: number, seed: number, opts: RandomBidsOptions = {}): Bid[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const pools = Array.from({ length: opts.pools ?? 20 }, () => randomHex(rand, 20));
  const searchers = Array.from({ length: opts.searchers ?? 200 }, () => ({
    address: randomHex(rand, 20),
    nonce: Math.floor(rand() * 1000),
  }));
  const users = Array.from({ length: opts.userTxs ?? 300 }, () => ({
    hash: randomHex(rand, 32),
    sender: randomHex(rand, 20),
    nonce: Math.floor(rand() * 100),
  }));
  const oracle = flat(`${randomHex(rand, 20)}:0x0`);
  const maxValue = Number(opts.maxValue ?? 10n ** 17n);

  const bids: Bid[] = [];
  for (let i = 0; i < n; i++) {
    const searcher = pick(searchers);
    const ownTx = randomHex(rand, 32);
    const txHashes = [ownTx];
    const nonces = [{ sender: searcher.address, nonce: searcher.nonce }];
    const reads = new Set<string>([oracle]);
    const writes = new Set<string>();
    const hops = rand() < 0.5 ? 1 : 2;
    for (let h = 0; h < hops; h++) {
      const pool = pick(pools);
      const reserves = flat(`${pool}:0x8`);
      reads.add(pool);
      reads.add(reserves);
      writes.add(reserves);
    }
    if (rand() < 0.3) {
      const user = pick(users);
      txHashes.unshift(user.hash);
      nonces.unshift({ sender: user.sender, nonce: user.nonce });
    }
    const r = rand();
    bids.push({
      bundleHash: flat(toHex(bundleHash(txHashes.map(fromHex)))),
      searcher: searcher.address,
      value: BigInt(Math.floor(r * r * r * maxValue)),
      gasUsed: BigInt(80_000 + Math.floor(rand() * 320_000)),
      txHashes,
      reads,
      writes,
      nonces,
      receivedAt: i,
    });
  }
  return bids;
}
