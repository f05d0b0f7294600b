/**
 * Shamir's sharing over the scalar field of BLS12-381: a polynomial of degree t - 1 whose value
 * at 0 is the secret; keyper i (1-based) holds its value at i. Any t values give the secret back
 * by Lagrange interpolation at 0 (here done in the exponent, on G2 points: see slot-key.ts).
 */
import { Fr, randomScalar } from './bls';

/** t random coefficients: f(x) = a0 + a1·x + … + a(t-1)·x^(t-1). */
export function randomPolynomial(threshold: number): bigint[] {
  if (!Number.isInteger(threshold) || threshold < 1)
    throw new RangeError('threshold must be an integer >= 1');
  return Array.from({ length: threshold }, () => randomScalar());
}

/** f(x) by Horner's rule. */
export function evaluate(coeffs: readonly bigint[], x: bigint): bigint {
  let acc = 0n;
  for (let k = coeffs.length - 1; k >= 0; k--) acc = Fr.add(Fr.mul(acc, Fr.create(x)), coeffs[k]);
  return acc;
}

/** λ_i for interpolating at 0 from the values at `indices` (distinct, 1-based). */
export function lagrangeAtZero(indices: readonly number[]): bigint[] {
  if (new Set(indices).size !== indices.length) throw new RangeError('indices must be distinct');
  return indices.map((i) => {
    let num = 1n;
    let den = 1n;
    for (const j of indices) {
      if (j === i) continue;
      num = Fr.mul(num, BigInt(j));
      den = Fr.mul(den, Fr.sub(BigInt(j), BigInt(i)));
    }
    return Fr.div(num, den);
  });
}

/** The secret back from t (index, value) pairs. */
export function interpolateAtZero(points: readonly { index: number; value: bigint }[]): bigint {
  const lambdas = lagrangeAtZero(points.map((p) => p.index));
  return points.reduce((acc, p, k) => Fr.add(acc, Fr.mul(lambdas[k], p.value)), 0n);
}
