/**
 * Slot keys. The identity of a slot is a message; its key is the keyper set's BLS signature on it:
 *
 *   identity(chainId, slot) = "sealane/keyper/v1" ‖ uint64be(chainId) ‖ uint64be(slot)
 *   Q        = hash_to_G2(identity)                  (IETF ciphersuite, "_POP_" DST)
 *   share_i  = s_i · Q                               (keyper i's signature with its key share)
 *   slotKey  = s · Q = Σ λ_i · share_i               (any t shares, Lagrange at 0)
 *
 * so a share is checked against keyper i's public share s_i·g1 and the slot key against the set's
 * public key s·g1 with the one BLS verification (a pairing check: e(g1, σ) = e(s·g1, Q)). Nobody
 * ever computes s: the shares combine in the exponent.
 */
import { blsSign, blsVerify, G2, G2_BYTES } from './bls';
import { lagrangeAtZero } from './shamir';

const TAG = new TextEncoder().encode('sealane/keyper/v1');

export function slotIdentity(chainId: bigint, slot: bigint): Uint8Array {
  if (chainId < 0n || chainId >= 1n << 64n) throw new RangeError('chainId must fit in 64 bits');
  if (slot < 0n || slot >= 1n << 64n) throw new RangeError('slot must fit in 64 bits');
  const out = new Uint8Array(TAG.length + 16);
  out.set(TAG, 0);
  const v = new DataView(out.buffer);
  v.setBigUint64(TAG.length, chainId);
  v.setBigUint64(TAG.length + 8, slot);
  return out;
}

/** Keyper share of a slot key: 96 bytes (a compressed G2 point). */
export function keyShare(secretShare: bigint, chainId: bigint, slot: bigint): Uint8Array {
  return blsSign(secretShare, slotIdentity(chainId, slot));
}

/** Whether `share` is the share of the keyper whose public share is `publicShare`. */
export function verifyKeyShare(
  publicShare: Uint8Array,
  chainId: bigint,
  slot: bigint,
  share: Uint8Array,
): boolean {
  return blsVerify(publicShare, slotIdentity(chainId, slot), share);
}

/** Whether `key` is the slot's key under the set's public key. */
export function verifySlotKey(
  publicKey: Uint8Array,
  chainId: bigint,
  slot: bigint,
  key: Uint8Array,
): boolean {
  return blsVerify(publicKey, slotIdentity(chainId, slot), key);
}

export interface IndexedShare {
  /** 1-based keyper index. */
  index: number;
  share: Uint8Array;
}

/** Σ λ_i · share_i over exactly the given shares (t of them): the slot key if all are valid. */
export function combineShares(shares: readonly IndexedShare[]): Uint8Array {
  if (shares.length === 0) throw new RangeError('no shares to combine');
  const lambdas = lagrangeAtZero(shares.map((s) => s.index));
  const points = shares.map((s) => {
    if (s.share.length !== G2_BYTES) throw new RangeError(`share ${s.index} is not ${G2_BYTES} bytes`);
    return G2.fromHex(s.share);
  });
  return G2.msm(points, lambdas).toRawBytes(true);
}

export type SlotKeyResult =
  | { ok: true; key: Uint8Array; used: number[]; forged: number[] }
  | { ok: false; valid: number[]; forged: number[]; needed: number };

/**
 * The slot key from whatever shares arrived: the first t are combined and the result checked
 * (one verification when all are honest); if it fails, every share is checked, forged ones are
 * set aside, and t valid ones are combined. Never trusts a share it has not, in effect, checked.
 */
export function recoverSlotKey(
  set: { publicKey: Uint8Array; publicShares: readonly Uint8Array[]; threshold: number },
  chainId: bigint,
  slot: bigint,
  shares: readonly IndexedShare[],
): SlotKeyResult {
  const t = set.threshold;
  const inRange = shares.filter(
    (s) => Number.isInteger(s.index) && s.index >= 1 && s.index <= set.publicShares.length,
  );
  const unique = [...new Map(inRange.map((s) => [s.index, s])).values()].sort((a, b) => a.index - b.index);
  if (unique.length >= t) {
    try {
      const first = unique.slice(0, t);
      const key = combineShares(first);
      if (verifySlotKey(set.publicKey, chainId, slot, key))
        return { ok: true, key, used: first.map((s) => s.index), forged: [] };
    } catch {
      // a share that is not a point: found below
    }
  }
  const valid: IndexedShare[] = [];
  const forged: number[] = [];
  for (const s of unique) {
    if (verifyKeyShare(set.publicShares[s.index - 1], chainId, slot, s.share)) valid.push(s);
    else forged.push(s.index);
  }
  if (valid.length < t) return { ok: false, valid: valid.map((s) => s.index), forged, needed: t };
  const used = valid.slice(0, t);
  return { ok: true, key: combineShares(used), used: used.map((s) => s.index), forged };
}
