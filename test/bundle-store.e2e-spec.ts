/**
 * Bundle intake rules on real Redis: replacement by uuid, cancellation until the close, the
 * per-searcher limit per slot, and nothing accepted, replaced or cancelled after the close.
 */
import { BundleNotFoundError, IntakePausedError, RateLimitedError, SlotClosedError } from '@sealane/protocol';
import { BundleStore, connectRedis, Keys, type SealaneRedis, type StoredBundle } from '@sealane/store';
import { startRedis } from '@sealane/embedded';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const A = '0x' + 'aa'.repeat(20);
const B = '0x' + 'bb'.repeat(20);
const UUID = '4f0e1a3c-1111-4222-8333-444455556666';
let n = 0;
const bundle = (searcher: string, slot: number, extra: Partial<StoredBundle> = {}): StoredBundle => {
  n++;
  const h = '0x' + n.toString(16).padStart(64, '0');
  return {
    bundleHash: h,
    searcher,
    slot,
    txs: ['0x01'],
    txHashes: [h],
    senders: [searcher],
    revertingTxHashes: [],
    droppingTxHashes: [],
    receivedAt: n,
    ...extra,
  };
};

describe('bundle intake rules (Redis)', () => {
  let stop: () => Promise<void>;
  let redis: SealaneRedis;
  let store: BundleStore;

  beforeAll(async () => {
    const r = await startRedis(mkdtempSync(join(tmpdir(), 'sealane-bundles-')));
    stop = r.proc.stop;
    redis = connectRedis(r.url);
  });
  beforeEach(() => {
    store = new BundleStore(redis, new Keys(`bundles-${n}`));
  });
  afterAll(async () => {
    redis?.disconnect();
    await stop?.();
  });

  it('replaces a searcher bundle with the same uuid, and marks the old one replaced', async () => {
    const first = bundle(A, 5, { replacementUuid: UUID });
    const second = bundle(A, 5, { replacementUuid: UUID });
    expect(await store.add(first, 10)).toBeNull();
    expect((await store.add(second, 10))?.bundleHash).toBe(first.bundleHash);
    expect(await store.status(first.bundleHash)).toMatchObject({
      state: 'replaced',
      reason: `replaced by ${second.bundleHash}`,
    });
    // Another searcher's uuid is its own: no cross-searcher replacement.
    expect(await store.add(bundle(B, 5, { replacementUuid: UUID }), 10)).toBeNull();
    expect((await store.close(5)).map((b) => b.bundleHash).sort()).toHaveLength(2);
  });

  it('cancels until the close, then refuses', async () => {
    const b = bundle(A, 6, { replacementUuid: UUID });
    await store.add(b, 10);
    expect(await store.cancel(A, UUID)).toBe(b.bundleHash);
    expect(await store.status(b.bundleHash)).toMatchObject({ state: 'cancelled' });
    await expect(store.cancel(A, UUID)).rejects.toThrow(BundleNotFoundError);
    await expect(store.cancel(B, UUID)).rejects.toThrow(BundleNotFoundError);
    await store.add(bundle(A, 6, { replacementUuid: UUID }), 10);
    expect(await store.close(6)).toHaveLength(1);
    await expect(store.cancel(A, UUID)).rejects.toThrow(SlotClosedError);
  });

  it('limits each searcher per slot, and refuses everything after the close', async () => {
    for (let i = 0; i < 3; i++) await store.add(bundle(A, 7), 3);
    await expect(store.add(bundle(A, 7), 3)).rejects.toThrow(RateLimitedError);
    await store.add(bundle(B, 7), 3); // the limit is per searcher
    await store.add(bundle(A, 8), 3); // and per slot
    const closed = await store.close(7);
    expect(closed).toHaveLength(4);
    await expect(store.add(bundle(B, 7), 3)).rejects.toThrow(SlotClosedError);
    expect(await store.isClosed(7)).toBe(true);
    expect(await store.isClosed(8)).toBe(false);
  });

  it('refuses every bundle while governance pauses intake, counting nothing, and accepts again after', async () => {
    const keys = new Keys(`bundles-${n}`);
    await redis.set(keys.intakePaused(), JSON.stringify({ paused: true, since: 1, proposalId: '0xabc' }));
    const b = bundle(A, 9);
    const err = await store.add(b, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntakePausedError);
    expect((err as IntakePausedError).data).toMatchObject({ paused: true, proposalId: '0xabc' });
    expect(await redis.hlen(keys.slotBundles(9))).toBe(0);
    expect(await store.status(b.bundleHash)).toBeNull();
    await redis.del(keys.intakePaused());
    // The refused attempt did not use up the searcher's one bundle for the slot.
    expect(await store.add(b, 1)).toBeNull();
    expect(await redis.hlen(keys.slotBundles(9))).toBe(1);
  });
});
