/**
 * Starts Sealane: the embedded devnet for whatever the settings leave unset, then the Nest
 * application with the configured components, the event bus and (with the gateway) HTTP.
 */
import 'reflect-metadata';
import { Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type SealaneConfig } from '@sealane/config';
import {
  assertPortFree,
  EmbeddedStartError,
  startEmbedded,
  type Devnet,
  type EmbeddedOptions,
} from '@sealane/embedded';
import { REDIS, ResilientServerRedis } from '@sealane/core';
import { configureGatewayHttp } from '@sealane/gateway';
import { levelsFrom, SealaneLogger } from '@sealane/observe';
import { ParamsStore, redisConnectionOptions, type SealaneRedis } from '@sealane/store';
import { AppModule } from './app.module';
import { preflight, whileStoreAway } from './preflight';

/** How long a clean stop may take before the process exits anyway. */
const STOP_DEADLINE_MS = 30_000;

export interface Sealane {
  config: SealaneConfig;
  devnet: Devnet;
  app: NestFastifyApplication;
  /** Set when the gateway runs here. */
  gatewayUrl?: string;
  /** Stops the application, then whatever the devnet started. */
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  embedded?: EmbeddedOptions;
  /** Pass false to keep Nest's logs quiet (the demo prints its own summary). */
  logger?: false | LogLevel[];
}

export async function startSealane(opts: StartOptions = {}): Promise<Sealane> {
  const config = loadConfig(opts.env ?? process.env);
  await preflight(config);
  // Fail before starting anything when the gateway's port is taken.
  if (config.COMPONENTS.includes('gateway') && config.GATEWAY_PORT !== 0) {
    await assertPortFree(config.GATEWAY_PORT, 'the gateway (set GATEWAY_PORT)');
  }
  const devnet = await startEmbedded(config, opts.embedded);
  try {
    const adapter = new FastifyAdapter({
      bodyLimit: config.RPC_MAX_BODY_BYTES,
      allowErrorHandlerOverride: true,
    });
    const logger =
      opts.logger === false
        ? false
        : new SealaneLogger({
            format: config.LOG_FORMAT,
            levels: opts.logger ?? levelsFrom(config.LOG_LEVEL),
          });
    const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, devnet), adapter, {
      logger,
      abortOnError: false,
      bodyParser: false,
    });
    const params = app.get(ParamsStore);
    await whileStoreAway(app.get<SealaneRedis>(REDIS), () => params.init(config.GENESIS_PARAMS));
    app.connectMicroservice<MicroserviceOptions>(
      { strategy: new ResilientServerRedis(redisConnectionOptions(devnet.redisUrl)) },
      { inheritAppConfig: true },
    );
    configureGatewayHttp(app, config.RPC_MAX_BODY_BYTES);
    await app.startAllMicroservices();
    let gatewayUrl: string | undefined;
    if (config.COMPONENTS.includes('gateway')) {
      await app.listen(config.GATEWAY_PORT, config.GATEWAY_HOST).catch(async (e: NodeJS.ErrnoException) => {
        await app.close();
        if (e.code !== 'EADDRINUSE') throw e;
        throw new EmbeddedStartError(
          `port ${config.GATEWAY_PORT} for the gateway is already in use: stop what uses it or set GATEWAY_PORT`,
        );
      });
      const addr = app.getHttpServer().address();
      const port = typeof addr === 'object' && addr ? addr.port : config.GATEWAY_PORT;
      gatewayUrl = `http://${config.GATEWAY_HOST}:${port}`;
    } else {
      await app.init();
    }
    let stopping: Promise<void> | undefined;
    return {
      config,
      devnet,
      app,
      gatewayUrl,
      // Components first (each finishes or abandons its step, then the shared connections
      // close), the embedded children last; the children are stopped even if a component fails.
      stop: () =>
        (stopping ??= (async () => {
          try {
            await app.close();
          } finally {
            await devnet.stop();
          }
        })()),
    };
  } catch (e) {
    await devnet.stop();
    throw e;
  }
}

/**
 * Stops cleanly on SIGINT/SIGTERM/SIGHUP and exits 0 (1 if a component failed to stop). A second
 * signal while stopping exits at once; the watchdogs then stop the embedded children.
 */
export function stopOnSignals(s: Pick<Sealane, 'stop'>): void {
  const logger = new Logger('sealane');
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (stopping) {
        logger.warn(`${sig} again: exiting without waiting`);
        process.exit(1);
      }
      stopping = true;
      logger.log(`${sig}: stopping`);
      // A part that hangs (a close waiting on a dead peer) must not keep the process for ever.
      setTimeout(() => {
        logger.error(`stop did not finish within ${STOP_DEADLINE_MS / 1000} s: exiting`);
        process.exit(1);
      }, STOP_DEADLINE_MS).unref();
      s.stop().then(
        () => {
          logger.log('stopped');
          process.exit(0);
        },
        (e: unknown) => {
          logger.error(`stop failed: ${e instanceof Error ? e.message : String(e)}`);
          process.exit(1);
        },
      );
    });
  }
}
