/**
 * A poster in its own OS process, for tests that kill it (SIGKILL) mid-flight. Settings from
 * the environment; its clock is fixed (POSTER_CLOCK_MS) as in the in-process tests, so every
 * sealed block counts as old enough to post.
 */
import { JsonRpcProvider, Wallet } from 'ethers';
import { ParamsStore } from '@sealane/store';
import { Poster } from '@sealane/poster';
import { connectRedis, Keys } from '@sealane/store';

const env = (k: string): string => {
  const v = process.env[k];
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};

const redis = connectRedis(env('REDIS_URL'));
const keys = new Keys(env('POSTER_PREFIX'));
const provider = new JsonRpcProvider(env('L1_RPC_URL'), undefined, {
  staticNetwork: true,
  cacheTimeout: -1,
  pollingInterval: 100,
});
const log = (level: string) => (m: string) => process.stdout.write(`[poster ${level}] ${m}\n`);
const poster = new Poster({
  redis,
  keys,
  params: new ParamsStore(redis, keys),
  wallet: new Wallet(env('POSTER_PRIVATE_KEY'), provider),
  inboxAddress: env('INBOX_ADDRESS'),
  confirmations: 1,
  pollMs: 50,
  resubmitMs: 600_000,
  feeBumpPercent: 15,
  maxInFlight: Number(env('POSTER_MAX_IN_FLIGHT')),
  logFromBlock: Number(env('POSTER_LOG_FROM_BLOCK')),
  clock: { now: () => Number(env('POSTER_CLOCK_MS')) },
  logger: { log: log('log'), warn: log('warn'), error: log('error') },
});
poster.start();
process.stdout.write('[poster] started\n');
