import type { LeaseStore } from '@sealane/store';
import type { Clock } from './clock';
import { Lease } from './lease';

/** A clock that only moves when told, and a lease store with Redis' semantics (PX, PTTL). */
function world() {
  let now = 1_000_000;
  const clock: Clock = { now: () => now, sleep: async () => undefined };
  const store = new Map<string, { token: string; until: number }>();
  const redis = {
    renew: async (key: string, token: string, ttl: number) => {
      const cur = store.get(key);
      if (!cur || cur.until <= now || cur.token === token) {
        store.set(key, { token, until: now + ttl });
        return [1, ttl];
      }
      return [0, cur.until - now];
    },
    release: async () => undefined,
  } as unknown as LeaseStore;
  return { clock, redis, now: () => now, advance: (ms: number) => (now += ms) };
}

describe('Lease', () => {
  it('lets a standby try again right when the holder stops renewing, not a poll period later', async () => {
    const w = world();
    const leader = new Lease(w.redis, 'l', 'a', 1000, w.clock);
    const standby = new Lease(w.redis, 'l', 'b', 1000, w.clock);
    expect(await leader.tryAcquire()).toBe(true);
    w.advance(300);
    expect(await standby.tryAcquire()).toBe(false);
    // The leader renews once more and dies.
    expect(await leader.tryAcquire()).toBe(true);
    const expiry = w.now() + 1000;
    // The standby wakes when the lease it saw would have expired, sees the renewal, waits for it.
    w.advance(standby.retryInMs());
    expect(w.now()).toBeLessThan(expiry);
    expect(await standby.tryAcquire()).toBe(false);
    w.advance(standby.retryInMs());
    expect(await standby.tryAcquire()).toBe(true);
    // Right at the expiry of the leader's last renewal (2 ms after), not a poll period later.
    expect(w.now() - expiry).toBe(2);
  });

  it('renews ten times per TTL and counts itself the holder for three quarters of it', async () => {
    const w = world();
    const l = new Lease(w.redis, 'l', 'a', 1000, w.clock);
    expect(l.renewEveryMs).toBe(100);
    expect(await l.tryAcquire()).toBe(true);
    w.advance(749);
    expect(l.held).toBe(true);
    w.advance(1);
    expect(l.held).toBe(false);
  });
});
