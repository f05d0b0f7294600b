/**
 * Leadership through a Redis lease: one builder holds it and seals; others stand by and take
 * it once it expires. `held` is conservative: it turns false a margin before the TTL runs out
 * locally, so a paused leader stops sealing before a standby can take over.
 */
import type { SealaneRedis } from '@sealane/store';
import type { Clock } from './clock';

export class Lease {
  private validUntil = 0;

  constructor(
    private readonly redis: SealaneRedis,
    readonly key: string,
    readonly token: string,
    readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  get held(): boolean {
    return this.clock.now() < this.validUntil;
  }

  /** Takes the lease if free, or renews it if this token holds it. */
  async tryAcquire(): Promise<boolean> {
    const t0 = this.clock.now();
    const ok = (await this.redis.renewLease(this.key, this.token, this.ttlMs)) === 1;
    this.validUntil = ok ? t0 + Math.floor(this.ttlMs * 0.75) : 0;
    return ok;
  }

  async release(): Promise<void> {
    this.validUntil = 0;
    await this.redis.releaseLease(this.key, this.token);
  }
}
