/**
 * The Redis adapter: connections, and Lua commands loaded with ioredis `defineCommand`.
 * Each atomic step is one script in ./commands, named <command>-<numKeys>.lua; their signatures
 * are declared here, and scripts.ts is their one caller.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis, { type RedisOptions } from 'ioredis';
import { ScriptError } from './store.error';

export interface SealaneRedis extends Redis {
  addPublicTx(
    pool: string,
    raw: string,
    seq: string,
    sender: string,
    status: string,
    senderCosts: string,
    included: string,
    hash: string,
    value: string,
    capacity: number,
    nonce: number,
    engineNonce: number,
    balance: string,
    cost: string,
    maxFeePerGas: string,
    maxPriorityFeePerGas: string,
    nonceWindow: number,
    statusPrefix: string,
    statusTtlSec: number,
    senderCostsTtlSec: number,
  ): Promise<[number, string?]>;
  recordSealed(
    lease: string,
    head: string,
    pool: string,
    raw: string,
    included: string,
    pruned: string,
    ...args: (string | number)[]
  ): Promise<number>;
  /** [1, ttl] held by this token now, or [0, ms the other holder has left]. */
  renewLease(lease: string, token: string, ttlMs: number): Promise<[number, number]>;
  savePlan(lease: string, plan: string, token: string, json: string, ttlSec: number): Promise<number>;
  addBundle(
    closed: string,
    bundles: string,
    counter: string,
    status: string,
    paused: string,
    hashes: string,
    replacement: string,
    feeTxs: string,
    uuidSlot: string,
    entry: string,
    bundle: string,
    limit: number,
    statusJson: string,
    ttlSec: number,
    searcher: string,
    bundleHash: string,
    hasUuid: '0' | '1',
    replacementNonce: string,
    requestId: string,
    slot: number,
    ...txHashes: string[]
  ): Promise<string | number>;
  cancelBundle(
    closed: string,
    bundles: string,
    hashes: string,
    replacement: string,
    entry: string,
    searcher: string,
    replacementNonce: string,
    requestId: string,
    ttlSec: number,
  ): Promise<string | number>;
  closeAuction(closed: string, bundles: string, ttlSec: number): Promise<string[]>;
  addCommitment(
    closed: string,
    list: string,
    counter: string,
    status: string,
    feeTxs: string,
    json: string,
    limit: number,
    ttlSec: number,
    slot: number,
    feeTxHash: string,
  ): Promise<number>;
  revealCommitment(
    order: string,
    closed: string,
    keys: string,
    commitment: string,
    key: string,
  ): Promise<number>;
  closeReveals(closed: string, keys: string, ttlSec: number): Promise<string[]>;
  releaseLease(lease: string, token: string): Promise<number>;
  govPropose(
    nonce: string,
    nonces: string,
    proposals: string,
    status: string,
    signatures: string,
    nonceValue: number,
    id: string,
    proposal: string,
    nonceWindow: number,
    ...memberSignaturePairs: string[]
  ): Promise<number>;
  govApprove(
    status: string,
    signatures: string,
    id: string,
    ...memberSignaturePairs: string[]
  ): Promise<number>;
  govSchedule(
    versions: string,
    head: string,
    revision: string,
    status: string,
    schedule: string,
    history: string,
    nonce: string,
    nonces: string,
    expectedRevision: number,
    activationSlot: number,
    leastGap: number,
    id: string,
    expectedStatus: string,
    newStatus: string,
    op: 'add' | 'rem',
    historyEntry: string,
    consumesNonce: string,
    ...slotVersionPairs: number[]
  ): Promise<number>;
  govDecide(
    status: string,
    history: string,
    pause: string,
    nonce: string,
    nonces: string,
    id: string,
    expectedStatus: string,
    newStatus: string,
    historyEntry: string,
    pauseOp: 'set' | 'clear' | 'keep',
    pauseJson: string,
    consumesNonce: string,
  ): Promise<number>;
}

const COMMANDS_DIR = join(__dirname, 'commands');

export function defineCommands(redis: Redis): SealaneRedis {
  for (const file of readdirSync(COMMANDS_DIR).filter((f) => f.endsWith('.lua'))) {
    const m = /^(\w+)-(\d+)\.lua$/.exec(file);
    if (!m) throw new ScriptError(`Lua command file ${file} is not named <command>-<numKeys>.lua`);
    redis.defineCommand(m[1], {
      numberOfKeys: Number(m[2]),
      lua: readFileSync(join(COMMANDS_DIR, file), 'utf8'),
    });
  }
  return redis as SealaneRedis;
}

/**
 * Reconnect delay after `times` failed attempts: doubling from 50 ms, capped at 1 s, for ever.
 * Every Sealane connection uses it, so none gives up while Redis restarts.
 */
export function redisRetryDelay(times: number): number {
  return Math.min(50 * 2 ** Math.min(Math.max(times - 1, 0), 10), 1000);
}

export function connectRedis(url: string, opts: RedisOptions = {}): SealaneRedis {
  return defineCommands(
    new Redis(url, {
      maxRetriesPerRequest: 3,
      enableAutoPipelining: true,
      retryStrategy: redisRetryDelay,
      ...opts,
    }),
  );
}

/** host/port (and the retry strategy) for @nestjs/microservices and BullMQ connection options. */
export function redisConnectionOptions(url: string): {
  host: string;
  port: number;
  password?: string;
  db?: number;
  retryStrategy: (times: number) => number;
} {
  const u = new URL(url);
  return {
    retryStrategy: redisRetryDelay,
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
  };
}
