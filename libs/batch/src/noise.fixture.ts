/** Test fixtures shared by the specs: deterministic pseudo-random (incompressible) bytes. */
import { keccak_256 } from '@noble/hashes/sha3';
import { ZeroHash } from 'ethers';
import type { BatchBlock } from './codec';

/** `n` bytes derived from `seed` by chained keccak: incompressible, but the same on every run. */
export function noise(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let h = keccak_256(new Uint8Array([seed & 0xff, (seed >> 8) & 0xff, (seed >> 16) & 0xff, seed >>> 24]));
  for (let i = 0; i < n; i += 32) {
    out.set(h.subarray(0, Math.min(32, n - i)), i);
    h = keccak_256(h);
  }
  return out;
}

/** A batch block with fixed, compressible header fields: only number, timestamp and txs vary. */
export function fixtureBlock(number: number, timestamp: number, txs: Uint8Array[]): BatchBlock {
  return {
    number,
    timestamp,
    feeRecipient: '0x' + 'fe'.repeat(20),
    txs,
    hash: '0x' + '11'.repeat(32),
    stateRoot: '0x' + '22'.repeat(32),
    evidence: { paramsVersion: 1, forceInclusionDelaySlots: 10, orderRoot: ZeroHash, bidsRoot: ZeroHash },
  };
}
