/**
 * Sender recovery: native libsecp256k1 (npm `secp256k1`, prebuilt) with ethers' pure-JS path
 * as a fallback. Both give the same answers (see recover.spec.ts); native is ~30x faster.
 */
import { recoverAddress, Signature } from 'ethers';
import { keccak256, toHex } from './hash';

interface NativeSecp {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
}

let native: NativeSecp | null | undefined;

function loadNative(): NativeSecp | null {
  if (native !== undefined) return native;
  try {
    // Load the addon itself, not the package's index (which silently falls back to elliptic).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    native = require('secp256k1/bindings') as NativeSecp;
  } catch {
    native = null;
  }
  return native;
}

export function nativeRecoveryAvailable(): boolean {
  return loadNative() !== null;
}

export type RecoveryBackend = 'native' | 'js';

/** Recovers the lowercase 0x address that signed `digest` (32 bytes). Throws on a bad signature. */
export function recoverSigner(
  digest: Uint8Array,
  r: Uint8Array,
  s: Uint8Array,
  yParity: 0 | 1,
  backend: RecoveryBackend = loadNative() ? 'native' : 'js',
): string {
  if (r.length > 32 || s.length > 32 || digest.length !== 32 || (yParity !== 0 && yParity !== 1))
    throw new Error('malformed signature');
  if (backend === 'native') {
    const lib = loadNative();
    if (!lib) throw new Error('native secp256k1 is not available');
    // Big-endian scalars: a shorter one is right-aligned (its leading zero bytes left out).
    const sig = new Uint8Array(64);
    sig.set(r, 32 - r.length);
    sig.set(s, 64 - s.length);
    const pub = lib.ecdsaRecover(sig, yParity, digest, false);
    return toHex(keccak256(pub.subarray(1)).subarray(12));
  }
  const signature = Signature.from({ r: toHex(r), s: toHex(s), yParity });
  return recoverAddress(digest, signature).toLowerCase();
}

/** A signature over a 32-byte digest, to be recovered to its signer's address. */
export interface RecoverableSignature {
  digest: Uint8Array;
  r: Uint8Array;
  s: Uint8Array;
  yParity: 0 | 1;
}

/** The signer, or null for a signature that is malformed or recovers to no point. */
export function recoverSignerOrNull(sig: RecoverableSignature): string | null {
  try {
    return recoverSigner(sig.digest, sig.r, sig.s, sig.yParity);
  } catch {
    return null;
  }
}
