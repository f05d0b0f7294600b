/**
 * The poster in a Nest process: a Poster built from the settings, woken by the BullMQ
 * `sealed-block` jobs the builder queues, by `block.sealed` events and by its own timer.
 * Its confirmed batches go out as `batch.posted` events.
 */
import { SealaneMetrics } from '@sealane/observe';
import {
  Controller,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Worker } from 'bullmq';
import { JsonRpcProvider, Wallet } from 'ethers';
import type { SealaneConfig } from '@sealane/config';
import { CONFIG, ENDPOINTS, EventBus, REDIS, type Endpoints } from '@sealane/core';
import { ForcedStore, ParamsStore } from '@sealane/store';
import {
  EVENTS,
  JOBS,
  Keys,
  QUEUES,
  redisConnectionOptions,
  type BatchPostedEvent,
  type BlockSealedEvent,
  type SealaneRedis,
  type SealedBlockJob,
} from '@sealane/store';
import { ForcedWatcher } from './forced-watcher';
import { Poster } from './poster';

@Injectable()
export class PosterService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('poster');
  readonly poster: Poster;
  private readonly forced: ForcedWatcher;
  private readonly provider: JsonRpcProvider;
  private worker: Worker<SealedBlockJob, void, typeof JOBS.sealedBlock> | undefined;

  constructor(
    @Inject(CONFIG) config: SealaneConfig,
    @Inject(ENDPOINTS) private readonly endpoints: Endpoints,
    @Inject(REDIS) redis: SealaneRedis,
    readonly keys: Keys,
    params: ParamsStore,
    events: EventBus,
    metrics: SealaneMetrics,
  ) {
    // No cache: the poster reasons over L1 reads in order (nonce used, then batch count).
    this.provider = new JsonRpcProvider(endpoints.l1RpcUrl, undefined, {
      staticNetwork: true,
      cacheTimeout: -1,
      pollingInterval: 250,
    });
    this.poster = new Poster({
      redis,
      keys,
      params,
      wallet: new Wallet(config.POSTER_PRIVATE_KEY, this.provider),
      inboxAddress: endpoints.inboxAddress,
      confirmations: config.POSTER_CONFIRMATIONS,
      pollMs: config.POSTER_POLL_MS,
      resubmitMs: config.POSTER_RESUBMIT_MS,
      feeBumpPercent: config.POSTER_FEE_BUMP_PERCENT,
      maxInFlight: config.POSTER_MAX_IN_FLIGHT,
      compressionLevel: config.POSTER_COMPRESSION_LEVEL,
      logFromBlock: config.POSTER_LOG_FROM_BLOCK,
      clock: { now: () => Date.now() },
      logger: this.logger,
      metrics,
      // The Poster logs the posting itself; this only tells the other processes.
      onPosted: (ev: BatchPostedEvent) => events.emit(EVENTS.batchPosted, ev),
    });
    this.forced = new ForcedWatcher({
      provider: this.provider,
      inboxAddress: endpoints.inboxAddress,
      store: new ForcedStore(redis, keys),
      confirmations: config.POSTER_CONFIRMATIONS,
      pollMs: config.POSTER_POLL_MS,
      fromBlock: config.POSTER_LOG_FROM_BLOCK,
      logger: this.logger,
    });
  }

  onApplicationBootstrap(): void {
    this.poster.start();
    this.forced.start();
    this.worker = new Worker<SealedBlockJob, void, typeof JOBS.sealedBlock>(
      QUEUES.post,
      async () => {
        await this.poster.tick();
      },
      {
        connection: redisConnectionOptions(this.endpoints.redisUrl),
        prefix: this.keys.bullPrefix(),
        concurrency: 1,
      },
    );
    this.worker.on('error', (e) => this.logger.warn(`queue worker: ${e.message}`));
  }

  /** Before the shared connections close (CoreModule closes them on application shutdown). */
  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    await this.poster.stop();
    await this.forced.stop();
    this.provider.destroy();
  }
}

/** Events are hints: a `block.sealed` for this deployment wakes the poster at once. */
@Controller()
export class PosterEventsController {
  constructor(private readonly service: PosterService) {}

  @EventPattern(EVENTS.blockSealed)
  async onBlockSealed(@Payload() ev: BlockSealedEvent): Promise<void> {
    if (ev?.prefix === this.service.keys.prefix) await this.service.poster.tick();
  }
}

@Module({ controllers: [PosterEventsController], providers: [PosterService], exports: [PosterService] })
export class PosterModule {}
