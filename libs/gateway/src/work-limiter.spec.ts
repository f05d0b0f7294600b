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
