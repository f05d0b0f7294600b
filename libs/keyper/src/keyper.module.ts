/**
 * The keyper component in a Nest process (COMPONENTS=keyper, KEYPER_INDEX=i[,j…]): each keyper
 * of the set that runs here, woken by the order channel (pub/sub) and its own poll.
 */
import { SealaneMetrics } from '@sealane/observe';
import {
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { SealaneConfig } from '@sealane/config';
import { CONFIG, MEMPOOL_DOMAIN, REDIS } from '@sealane/core';
import type { MempoolDomain } from '@sealane/mempool';
import { ChainStore, CommitStore, KeyperStore, Keys, type SealaneRedis } from '@sealane/store';
import { Wallet } from 'ethers';
import { Keyper } from './keyper';
import { keyperPrivateKeyOf, keyperSetOf } from './keyper-set';

/** How often a keyper looks for a published order without a wake-up. */
const POLL_MS = 200;

@Injectable()
export class KeyperService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('keyper');
  readonly keypers: Keyper[];
  private subscriber: ReturnType<SealaneRedis['duplicate']> | undefined;

  constructor(
    @Inject(CONFIG) config: SealaneConfig,
    @Inject(REDIS) private readonly redis: SealaneRedis,
    private readonly keys: Keys,
    @Inject(MEMPOOL_DOMAIN) domain: MempoolDomain,
    metrics: SealaneMetrics,
  ) {
    const set = keyperSetOf(config);
    const board = new KeyperStore(redis, keys);
    const commits = new CommitStore(redis, keys);
    const chain = new ChainStore(redis, keys);
    const sequencer = (
      config.SEQUENCER_ADDRESS ?? new Wallet(config.SEQUENCER_PRIVATE_KEY).address
    ).toLowerCase();
    this.keypers = (config.KEYPER_INDEX ?? []).map(
      (index) =>
        new Keyper({
          index,
          privateKey: keyperPrivateKeyOf(config, index),
          set,
          board,
          commits,
          sealedHead: () => chain.sealedHead(),
          sequencer,
          domain,
          phaseMs: config.KEYPER_DKG_PHASE_MS,
          pollMs: POLL_MS,
          logger: this.logger,
          onReleased: () => metrics.keyShareReleased(),
        }),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    const sub = this.redis.duplicate();
    this.subscriber = sub;
    sub.on('error', (e: Error) => this.logger.warn(`order channel: ${e.message}`));
    sub.on('message', (_channel: string, message: string) => {
      const slot = Number(message);
      if (Number.isSafeInteger(slot)) for (const k of this.keypers) k.wake(slot);
    });
    await sub
      .subscribe(this.keys.orderChannel())
      .catch((e: Error) => this.logger.warn(`order channel: ${e.message}`));
    for (const k of this.keypers) k.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.keypers.map((k) => k.stop()));
    this.subscriber?.disconnect();
  }
}

@Module({ providers: [KeyperService], exports: [KeyperService] })
export class KeyperModule {}
