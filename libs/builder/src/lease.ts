/**
 * Leadership through a Redis lease: one builder holds it and seals; others stand by and take
 * it the moment it expires. `held` is conservative: it turns false a margin before the TTL runs
 * out locally, so a paused leader stops sealing before a standby can take over.
 */
import type { LeaseStore } from '@sealane/store';
import type { Clock } from './clock';

export class Lease {
  private validUntil = 0;
  /** When the other holder's lease runs out, by what Redis said at the last try (local clock). */
  private freeAt = 0;

  constructor(
    private readonly leases: LeaseStore,
    readonly key: string,
    readonly token: string,
    readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  get held(): boolean {
    return this.clock.now() < this.validUntil;
  }

  /**
   * How often the holder renews: ten times per TTL, so a late renewal or two costs nothing and a
   * dead holder's lease runs out at most a tenth of a TTL later than its death plus the TTL.
   */
  get renewEveryMs(): number {
    return Math.max(20, Math.floor(this.ttlMs / 10));
  }

  /**
   * How long a standby waits before trying again: until the holder's lease expires (a renewal
   * meanwhile is seen at that try, and waited for in turn), so a dead leader is replaced right
   * at expiry without polling Redis more than about once per TTL.
   */
  retryInMs(): number {
    return Math.min(this.ttlMs, Math.max(5, this.freeAt - this.clock.now() + 2));
  }

  /** Takes the lease if free, or renews it if this token holds it. */
  async tryAcquire(): Promise<boolean> {
    const t0 = this.clock.now();
    const [ok, ms] = await this.leases.renew(this.key, this.token, this.ttlMs);
    this.validUntil = ok === 1 ? t0 + Math.floor(this.ttlMs * 0.75) : 0;
    if (ok !== 1) this.freeAt = t0 + Math.max(0, ms);
    return ok === 1;
  }

  async release(): Promise<void> {
    this.validUntil = 0;
    await this.leases.release(this.key, this.token);
  }
}
