/**
 * Commit-reveal rules on real Redis: positions in arrival order, fixed at commit; nothing after
 * the slot closes; per-sender limits; reveals only between the published order and the
 * deadline, judged by Redis' own clock; nothing after the builder takes the reveals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis } from '@sealane/embedded';
import {
  AlreadyKnownError,
  RateLimitedError,
  RevealTooEarlyError,
  RevealTooLateError,
  SlotClosedError,
} from '@sealane/protocol';
import {
  CommitStore,
  connectRedis,
  Keys,
  type PublishedOrder,
  type SealaneRedis,
  type StoredCommitment,
} from '@sealane/store';

const A = '0x' + 'aa'.repeat(20);
const B = '0x' + 'bb'.repeat(20);
let n = 0;
const commitment = (sender: string, slot: number): StoredCommitment => {
  n++;
  const h = '0x' + n.toString(16).padStart(64, '0');
  return { commitment: h, sender, slot, ciphertext: '0x00', feeTx: '0x01', feeTxHash: h, receivedAt: n };
};

describe('commit-reveal store (Redis)', () => {
  let stop: () => Promise<void>;
  let redis: SealaneRedis;
  let keys: Keys;
  let store: CommitStore;

  let dir: string | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sealane-commits-'));
    const r = await startRedis(dir);
    stop = r.proc.stop;
    redis = connectRedis(r.url);
  });
  beforeEach(() => {
    keys = new Keys(`commits-${n}`);
    store = new CommitStore(redis, keys);
  });
  afterAll(async () => {
    redis?.disconnect();
    await stop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const publish = (slot: number, deadlineMs: number): Promise<void> =>
    store.publishOrder({
      slot,
      count: 0,
      root: '0x',
      commitments: [],
      revealDeadlineMs: deadlineMs,
      sequencer: A,
      signature: '0x',
    } as PublishedOrder);

  it('gives positions in arrival order and refuses duplicates, a sender over its limit, and a closed slot', async () => {
    const [c0, c1, c2] = [commitment(A, 3), commitment(B, 3), commitment(A, 3)];
    expect(await store.add(c0, 2)).toBe(0);
    expect(await store.add(c1, 2)).toBe(1);
    expect(await store.add(c2, 2)).toBe(2);
    await expect(store.add(c0, 2)).rejects.toThrow(AlreadyKnownError);
    await expect(store.add(commitment(A, 3), 2)).rejects.toThrow(RateLimitedError);
    expect(await store.status(c1.commitment)).toEqual({ state: 'pending', slot: 3, position: 1 });
    await redis.set(keys.slotClosed(3), '1');
    await expect(store.add(commitment(B, 3), 2)).rejects.toThrow(SlotClosedError);
    expect((await store.read(3)).map((c) => c.commitment)).toEqual([c0, c1, c2].map((c) => c.commitment));
  });

  it('accepts a reveal only after the order and before the deadline, once', async () => {
    const c = commitment(A, 4);
    await store.add(c, 5);
    await expect(store.reveal(4, c.commitment, '0x11')).rejects.toThrow(RevealTooEarlyError);
    await publish(4, Date.now() + 60_000);
    await store.reveal(4, c.commitment, '0x11');
    await expect(store.reveal(4, c.commitment, '0x22')).rejects.toThrow(AlreadyKnownError);
    expect(await store.closeReveals(4)).toEqual(new Map([[c.commitment, '0x11']]));
    await expect(store.reveal(4, commitment(B, 4).commitment, '0x33')).rejects.toThrow(RevealTooLateError);
  });

  it('refuses a reveal after the deadline by Redis time', async () => {
    const c = commitment(A, 5);
    await store.add(c, 5);
    await publish(5, Date.now() - 1);
    await expect(store.reveal(5, c.commitment, '0x11')).rejects.toThrow(RevealTooLateError);
  });
});
