/**
 * Finds the item that makes a run fail, when failing is monotone in the prefix: every prefix
 * from the culprit on fails and every shorter one runs (a refusal stops the engine's run).
 * Binary search over prefix lengths: ⌈log2 n⌉ runs, one at a time, for n items. Pure.
 */

/** A prefix's run: its result, or how it failed. */
export type PrefixRun<T, F> = { ok: T } | { failed: F };

export interface Culprit<T, F> {
  /** The first item whose prefix fails; the last item when every shorter prefix runs. */
  index: number;
  /** The run of the `index` items before it; unset when index is 0 (nothing was run). */
  before?: T;
  /** The failure of the shortest failing prefix run; unset when only the whole run (not run here) failed. */
  failure?: F;
}

/** The culprit among `n` items whose whole run failed; `runPrefix(k)` runs the first k (0 < k < n). */
export async function firstFailing<T, F>(
  n: number,
  runPrefix: (length: number) => Promise<PrefixRun<T, F>>,
): Promise<Culprit<T, F>> {
  let lo = 0;
  let hi = n;
  let before: T | undefined;
  let failure: F | undefined;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const r = await runPrefix(mid);
    if ('failed' in r) {
      hi = mid;
      failure = r.failed;
    } else {
      lo = mid;
      before = r.ok;
    }
  }
  return { index: lo, before, failure };
}
