/**
 * Identity-based key encapsulation to a slot (Boneh–Franklin, hashed, as Shutter does):
 *
 *   encapsulate(P = s·g1, identity):  r random,  U = r·g1,  Z = e(P, Q)^r
 *   decapsulate(U, slotKey = s·Q):    Z = e(U, s·Q)       (= e(g1, Q)^(r·s))
 *   key = SHA-256("sealane/ibe-kem/v1" ‖ U ‖ Z ‖ identity)
 *
 * U (48 bytes) travels with the ciphertext; the 32-byte key seals the payload with
 * XChaCha20-Poly1305 (the mempool's envelope v2). Until the keypers release the slot key, nobody,
 * the sequencer included, can compute Z. Hashing U and the identity into the key (as DHIES does)
 * makes the hybrid scheme CCA-secure under the bilinear Diffie–Hellman assumption in the random
 * oracle model; the AEAD then authenticates the payload.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bls, Fp12, G1, G1_BYTES, G2, hashToG2, randomScalar } from './bls';
import { slotIdentity } from './slot-key';

const KEM_TAG = new TextEncoder().encode('sealane/ibe-kem/v1');
export const KEM_KEY_BYTES = 32;
export const KEM_U_BYTES = G1_BYTES;

function kdf(u: Uint8Array, z: Uint8Array, identity: Uint8Array): Uint8Array {
  const h = sha256.create();
  h.update(KEM_TAG).update(u).update(z).update(identity);
  return h.digest();
}

/** The pairing base e(P, Q) of a slot: compute once per slot to encapsulate many times. */
export function slotBase(
  publicKey: Uint8Array,
  chainId: bigint,
  slot: bigint,
): { identity: Uint8Array; base: ReturnType<typeof bls.pairing> } {
  const identity = slotIdentity(chainId, slot);
  return { identity, base: bls.pairing(G1.fromHex(publicKey), hashToG2(identity)) };
}

/** The last few slots' bases: a wallet sending several transactions pays the pairing once per slot. */
const bases = new Map<string, ReturnType<typeof slotBase>>();
const BASES_KEPT = 8;

function cachedBase(publicKey: Uint8Array, chainId: bigint, slot: bigint): ReturnType<typeof slotBase> {
  const k = `${Buffer.from(publicKey).toString('hex')}:${chainId}:${slot}`;
  let b = bases.get(k);
  if (!b) {
    b = slotBase(publicKey, chainId, slot);
    bases.set(k, b);
    if (bases.size > BASES_KEPT) bases.delete(bases.keys().next().value!);
  }
  return b;
}

export function encapsulate(
  publicKey: Uint8Array,
  chainId: bigint,
  slot: bigint,
  pre?: ReturnType<typeof slotBase>,
): { u: Uint8Array; key: Uint8Array } {
  const { identity, base } = pre ?? cachedBase(publicKey, chainId, slot);
  const r = randomScalar();
  const u = G1.BASE.multiply(r).toRawBytes(true);
  const z = Fp12.toBytes(Fp12.pow(base, r));
  return { u, key: kdf(u, z, identity) };
}

export type SlotKeyPoint = InstanceType<typeof G2>;

/**
 * The slot key as a point, to decapsulate many ciphertexts: the pairing's line coefficients for
 * it are computed once and kept with the point object.
 */
export function slotKeyPoint(slotKey: Uint8Array): SlotKeyPoint {
  return G2.fromHex(slotKey);
}

/** The key back from U and the slot key. Throws if U or the key is not a valid point. */
export function decapsulate(
  u: Uint8Array,
  slotKey: Uint8Array | SlotKeyPoint,
  chainId: bigint,
  slot: bigint,
): Uint8Array {
  if (u.length !== KEM_U_BYTES) throw new RangeError(`U must be ${KEM_U_BYTES} bytes`);
  const point = slotKey instanceof Uint8Array ? slotKeyPoint(slotKey) : slotKey;
  const z = Fp12.toBytes(bls.pairing(G1.fromHex(u), point));
  return kdf(u, z, slotIdentity(chainId, slot));
}
