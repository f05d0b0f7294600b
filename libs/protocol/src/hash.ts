/**
 * keccak256 and hex helpers. keccak256 runs on the native Keccak (npm `keccak`, prebuilt) when
 * it loads, and on @noble/hashes otherwise; both give the same answers (hash.spec.ts), the
 * native one several times faster on the gateway's hot path (request bodies, transactions).
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { concatBytes } from '@noble/hashes/utils';
import { dirname } from 'node:path';

/** The addon's sponge: absorb, pad, squeeze; `initialize` resets it for the next hash. */
interface KeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  absorbLastFewBits(bits: number): void;
  squeeze(length: number): Buffer;
}

let nativeKeccak: KeccakState | null | undefined;

function loadNativeKeccak(): KeccakState | null {
  if (nativeKeccak !== undefined) return nativeKeccak;
  try {
    // The addon's sponge itself, not the package's API, which builds a stream.Transform per hash
    // (an allocation-heavy object that cost more than the hashing on the gateway's hot path).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const gypBuild = require('node-gyp-build') as (dir: string) => new () => KeccakState;
    const State = gypBuild(dirname(require.resolve('keccak/package.json')));
    nativeKeccak = new State();
  } catch {
    nativeKeccak = null;
  }
  return nativeKeccak;
}

export type KeccakBackend = 'native' | 'js';

export function nativeKeccakAvailable(): boolean {
  return loadNativeKeccak() !== null;
}

/** Keccak-256: rate 1088 bits, capacity 512, the original (pre-SHA-3) padding bit 0x01. */
export function keccak256(
  data: Uint8Array,
  backend: KeccakBackend = loadNativeKeccak() ? 'native' : 'js',
): Uint8Array {
  if (backend === 'native') {
    const state = loadNativeKeccak();
    if (!state) throw new Error('native keccak is not available');
    // One sponge, reset per hash: JavaScript is single-threaded and the call is synchronous.
    state.initialize(1088, 512);
    // The addon takes Buffers only; this view copies nothing.
    state.absorb(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    state.absorbLastFewBits(0x01);
    const out = state.squeeze(32);
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }
  return keccak_256(data);
}

/** 0x-prefixed lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return '0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX = /^0x[0-9a-fA-F]*$/;

/** Accepts 0x-prefixed even-length hex only; throws TypeError otherwise. */
export function fromHex(hex: string): Uint8Array {
  // The pattern first: Node's decoder reads only the low byte of each UTF-16 unit, so it would
  // take '0xａｂ' (fullwidth) for 0xab.
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !HEX.test(hex))
    throw new TypeError('expected 0x-prefixed hex bytes');
  // Decoded natively into its own memory, not a view of Buffer's shared pool.
  const n = (hex.length - 2) / 2;
  const out = Buffer.allocUnsafeSlow(n);
  if (n > 0) out.write(hex.slice(2), 'hex');
  return new Uint8Array(out.buffer, out.byteOffset, n);
}

/** Flashbots bundle hash: keccak256 of the concatenated transaction hashes. */
export function bundleHash(txHashes: readonly Uint8Array[]): Uint8Array {
  return keccak256(concatBytes(...txHashes));
}
