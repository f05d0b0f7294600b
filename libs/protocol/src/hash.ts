/**
 * keccak256 and hex helpers. keccak256 runs on the native Keccak (npm `keccak`, prebuilt) when
 * it loads, and on @noble/hashes otherwise; both give the same answers (hash.spec.ts), the
 * native one several times faster on the gateway's hot path (request bodies, transactions).
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils';

type NativeKeccakCtor = new (name: 'keccak256') => { update(b: Buffer): { digest(): Buffer } };

let nativeKeccak: NativeKeccakCtor | null | undefined;

function loadNativeKeccak(): NativeKeccakCtor | null {
  if (nativeKeccak !== undefined) return nativeKeccak;
  try {
    // The addon itself, not the package's index (which silently falls back to plain JS).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    nativeKeccak = require('keccak/bindings') as NativeKeccakCtor;
  } catch {
    nativeKeccak = null;
  }
  return nativeKeccak;
}

export type KeccakBackend = 'native' | 'js';

export function nativeKeccakAvailable(): boolean {
  return loadNativeKeccak() !== null;
}

export function keccak256(
  data: Uint8Array,
  backend: KeccakBackend = loadNativeKeccak() ? 'native' : 'js',
): Uint8Array {
  if (backend === 'native') {
    const K = loadNativeKeccak();
    if (!K) throw new Error('native keccak is not available');
    // The addon takes Buffers only; this view copies nothing.
    const out = new K('keccak256')
      .update(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
      .digest();
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }
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
