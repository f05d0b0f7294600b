import { firstFailing, type PrefixRun } from './prefix-search';

/** A run of the first k of n items, where items from `culprit` on fail: what the engine does. */
function fakeRuns(culprit: number) {
  const asked: number[] = [];
  const runPrefix = async (k: number): Promise<PrefixRun<string, string>> => {
    asked.push(k);
    return k > culprit ? { failed: `refused at ${k}` } : { ok: `ran ${k}` };
  };
  return { asked, runPrefix };
}

describe('firstFailing (binary search over prefixes)', () => {
  it('finds the culprit at every position in ⌈log2 n⌉ runs or fewer, each a proper prefix', async () => {
    for (let n = 1; n <= 17; n++) {
      for (let culprit = 0; culprit < n; culprit++) {
        const f = fakeRuns(culprit);
        const r = await firstFailing(n, f.runPrefix);
        expect(r.index).toBe(culprit);
        expect(f.asked.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)));
        expect(f.asked.every((k) => k > 0 && k < n)).toBe(true);
      }
    }
  });

  it('answers the run of the prefix before the culprit and the shortest failing prefix run', async () => {
    const r = await firstFailing(8, fakeRuns(5).runPrefix);
    expect(r).toEqual({ index: 5, before: 'ran 5', failure: 'refused at 6' });
  });

  it('leaves before unset when the first item is the culprit, failure when the last is', async () => {
    expect(await firstFailing(8, fakeRuns(0).runPrefix)).toEqual({ index: 0, failure: 'refused at 1' });
    expect(await firstFailing(8, fakeRuns(7).runPrefix)).toEqual({ index: 7, before: 'ran 7' });
    const one = fakeRuns(0);
    expect(await firstFailing(1, one.runPrefix)).toEqual({ index: 0 });
    expect(one.asked).toEqual([]);
  });

  it('runs one prefix at a time and passes up what a run throws', async () => {
    let running = 0;
    await firstFailing(64, async (k) => {
      expect(++running).toBe(1);
      await new Promise((r) => setImmediate(r));
      running--;
      return k > 40 ? { failed: k } : { ok: k };
    });
    const down = new Error('engine unreachable');
    await expect(
      firstFailing(8, async () => {
        throw down;
      }),
    ).rejects.toBe(down);
  });
});
