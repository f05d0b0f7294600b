import { AccountCache, type AccountState } from './account-cache';
import { WorkLimiter, type Permit } from './work-limiter';

const tick = () => new Promise((r) => setImmediate(r));

describe('WorkLimiter', () => {
  it('runs perKey per searcher, queues as many, refuses beyond; frees on done', async () => {
    const l = new WorkLimiter(2, 10);
    const permits = [0, 1, 2, 3].map(() => l.tryAcquire('a') as Permit);
    expect(l.tryAcquire('a')).toBe('searcher');
    const started: number[] = [];
    permits.forEach((p, i) => void p.ready.then(() => started.push(i)));
    await tick();
    expect(started).toEqual([0, 1]);
    // Another searcher is not held back by a's queue.
    const b = l.tryAcquire('b') as Permit;
    await b.ready;
    permits[0].done();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    permits[1].done();
    permits[2].done();
    permits[3].done();
    b.done();
    expect(typeof l.tryAcquire('a')).toBe('object');
  });

  it('bounds all searchers together: global running, as many waiting, then refuses', async () => {
    const l = new WorkLimiter(5, 2);
    const ps = ['a', 'b', 'c', 'd'].map((k) => l.tryAcquire(k) as Permit);
    expect(l.tryAcquire('e')).toBe('global');
    const started: number[] = [];
    ps.forEach((p, i) => void p.ready.then(() => started.push(i)));
    await tick();
    expect(started).toEqual([0, 1]);
    ps[1].done();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    ps[1].done(); // twice is once
    await tick();
    expect(started).toEqual([0, 1, 2]);
  });
});

describe('AccountCache', () => {
  it('reads each sender once per sealed head, the reads of one tick in one batch', async () => {
    const batches: string[][] = [];
    let nonce = 0;
    const cache = new AccountCache({
      read: async (addresses) => {
        batches.push(addresses);
        return addresses.map((): AccountState => ({ balance: 10n, nonce }));
      },
    });
    const r = await Promise.all([cache.get('0xA', 1), cache.get('0xb', 1), cache.get('0xa', 1)]);
    expect(batches).toEqual([['0xa', '0xb']]);
    expect(r.map((x) => x.nonce)).toEqual([0, 0, 0]);
    await cache.get('0xa', 1);
    expect(batches).toHaveLength(1);
    nonce = 1;
    expect((await cache.get('0xa', 2)).nonce).toBe(1);
    expect(batches).toEqual([['0xa', '0xb'], ['0xa']]);
  });

  it('does not remember a failed read', async () => {
    let fail = true;
    const cache = new AccountCache({
      read: async (addresses) => {
        if (fail) throw new Error('engine down');
        return addresses.map(() => ({ balance: 1n, nonce: 3 }));
      },
    });
    await expect(cache.get('0xa', 1)).rejects.toThrow('engine down');
    fail = false;
    expect((await cache.get('0xa', 1)).nonce).toBe(3);
  });
});
