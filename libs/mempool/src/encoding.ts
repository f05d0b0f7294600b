/**
 * Small checked encoders shared by the mempool's hashes, signatures and wire forms. Every failure
 * is a MalformedMessageError, since every input here may come from a caller.
 */
import { fromHex } from '@sealane/protocol';
import { MalformedMessageError } from './mempool.error';

export const MAX_UINT64 = (1n << 64n) - 1n;
export const MAX_UINT32 = 0xffff_ffff;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Lowercase 0x address; throws unless `a` is 0x + 40 hex digits (checksum case is not checked). */
export function normalizeAddress(a: string, what = 'address'): string {
  if (typeof a !== 'string' || !ADDRESS.test(a))
    throw new MalformedMessageError(`${what} must be a 20-byte address`);
  return a.toLowerCase();
}

export function addressBytes(a: string, what = 'address'): Uint8Array {
  return fromHex(normalizeAddress(a, what));
}

export function checkSlot(slot: bigint): bigint {
  if (typeof slot !== 'bigint' || slot < 0n || slot > MAX_UINT64) {
    throw new MalformedMessageError('slot must be a uint64');
  }
  return slot;
}

export function checkUint32(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_UINT32)
    throw new MalformedMessageError(`${what} must be a uint32`);
  return n;
}

export function checkBytes32(b: Uint8Array, what: string): Uint8Array {
  if (!(b instanceof Uint8Array) || b.length !== 32)
    throw new MalformedMessageError(`${what} must be 32 bytes`);
  return b;
}

/** Writes `v` as a big-endian 32-byte word at `at` (the ABI encoding of a uint). */
export function writeWord(buf: Uint8Array, at: number, v: bigint): void {
  for (let i = 31; i >= 0 && v > 0n; i--) {
    buf[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
