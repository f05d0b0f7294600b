/**
 * What every Sealane component shares in one process: settings, where the parts run, Redis,
 * key builders, the params store, the L2 engine client and the event bus (the
 * @nestjs/microservices Redis transport). Global, so component modules just inject.
 */
import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import type { SealaneConfig } from '@sealane/config';
import { L2Engine } from '@sealane/engine';
import { deploymentSalt, type MempoolDomain } from '@sealane/mempool';
import { ParamsStore } from '@sealane/store';
import { connectRedis, Keys, PublicLane, redisConnectionOptions, type SealaneRedis } from '@sealane/store';
import { SealaneMetrics } from '@sealane/observe';
import { closeQuietly, ResilientClientRedis } from './event-transport';
import { MetricsServer } from './metrics-server';

/** Where the real parts are: given by the operator or started by the embedded devnet. */
export interface Endpoints {
  redisUrl: string;
  l2RpcUrl: string;
  l1RpcUrl: string;
  inboxAddress: string;
}

import { CONFIG, ENDPOINTS, EVENTS_CLIENT, MEMPOOL_DOMAIN, REDIS } from './tokens';

export { CONFIG, ENDPOINTS, EVENTS_CLIENT, MEMPOOL_DOMAIN, REDIS };

/** Publishes events (slot closed, block sealed, batch posted) to every process. */
@Injectable()
export class EventBus {
  private readonly logger = new Logger('events');
  constructor(@Inject(EVENTS_CLIENT) private readonly client: ClientProxy) {}

  async emit<T extends object>(pattern: string, payload: T): Promise<void> {
    try {
      await firstValueFrom(this.client.emit(pattern, payload), { defaultValue: undefined });
    } catch (e) {
      // Events are hints (durable work goes through queues), so a lost one is logged, not fatal.
      this.logger.warn(`could not publish ${pattern}: ${(e as Error).message}`);
    }
  }
}

@Injectable()
class Shutdown implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: SealaneRedis,
    private readonly engine: L2Engine,
    @Inject(EVENTS_CLIENT) private readonly client: ClientProxy,
  ) {}
  /** Last, after every component stopped using them; a Redis already gone is not an error. */
  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
    await this.engine.close();
    await closeQuietly(this.redis);
  }
}

@Global()
@Module({})
export class CoreModule {
  static forRoot(config: SealaneConfig, endpoints: Endpoints): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: ENDPOINTS, useValue: endpoints },
        { provide: REDIS, useFactory: () => connectRedis(endpoints.redisUrl) },
        { provide: Keys, useValue: new Keys(config.KEY_PREFIX) },
        {
          provide: ParamsStore,
          useFactory: (r: SealaneRedis, k: Keys) => new ParamsStore(r, k),
          inject: [REDIS, Keys],
        },
        {
          provide: PublicLane,
          useFactory: (r: SealaneRedis, k: Keys) => new PublicLane(r, k),
          inject: [REDIS, Keys],
        },
        { provide: L2Engine, useFactory: () => new L2Engine(endpoints.l2RpcUrl) },
        {
          provide: MEMPOOL_DOMAIN,
          useValue: {
            chainId: BigInt(config.L2_CHAIN_ID),
            salt: deploymentSalt(`${config.KEY_PREFIX}:${endpoints.inboxAddress.toLowerCase()}`),
          } satisfies MempoolDomain,
        },
        {
          provide: EVENTS_CLIENT,
          useFactory: () => new ResilientClientRedis(redisConnectionOptions(endpoints.redisUrl)),
        },
        EventBus,
        { provide: SealaneMetrics, useValue: new SealaneMetrics(config.METRICS_ENABLED) },
        MetricsServer,
        Shutdown,
      ],
      exports: [
        CONFIG,
        ENDPOINTS,
        REDIS,
        Keys,
        ParamsStore,
        PublicLane,
        L2Engine,
        EVENTS_CLIENT,
        EventBus,
        MEMPOOL_DOMAIN,
        SealaneMetrics,
      ],
    };
  }
}
