import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils';

export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

/** 0x-prefixed lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return '0x' + bytesToHex(bytes);
}

/** Accepts 0x-prefixed even-length hex only; throws TypeError otherwise. */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(hex))
    throw new TypeError('expected 0x-prefixed hex bytes');
  return hexToBytes(hex.slice(2));
}

/** Flashbots bundle hash: keccak256 of the concatenated transaction hashes. */
export function bundleHash(txHashes: readonly Uint8Array[]): Uint8Array {
  return keccak256(concatBytes(...txHashes));
}
