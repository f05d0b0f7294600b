import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Queue } from 'bullmq';
import type { SealaneConfig } from '@sealane/config';
import { CONFIG, ENDPOINTS, EventBus, MEMPOOL_DOMAIN, REDIS, type Endpoints } from '@sealane/core';
import { L2Engine } from '@sealane/engine';
import { ParamsStore } from '@sealane/store';
import {
  BundleStore,
  CommitStore,
  ForcedStore,
  KeyperStore,
  JOBS,
  Keys,
  PublicLane,
  QUEUES,
  redisConnectionOptions,
  type SealaneRedis,
  type SealedBlockJob,
} from '@sealane/store';
import { Wallet } from 'ethers';
import { BundleSimulator } from '@sealane/simulator';
import type { MempoolDomain } from '@sealane/mempool';
import { SealaneMetrics } from '@sealane/observe';
import { systemClock } from './clock';
import { Builder } from './leader';
import { MempoolRunner } from './mempool.runner';
import { EonKeysSource, keyperSetOf, SlotKeys } from '@sealane/keyper';
import { AuctionRunner } from './phases/clear';
import { notifyHooks } from './phases/notify';
import { commitmentCrypto, simulatorPort } from './ports';

/** Runs a Builder in this process (the Nest shell: settings, connections, the poster's queue): leads when it holds the lease, stands by otherwise. */
@Injectable()
export class BuilderService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('builder');
  readonly builder: Builder;
  private readonly queue: Queue<SealedBlockJob, void, typeof JOBS.sealedBlock>;

  constructor(
    @Inject(CONFIG) config: SealaneConfig,
    @Inject(ENDPOINTS) endpoints: Endpoints,
    @Inject(REDIS) redis: SealaneRedis,
    keys: Keys,
    lane: PublicLane,
    params: ParamsStore,
    engine: L2Engine,
    events: EventBus,
    @Inject(MEMPOOL_DOMAIN) domain: MempoolDomain,
    metrics: SealaneMetrics,
  ) {
    this.queue = new Queue(QUEUES.post, {
      connection: redisConnectionOptions(endpoints.redisUrl),
      prefix: keys.bullPrefix(),
    });
    const prefix = keys.prefix;
    const bundles = new BundleStore(redis, keys);
    const sequencer = new Wallet(config.SEQUENCER_PRIVATE_KEY);
    const commits = new CommitStore(redis, keys);
    const keyperStore = new KeyperStore(redis, keys);
    const slotKeys = new SlotKeys(
      keyperStore,
      new EonKeysSource(keyperStore, keyperSetOf(config)),
      this.logger,
    );
    // Reveal deadlines are on Redis' clock; the wait for key shares runs on this process' clock.
    let skew = 0;
    const clockSkew = () => skew;
    const redisNow = async () => {
      const [sec, usec] = await redis.time();
      const ms = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
      skew = ms - Date.now();
      return ms;
    };
    const simulator = simulatorPort(new BundleSimulator(engine, { chainId: BigInt(config.L2_CHAIN_ID) }));
    this.builder = new Builder(
      redis,
      keys,
      lane,
      params,
      engine,
      systemClock,
      {
        id: config.BUILDER_ID ?? `${hostname()}-${process.pid}`,
        leaseTtlMs: config.LEASE_TTL_MS,
        blockGasLimit: BigInt(config.L2_BLOCK_GAS_LIMIT),
        auction: {
          runner: new AuctionRunner(bundles, simulator),
          simulator,
          bundles,
          feeRecipient: sequencer,
          chainId: config.L2_CHAIN_ID,
        },
        mempool: {
          runner: new MempoolRunner(commits, commitmentCrypto(sequencer, domain), redisNow, {
            announce: (slot) => keyperStore.announceOrder(slot),
            slotKey: (slot, untilMs) => slotKeys.get(slot, untilMs - clockSkew(), Date.now),
          }),
          store: commits,
        },
        forced: { store: new ForcedStore(redis, keys), chainId: BigInt(config.L2_CHAIN_ID) },
      },
      notifyHooks({
        prefix,
        queue: this.queue,
        emit: (pattern, payload) => events.emit(pattern, payload),
        logger: this.logger,
        metrics,
        laneDepth: () => lane.size(),
      }),
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.builder.start();
  }

  /** Before the shared connections close (CoreModule closes them on application shutdown). */
  async onModuleDestroy(): Promise<void> {
    await this.builder.stop();
    await this.queue.close();
  }
}

@Module({ providers: [BuilderService], exports: [BuilderService] })
export class BuilderModule {}
