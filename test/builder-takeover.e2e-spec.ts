/**
 * How fast a standby takes over, as a logical property of the chain: with 2 s slots and the
 * default lease, two builder processes share Redis and the engine; the leader is SIGKILLed
 * after it closed a slot and before it sealed it (the worst moment). Block timestamps are slot
 * starts, so the takeover costs at most one missed slot iff consecutive recorded slot starts
 * are never more than two slots apart, and the standby finishes the slot the leader left.
 */
import Redis from 'ioredis';
import { loadConfig } from '@sealane/config';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import type { SealedBlock } from '@sealane/store';
import { spawnSealane, type Component } from './support/processes';
import { waitFor } from './support/rpc';

const SLOT_MS = 2000;

describe('builder take-over within one slot (e2e)', () => {
  let devnet: Devnet;
  let redis: Redis;
  const builders: Component[] = [];

  beforeAll(async () => {
    devnet = await startEmbedded(loadConfig({}));
    const shared = {
      REDIS_URL: devnet.redisUrl,
      L2_RPC_URL: devnet.l2RpcUrl,
      L1_RPC_URL: devnet.l1RpcUrl,
      INBOX_ADDRESS: devnet.inboxAddress,
      // The close leaves 600 ms before the seal, so the kill below lands between the two.
      GENESIS_PARAMS: JSON.stringify({ slotMs: SLOT_MS, auctionCloseOffsetMs: 600, revealWindowMs: 500 }),
    };
    redis = new Redis(devnet.redisUrl);
    for (const id of ['builder-a', 'builder-b']) {
      builders.push(spawnSealane({ ...shared, COMPONENTS: 'builder', BUILDER_ID: id, LOG_LEVEL: 'warn' }));
      if (id === 'builder-a')
        await waitFor(
          'builder-a to lead',
          async () => (await redis.get('sealane:lease:builder')) === 'builder-a',
        );
    }
  });

  afterAll(async () => {
    await Promise.all(builders.map((b) => b.kill()));
    redis?.disconnect();
    await devnet?.stop();
  });

  const head = async () => Number((await redis.get('sealane:sealed:head')) ?? 0);
  const record = async (n: number) => JSON.parse((await redis.get(`sealane:block:${n}`))!) as SealedBlock;

  it('the standby seals the slot the dead leader closed, at most one slot late', async () => {
    await waitFor('two blocks by the leader', async () => (await head()) >= 2, 60_000);
    const h = await head();
    // The leader closes slot h+1 (its auction and commitments) and is killed before its seal.
    await waitFor(
      'the leader to close the next slot',
      async () => (await redis.exists(`sealane:auction:${h + 1}:closed`)) === 1,
      60_000,
      5,
    );
    await builders[0].kill('SIGKILL');
    const killedAt = await head();

    await waitFor(
      'two blocks by the standby',
      async () => {
        const n = await head();
        return n >= killedAt + 2 && (await record(n)).builder === 'builder-b';
      },
      60_000,
    );
    const last = await head();
    const records = await Promise.all(Array.from({ length: last }, (_, i) => record(i + 1)));
    expect(records.map((r) => r.number)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(records.slice(killedAt).every((r) => r.builder === 'builder-b')).toBe(true);
    // Block timestamps are slot starts: no more than one slot is missed anywhere, take-over included.
    for (let i = 1; i < records.length; i++) {
      const missed = (records[i].startMs - records[i - 1].startMs) / SLOT_MS - 1;
      expect({ block: records[i].number, missed: missed <= 1 }).toEqual({
        block: records[i].number,
        missed: true,
      });
    }
    expect(builders[1].output()).not.toMatch(/differs from the intended order/);
  });
});
