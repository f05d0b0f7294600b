/**
 * Measures the poster's catch-up after an L1 freeze (issue 9 item 8), in wall time and in L1
 * blocks. Not a test (no assertions, real time): run it by hand, one poster at a time:
 *
 *   node test/support/run-ts.js test/poster-catchup.measure.ts
 *
 * Settings: FREEZE_S (60),
 * POSTER_MAX_IN_FLIGHT (16), POSTER_IMPL=old to load a copy of the previous poster from
 * test/.old-poster/poster.ts if you put one there. The devnet: embedded Redis, L1 anvil mining
 * every second, an L2 anvil sealed once a second with TXS (10) transfers of PAYLOAD (300)
 * incompressible bytes each; batches of at most BATCH_MAX_BYTES (10 KB: several batches a
 * minute, as under load, while Brotli stays cheap), 1 s max delay, 1 confirmation.
 */
import { JsonRpcProvider, Wallet } from 'ethers';
import { DEV_KEYS, loadConfig } from '@sealane/config';
import { deployTestInbox } from './support/inbox';
import { startEmbedded } from '@sealane/embedded';
import { Poster as NewPoster, type PosterOptions } from '@sealane/poster';
import { connectRedis, Keys, ParamsStore, PosterStore } from '@sealane/store';
import { L2Sealer } from './support/l2-sealer';

const num = (k: string, d: number) => Number(process.env[k] ?? d);
const FREEZE_S = num('FREEZE_S', 60);
const WARM_S = num('WARM_S', 15);
const TXS = num('TXS', 10);
const PAYLOAD = num('PAYLOAD', 300);
const BATCH_MAX_BYTES = num('BATCH_MAX_BYTES', 10_000);

async function main(): Promise<void> {
  const impl = process.env.POSTER_IMPL ?? 'new';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Poster = (impl === 'old' ? require('./.old-poster/poster').Poster : NewPoster) as typeof NewPoster;
  const devnet = await startEmbedded(loadConfig({}));
  const redis = connectRedis(devnet.redisUrl);
  const l1 = new JsonRpcProvider(devnet.l1RpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const keys = new Keys(`catchup-${process.pid}`);
  const wallet = new Wallet(Wallet.createRandom().privateKey, l1);
  await l1.send('anvil_setBalance', [wallet.address, '0x56bc75e2d63100000000']);
  const logFromBlock = await l1.getBlockNumber();
  const inboxAddress = await deployTestInbox(new Wallet(DEV_KEYS[9], l1), wallet.address, devnet.l2RpcUrl);
  const params = new ParamsStore(redis, keys);
  await params.init({ batchMaxDelayMs: 1000, batchMaxBytes: BATCH_MAX_BYTES });
  const sealer = await new L2Sealer(devnet.l2RpcUrl, redis, keys, 1000).init();
  const store = new PosterStore(redis, keys);
  const quiet = { log: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };
  const opts: PosterOptions = {
    redis,
    keys,
    params,
    wallet,
    inboxAddress,
    confirmations: 1,
    pollMs: 250,
    resubmitMs: 30_000,
    feeBumpPercent: 15,
    maxInFlight: num('POSTER_MAX_IN_FLIGHT', 16),
    logFromBlock,
    clock: { now: () => Date.now() },
    logger: quiet,
  };
  const poster = new Poster(opts);
  poster.start();

  let sealing = true;
  const sealLoop = (async () => {
    while (sealing) {
      const t0 = Date.now();
      await sealer.seal({ txs: TXS, payloadBytes: PAYLOAD });
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - t0))));
    }
  })();
  const posted = async () =>
    Math.max(0, Number((await redis.hget(keys.posterState(), 'nextBlock')) ?? 1) - 1);
  const head = async () => Number((await redis.get(keys.sealedHead())) ?? 0);
  let maxLag = 0;
  const sample = async () => {
    const lag = (await head()) - (await posted());
    maxLag = Math.max(maxLag, lag);
    return lag;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  for (let i = 0; i < WARM_S * 4; i++) {
    // The steady lag is the largest of the last 5 s before the freeze (start-up is not steady).
    if (i === Math.max(0, WARM_S - 5) * 4) maxLag = 0;
    await sample();
    await sleep(250);
  }
  const steadyLag = maxLag;
  await l1.send('evm_setIntervalMining', [0]);
  const frozenAt = Date.now();
  while (Date.now() - frozenAt < FREEZE_S * 1000) {
    await sample();
    await sleep(250);
  }
  const headAtResume = await head();
  const postedAtResume = await posted();
  const l1AtResume = await l1.getBlockNumber();
  await l1.send('evm_setIntervalMining', [1]);
  const resumedAt = Date.now();
  let caughtUpMs = -1;
  let caughtUpL1 = -1;
  let steadyMs = -1;
  while (Date.now() - resumedAt < 600_000) {
    const lag = await sample();
    if (caughtUpMs < 0 && (await posted()) >= headAtResume) {
      caughtUpMs = Date.now() - resumedAt;
      caughtUpL1 = (await l1.getBlockNumber()) - l1AtResume;
    }
    if (caughtUpMs >= 0 && lag <= steadyLag) {
      steadyMs = Date.now() - resumedAt;
      break;
    }
    await sleep(100);
  }
  sealing = false;
  await sealLoop;
  await poster.stop();
  const st = await store.load();
  const batches = st?.nextBatch ?? 0;
  console.log(
    JSON.stringify({
      impl,
      maxInFlight: impl === 'old' ? 1 : opts.maxInFlight,
      freezeS: FREEZE_S,
      blockBytes: TXS * (PAYLOAD + 110),
      batchMaxBytes: BATCH_MAX_BYTES,
      steadyLagBlocks: steadyLag,
      maxLagBlocks: maxLag,
      backlogBlocksAtResume: headAtResume - postedAtResume,
      caughtUpMs,
      caughtUpL1Blocks: caughtUpL1,
      backToSteadyLagMs: steadyMs,
      batches,
    }),
  );
  await sealer.close();
  redis.disconnect();
  l1.destroy();
  await devnet.stop();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
