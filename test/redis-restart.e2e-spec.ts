/**
 * A Redis restart (same port, same AOF folder) while a sequencer runs: every client reconnects
 * and the event bus resubscribes, so blocks keep being sealed, `block.sealed` events keep
 * flowing and batches keep being posted afterwards. The sequencer is the built binary in its
 * own OS process; Redis is a real redis-server the test stops and starts again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider } from 'ethers';
import Redis from 'ioredis';
import { inboxContract } from '@sealane/contracts';
import { freePort, startRedis } from '@sealane/embedded';
import { EVENTS, Keys } from '@sealane/store';
import { waitFor } from './support/pids';
import { spawnSealane, type Component } from './support/processes';

describe('Redis restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealane-restart-'));
  const keys = new Keys('restart');
  let port: number;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let seq: Component | undefined;
  let l1: JsonRpcProvider | undefined;

  afterAll(async () => {
    await seq?.kill('SIGKILL');
    l1?.destroy();
    await redis?.proc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps sealing blocks, publishing events and posting batches after Redis comes back', async () => {
    port = await freePort();
    redis = await startRedis(dir, port);
    seq = spawnSealane({ REDIS_URL: redis.url, KEY_PREFIX: 'restart', GATEWAY_PORT: '0' });
    const out = seq.output;
    await waitFor('start-up', () => /gateway: /.test(out()), 90_000);
    l1 = new JsonRpcProvider(/l1: (\S+)/.exec(out())![1], undefined, { staticNetwork: true });
    const inbox = inboxContract(/inbox: (\S+)/.exec(out())![1], l1);

    const probe = new Redis(redis.url);
    const head = async (r: Redis) => Number((await r.get(keys.sealedHead())) ?? 0);
    const subscribers = async (r: Redis) =>
      Number(((await r.pubsub('NUMSUB', EVENTS.blockSealed)) as [string, number])[1]);
    await waitFor('a batch on L1', async () => (await inbox.batchCount()) > 0n, 90_000);
    expect(await subscribers(probe)).toBeGreaterThanOrEqual(1);
    probe.disconnect();

    await redis.proc.stop();
    const stoppedAt = out().length;
    // Every client noticed, and is retrying (Nest's transport used to give up here for good).
    await waitFor('the clients to notice', () =>
      /Reconnecting to Redis|No further reconnection/.test(out().slice(stoppedAt)),
    );
    redis = await startRedis(dir, port);
    const after = new Redis(redis.url);
    const headAtRestart = await head(after);
    const batchesAtRestart = await inbox.batchCount();

    // The publisher reconnected: an event published after the restart reaches a new subscriber.
    const sub = new Redis(redis.url);
    const events: number[] = [];
    sub.on('message', (_ch: string, msg: string) => {
      const ev = JSON.parse(msg) as { data?: { number?: number; prefix?: string } };
      if (ev.data?.prefix === 'restart' && typeof ev.data.number === 'number') events.push(ev.data.number);
    });
    await sub.subscribe(EVENTS.blockSealed);
    await waitFor(
      'blocks sealed after the restart',
      async () => (await head(after)) >= headAtRestart + 3,
      90_000,
    );
    await waitFor('block.sealed events after the restart', () => events.length >= 2, 90_000);
    // The poster's subscription came back (ioredis resubscribes once reconnected) ...
    await waitFor('the event bus subscription', async () => (await subscribers(after)) >= 2, 90_000);
    // ... and batches keep reaching L1.
    await waitFor(
      'a batch after the restart',
      async () => (await inbox.batchCount()) > batchesAtRestart,
      90_000,
    );
    expect(out()).not.toContain('No further reconnection attempts');
    sub.disconnect();
    after.disconnect();

    await seq.kill('SIGTERM');
    expect(seq.child.exitCode).toBe(0);
  });
});
