/**
 * BLS12-381 for the keypers. Two libraries, each where it measured best (bench/keyper.bench.ts):
 *
 *   @noble/curves (audited, pure JS): everything, and the only one that exposes the pairing's
 *     value in GT, which identity-based decryption needs (e(U, slotKey)).
 *   @chainsafe/blst (native, prebuilt): a keyper's share is a standard BLS signature (min-pk:
 *     public keys in G1, signatures in G2, the IETF "_POP_" ciphersuite), so signing and checking
 *     one takes blst 0.4 ms and 1 ms where noble takes 30 ms and 38 ms. When the native binding
 *     cannot load, noble does the same computation (same bytes).
 */
import { bls12_381 } from '@noble/curves/bls12-381';

export const bls = bls12_381;
export const G1 = bls12_381.G1.ProjectivePoint;
export const G2 = bls12_381.G2.ProjectivePoint;
export const Fr = bls12_381.fields.Fr;
export const Fp12 = bls12_381.fields.Fp12;
/** The order of G1 and G2: scalars (secrets, shares, Lagrange coefficients) live mod this. */
export const CURVE_ORDER: bigint = bls12_381.params.r;
/** The IETF ciphersuite blst signs with: hash to G2, proof-of-possession variant. */
export const SIG_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';

export const G1_BYTES = 48;
export const G2_BYTES = 96;

interface Blst {
  SecretKey: {
    fromBytes(b: Uint8Array): { sign(msg: Uint8Array): { toBytes(compress?: boolean): Uint8Array } };
  };
  PublicKey: { fromBytes(b: Uint8Array, validate?: boolean): unknown };
  Signature: { fromBytes(b: Uint8Array, validate?: boolean): unknown };
  verify(msg: Uint8Array, pk: unknown, sig: unknown): boolean;
}

let native: Blst | null | undefined;

/** The native binding, or null when it does not load on this machine. */
export function blst(): Blst | null {
  if (native === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      native = require('@chainsafe/blst') as Blst;
    } catch {
      native = null;
    }
  }
  return native;
}

/** Which implementation signs and verifies shares here: 'blst' or 'noble'. */
export function signatureBackend(): 'blst' | 'noble' {
  return blst() ? 'blst' : 'noble';
}

/** A scalar as 32 big-endian bytes (what blst's SecretKey reads). */
export function scalarBytes(s: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(Fr.create(s).toString(16).padStart(64, '0'), 'hex'));
}

/** Hash to G2 under the signature ciphersuite: what a BLS signature on `msg` multiplies. */
export function hashToG2(msg: Uint8Array): InstanceType<typeof G2> {
  return G2.fromAffine(bls12_381.G2.hashToCurve(msg, { DST: SIG_DST }).toAffine());
}

/** secret · H(msg) as 96 compressed bytes: a BLS signature. */
export function blsSign(secret: bigint, msg: Uint8Array): Uint8Array {
  const b = blst();
  if (b) return b.SecretKey.fromBytes(scalarBytes(secret)).sign(msg).toBytes(true);
  return hashToG2(msg).multiply(Fr.create(secret)).toRawBytes(true);
}

/** Whether `sig` is `publicKey`'s signature on `msg`. Never throws: malformed points are false. */
export function blsVerify(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  try {
    if (publicKey.length !== G1_BYTES || sig.length !== G2_BYTES) return false;
    const b = blst();
    if (b) return b.verify(msg, b.PublicKey.fromBytes(publicKey, true), b.Signature.fromBytes(sig, true));
    return bls12_381.verify(sig, msg, publicKey, { DST: SIG_DST });
  } catch {
    return false;
  }
}

/** A uniformly random non-zero scalar. */
export function randomScalar(): bigint {
  for (;;) {
    const s = Fr.create(bytesToBigint(bls12_381.utils.randomPrivateKey()));
    if (s !== 0n) return s;
  }
}

export function bytesToBigint(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + Buffer.from(b).toString('hex'));
}
