/**
 * The keypers' cryptography, measured: share signing and checking with the native blst binding
 * beside @noble/curves (the reason both are used), combining t shares, recovering a slot key, and
 * the per-commitment cost of opening a transaction sealed to a slot (decapsulation: one pairing,
 * then XChaCha20-Poly1305), beside the user's cost of sealing one. n = 5, t = 3.
 */
import { encryptTxToSlot, kemEncapsulation, decryptTx } from '@sealane/mempool';
import {
  bls,
  combineShares,
  decapsulate,
  encapsulate,
  keyShare,
  randomScalar,
  recoverSlotKey,
  SIG_DST,
  signatureBackend,
  slotBase,
  slotIdentity,
  slotKeyPoint,
  verifyKeyShare,
  G1,
} from '@sealane/threshold';
import { now, progress, type Row } from './support';

const CHAIN = 24225n;

/** Mean ms per call over `n` calls, after `warm` untimed ones. */
function timeMs(n: number, fn: (i: number) => void, warm = 3): number {
  for (let i = 0; i < warm; i++) fn(i);
  const t0 = now();
  for (let i = 0; i < n; i++) fn(i);
  return (now() - t0) / n;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchKeyper(): Promise<Row[]> {
  progress(`keyper crypto: signature backend ${signatureBackend()}`);
  // A 3-of-5 sharing of a secret, as the DKG leaves it (the DKG's own cost is in the e2e logs).
  const secret = randomScalar();
  const coeffs = [secret, randomScalar(), randomScalar()];
  const at = (x: bigint) =>
    coeffs.reduce((acc, c, k) => bls.fields.Fr.add(acc, bls.fields.Fr.mul(c, x ** BigInt(k))), 0n);
  const shares = [1, 2, 3, 4, 5].map((i) => ({ index: i, secret: at(BigInt(i)) }));
  const publicKey = G1.BASE.multiply(secret).toRawBytes(true);
  const publicShares = shares.map((s) => G1.BASE.multiply(s.secret).toRawBytes(true));
  const set = { publicKey, publicShares, threshold: 3 };
  const msg = slotIdentity(CHAIN, 7n);

  const signNative = timeMs(200, (i) => keyShare(shares[i % 5].secret, CHAIN, BigInt(i)));
  const signNoble = timeMs(10, (i) =>
    bls.G2.hashToCurve(slotIdentity(CHAIN, BigInt(i)), { DST: SIG_DST }).multiply(shares[0].secret),
  );
  const share1 = keyShare(shares[0].secret, CHAIN, 7n);
  const verifyNative = timeMs(200, () => verifyKeyShare(publicShares[0], CHAIN, 7n, share1));
  const verifyNoble = timeMs(10, () => bls.verify(share1, msg, publicShares[0], { DST: SIG_DST }));

  const slotShares = (slot: bigint) =>
    shares.map((s) => ({ index: s.index, share: keyShare(s.secret, CHAIN, slot) }));
  const s7 = slotShares(7n);
  const combine = timeMs(20, () => combineShares(s7.slice(0, 3)));
  const recover = timeMs(20, () => recoverSlotKey(set, CHAIN, 7n, s7));
  const forgedSet = [{ index: 1, share: s7[1].share }, ...s7.slice(1)];
  const recoverForged = timeMs(5, () => recoverSlotKey(set, CHAIN, 7n, forgedSet));

  const r = recoverSlotKey(set, CHAIN, 7n, s7);
  if (!r.ok) throw new Error('slot key did not recover');
  const raw = new Uint8Array(110).fill(1);
  const opts = { sender: '0x' + '22'.repeat(20), slot: 7n, minBytes: 128, maxBytes: 4096 };
  const pre = slotBase(publicKey, CHAIN, 7n);
  let fresh = 1000n;
  const sealFirst = timeMs(10, () => {
    const slot = fresh++;
    encryptTxToSlot(raw, encapsulate(publicKey, CHAIN, slot), { ...opts, slot });
  });
  const sealCached = timeMs(30, () => encryptTxToSlot(raw, encapsulate(publicKey, CHAIN, 7n, pre), opts));
  const cts = Array.from({ length: 60 }, () =>
    encryptTxToSlot(raw, encapsulate(publicKey, CHAIN, 7n, pre), opts),
  );
  const point = slotKeyPoint(r.key);
  const open = timeMs(50, (i) => {
    const ct = cts[i % cts.length];
    decryptTx(ct, decapsulate(kemEncapsulation(ct)!, point, CHAIN, 7n), opts);
  });
  const openFresh = timeMs(20, (i) => {
    const ct = cts[i % cts.length];
    decryptTx(ct, decapsulate(kemEncapsulation(ct)!, r.key, CHAIN, 7n), opts);
  });
  progress(`keyper crypto: open ${round(open)} ms per commitment, recover ${round(recover)} ms per slot`);
  return [
    {
      name: 'keyper: share of a slot key, sign (blst / noble)',
      value: round(signNative, 3),
      unit: 'ms',
      note: `blst ${round(signNative, 3)} ms, @noble/curves ${round(signNoble, 1)} ms (${Math.round(signNoble / signNative)}x): what a keyper does per slot`,
    },
    {
      name: 'keyper: share check (blst / noble)',
      value: round(verifyNative, 3),
      unit: 'ms',
      note: `blst ${round(verifyNative, 3)} ms, @noble/curves ${round(verifyNoble, 1)} ms (${Math.round(verifyNoble / verifyNative)}x); a pairing check`,
    },
    {
      name: 'keyper: combine 3 shares (noble MSM in G2)',
      value: round(combine),
      unit: 'ms',
      note: 'Lagrange at 0 in the exponent; blst exposes no G2 scalar multiplication',
    },
    {
      name: 'keyper: slot key from 5 honest shares (combine 3 + check)',
      value: round(recover),
      unit: 'ms',
      note: `with a forged share among the first 3: ${round(recoverForged)} ms (every share checked, then combine)`,
    },
    {
      name: 'keyper: open one commitment sealed to the slot',
      value: round(open),
      unit: 'ms',
      note: `${Math.round(1000 / open)} commitments/s per core: decapsulate (one pairing, key lines precomputed once per slot) + XChaCha20-Poly1305; ${round(openFresh)} ms without the precomputation`,
    },
    {
      name: 'keyper: user seals one transaction to a slot',
      value: round(sealCached),
      unit: 'ms',
      note: `${round(sealFirst)} ms for the first of a slot (the pairing e(P, Q)), then a GT exponentiation each`,
    },
  ];
}
