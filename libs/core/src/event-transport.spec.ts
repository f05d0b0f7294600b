import { Logger } from '@nestjs/common';
import { ClientRedis, ServerRedis } from '@nestjs/microservices';
import { redisRetryDelay } from '@sealane/store';
import { ResilientClientRedis, ResilientServerRedis } from './event-transport';

describe('event bus transport', () => {
  beforeAll(() => Logger.overrideLogger(false)); // Nest's transport logs its giving up
  const opts = { host: '127.0.0.1', port: 1 };

  it('reconnects for ever with capped backoff where Nest gives up', () => {
    const server = new ResilientServerRedis(opts);
    const client = new ResilientClientRedis(opts);
    for (const times of [1, 2, 5, 20, 1000, 1e6]) {
      expect(server.createRetryStrategy(times)).toBe(redisRetryDelay(times));
      expect(client.createRetryStrategy(times)).toBe(redisRetryDelay(times));
    }
    // Nest's own transport, given the same options, stops at the first retry.
    expect(new ServerRedis(opts).createRetryStrategy(1)).toBeUndefined();
    expect(new ClientRedis(opts).createRetryStrategy(1)).toBeUndefined();
  });

  it('stops retrying once closed', async () => {
    const server = new ResilientServerRedis(opts);
    await server.close();
    expect(server.createRetryStrategy(1)).toBeUndefined();
  });

  it('backs off from 50 ms doubling to a 1 s cap', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map(redisRetryDelay)).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
  });
});
