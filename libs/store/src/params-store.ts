/**
 * The Redis adapter of @sealane/params: the versions of the parameter set and the intake pause.
 * It implements governance's ParamsStorePort; the values and their rules stay pure in params.
 */
import type Redis from 'ioredis';
import type { ParamsStorePort } from '@sealane/governance';
import { DEFAULT_PARAMS, withOverrides, type IntakePause, type ParamsSnapshot } from '@sealane/params';
import type { Keys } from './names';
import { ParamsMissingError } from './store.error';

/**
 * Versions of the parameter set in Redis. A slot reads exactly one snapshot: the version with
 * the highest activation slot not after it. A version's JSON is immutable once written, so it
 * is cached by number; governance moves the activation index (a ZSET) only after the open slot,
 * so a slot that is open or sealed never changes its version.
 */
export class ParamsStore implements ParamsStorePort {
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
    if (v === undefined)
      throw new ParamsMissingError('parameters are not initialised (ParamsStore.init was not called)');
    return this.version(Number(v));
  }

  /** One version by number, whether or not it is (still) scheduled. */
  async version(version: number): Promise<ParamsSnapshot> {
    const hit = this.cache.get(version);
    if (hit) return hit;
    const json = await this.redis.get(this.keys.paramsVersion(version));
    if (!json) throw new ParamsMissingError(`parameter version ${version} is missing`);
    const snap = JSON.parse(json) as ParamsSnapshot;
    this.cache.set(version, snap);
    return snap;
  }

  /** The versions that activate at or after `fromSlot`, in activation order. */
  async versionsFrom(fromSlot: number): Promise<ParamsSnapshot[]> {
    const ids = await this.redis.zrangebyscore(this.keys.paramsVersions(), fromSlot, '+inf');
    return Promise.all(ids.map((v) => this.version(Number(v))));
  }

  /**
   * Writes a new, not yet scheduled version and returns its number. Only governance calls this;
   * the version takes effect once its number is put in the activation index.
   */
  async writeVersion(activationSlot: number, values: ParamsSnapshot['values']): Promise<ParamsSnapshot> {
    const version = await this.redis.incr(this.keys.paramsNextVersion());
    const snap: ParamsSnapshot = { version, activationSlot, values };
    await this.redis.set(this.keys.paramsVersion(version), JSON.stringify(snap), 'NX');
    return snap;
  }

  /** Whether bundle intake is paused (read on every eth_sendBundle: effective immediately). */
  async intakePause(): Promise<IntakePause> {
    const json = await this.redis.get(this.keys.intakePaused());
    return json ? (JSON.parse(json) as IntakePause) : { paused: false };
  }
}
