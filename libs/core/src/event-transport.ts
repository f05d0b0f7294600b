/**
 * The event bus's Redis transport, made to survive a Redis restart: Nest's own ClientRedis and
 * ServerRedis retry a fixed number of times (none unless told) and then give up for good ("No
 * further reconnection attempts will be made"). These reconnect for ever with capped backoff;
 * ioredis then resubscribes the server's channels by itself. Closing never throws because
 * Redis is already gone: a stop must not fail on what it is stopping.
 */
import { ClientRedis, ServerRedis, type RedisOptions } from '@nestjs/microservices';
import type Redis from 'ioredis';
import { redisRetryDelay } from '@sealane/store';

type TransportOptions = Required<RedisOptions>['options'];

/** QUIT when connected (flushes what is queued), else just drop the socket. */
export async function closeQuietly(client: Redis | null | undefined): Promise<void> {
  if (!client) return;
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      /* fall through: the connection went away meanwhile */
    }
  }
  client.disconnect(false);
}

export class ResilientServerRedis extends ServerRedis {
  constructor(options: TransportOptions) {
    super(options);
  }

  override createRetryStrategy(times: number): number | undefined {
    return this.isManuallyClosed ? undefined : redisRetryDelay(times);
  }

  override async close(): Promise<void> {
    this.isManuallyClosed = true;
    await closeQuietly(this.pubClient);
    await closeQuietly(this.subClient);
  }
}

export class ResilientClientRedis extends ClientRedis {
  constructor(options: TransportOptions) {
    super(options);
  }

  override createRetryStrategy(times: number): number | undefined {
    return this.isManuallyClosed ? undefined : redisRetryDelay(times);
  }

  override async close(): Promise<void> {
    this.isManuallyClosed = true;
    this.handleClose();
    await closeQuietly(this.pubClient);
    await closeQuietly(this.subClient);
    this.pubClient = this.subClient = null;
  }
}
