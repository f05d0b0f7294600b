import type Redis from 'ioredis';
import type { Keys } from '@sealane/store';
import { DEFAULT_PARAMS, withOverrides, type ParamsSnapshot } from './params';

/**
 * Versions of the parameter set in Redis. A slot reads exactly one snapshot: the version with
 * the highest activation slot not after it. Versions are immutable once written.
 */
export class ParamsStore {
  private readonly cache = new Map<number, ParamsSnapshot>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Writes version 0 (genesis) unless one exists; the first writer wins. */
  async init(genesisOverrides: Record<string, unknown> = {}): Promise<ParamsSnapshot> {
    const values = withOverrides(DEFAULT_PARAMS, genesisOverrides);
    const snap: ParamsSnapshot = { version: 0, activationSlot: 0, values };
    const created = await this.redis.set(this.keys.paramsVersion(0), JSON.stringify(snap), 'NX');
    if (created) await this.redis.zadd(this.keys.paramsVersions(), 0, '0');
    return this.snapshot(0);
  }

  async snapshot(slot: number): Promise<ParamsSnapshot> {
    const [v] = await this.redis.zrevrangebyscore(this.keys.paramsVersions(), slot, '-inf', 'LIMIT', 0, 1);
    if (v === undefined) throw new Error('parameters are not initialised (ParamsStore.init was not called)');
    const version = Number(v);
    const hit = this.cache.get(version);
    if (hit) return hit;
    const json = await this.redis.get(this.keys.paramsVersion(version));
    if (!json) throw new Error(`parameter version ${version} is missing`);
    const snap = JSON.parse(json) as ParamsSnapshot;
    this.cache.set(version, snap);
    return snap;
  }
}
