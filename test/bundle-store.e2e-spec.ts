/**
 * Bundle intake rules on real Redis: replacement by uuid, cancellation until the close, the
 * per-searcher limit per slot, and nothing accepted, replaced or cancelled after the close; one
 * bundle held once per slot; replacements and cancels only newer than the last (replacementNonce,
 * no replayed request); no committed fee transaction in a bundle.
 */
import {
  BundleNotFoundError,
  CommittedFeeTxError,
  DuplicateBundleError,
  IntakePausedError,
  RateLimitedError,
  ReplacementNonceTooLowError,
  SlotClosedError,
} from '@sealane/protocol';
import {
  BundleStore,
  CommitStore,
  connectRedis,
  Keys,
  type SealaneRedis,
  type StoredBundle,
} from '@sealane/store';
import { startRedis } from '@sealane/embedded';
import { mkdtempSync, rmSync } from 'node:fs';
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

  let dir: string | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sealane-bundles-'));
    const r = await startRedis(dir);
    stop = r.proc.stop;
    redis = connectRedis(r.url);
  });
  beforeEach(() => {
    store = new BundleStore(redis, new Keys(`bundles-${n}`));
  });
  afterAll(async () => {
    redis?.disconnect();
    await stop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
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

  it('holds one bundle once per slot: no second entry, no copy by another searcher, freed when replaced', async () => {
    const U2 = '4f0e1a3c-1111-4222-8333-444455556667';
    const x = bundle(A, 20, { replacementUuid: UUID });
    const copy = (searcher: string, extra: Partial<StoredBundle> = {}): StoredBundle => ({
      ...x,
      searcher,
      replacementUuid: undefined,
      ...extra,
    });
    expect(await store.add(x, 4)).toBeNull();
    for (const c of [copy(A, { replacementUuid: U2 }), copy(A), copy(B), copy(B, { replacementUuid: UUID })])
      await expect(store.add(c, 4)).rejects.toThrow(DuplicateBundleError);
    // The refusals counted nothing against A's limit of 4, and the same bundle may replace itself.
    expect((await store.add({ ...x, receivedAt: 99 }, 4))?.bundleHash).toBe(x.bundleHash);
    expect(await store.status(x.bundleHash)).toMatchObject({ state: 'received', searcher: A });
    // Once A's uuid holds another bundle, the first one's transactions are free again.
    await store.add(bundle(A, 20, { replacementUuid: UUID }), 4);
    expect(await store.add(copy(B), 4)).toBeNull();
    // A cancel frees its bundle too.
    const y = bundle(A, 20, { replacementUuid: U2 });
    await store.add(y, 4);
    await expect(store.add({ ...y, searcher: B, replacementUuid: undefined }, 4)).rejects.toThrow(
      DuplicateBundleError,
    );
    await store.cancel(A, U2);
    expect(await store.add({ ...y, searcher: B, replacementUuid: undefined }, 4)).toBeNull();
    // The same bundle for another slot is not a duplicate.
    expect(await store.add({ ...x, slot: 21 }, 4)).toBeNull();
    const held = (await store.close(20)).map((b) => [b.bundleHash, b.searcher]);
    expect(held.filter(([h]) => h === x.bundleHash)).toEqual([[x.bundleHash, B]]);
    expect(new Set(held.map(([h]) => h)).size).toBe(held.length);
  });

  it('a replacement or cancel must be newer: replacementNonce above the last, and no replayed request', async () => {
    const U = '4f0e1a3c-1111-4222-8333-444455556668';
    const err = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e,
      );
    await store.add(bundle(A, 30, { replacementUuid: U }), 20, { replacementNonce: 5, requestId: 'r1' });
    const b2 = bundle(A, 30, { replacementUuid: U });
    await store.add(b2, 20, { replacementNonce: 6, requestId: 'r2' });
    for (const guard of [
      { replacementNonce: 6, requestId: 'r3' },
      { replacementNonce: 2, requestId: 'r4' },
    ])
      expect(await err(store.add(bundle(A, 30, { replacementUuid: U }), 20, guard))).toMatchObject({
        name: 'ReplacementNonceTooLowError',
        message: expect.stringMatching(/not above 6/),
      });
    // Once the uuid is ordered by nonces, a request without one is not newer.
    await expect(store.add(bundle(A, 30, { replacementUuid: U }), 20, { requestId: 'r5' })).rejects.toThrow(
      /ordered by replacementNonce/,
    );
    await expect(store.cancel(A, U, { replacementNonce: 6, requestId: 'c1' })).rejects.toThrow(
      ReplacementNonceTooLowError,
    );
    expect(await store.close(30).then((bs) => bs.map((b) => b.bundleHash))).toEqual([b2.bundleHash]);

    // Without nonces (Flashbots' API): a request seen before for the uuid is a replay.
    const V = '4f0e1a3c-1111-4222-8333-444455556669';
    const v1 = bundle(A, 31, { replacementUuid: V });
    const v2 = bundle(A, 31, { replacementUuid: V });
    await store.add(v1, 20, { requestId: 's1' });
    // The same request again while its bundle is in place changes nothing and is answered as accepted.
    expect((await store.add(v1, 20, { requestId: 's1' }))?.bundleHash).toBe(v1.bundleHash);
    await store.add(v2, 20, { requestId: 's2' });
    await expect(store.add(v1, 20, { requestId: 's1' })).rejects.toThrow(/replay/);
    expect(await store.cancel(A, V, { requestId: 'c2' })).toBe(v2.bundleHash);
    const v3 = bundle(A, 31, { replacementUuid: V });
    await store.add(v3, 20, { requestId: 's3' });
    await expect(store.cancel(A, V, { requestId: 'c2' })).rejects.toThrow(ReplacementNonceTooLowError);
    await expect(store.add(v2, 20, { requestId: 's2' })).rejects.toThrow(ReplacementNonceTooLowError);
    // A searcher may start ordering a uuid by nonces at any time.
    const v4 = bundle(A, 31, { replacementUuid: V });
    await store.add(v4, 20, { replacementNonce: 1, requestId: 's4' });
    expect((await store.close(31)).map((b) => b.bundleHash)).toEqual([v4.bundleHash]);
  });

  it('refuses a bundle carrying a fee transaction committed for its slot', async () => {
    const keys = new Keys(`bundles-${n}`);
    const commits = new CommitStore(redis, keys);
    const fee = '0x' + 'fe'.repeat(32);
    await commits.add(
      {
        commitment: '0x' + 'c0'.repeat(32),
        sender: A,
        slot: 40,
        ciphertext: '0x00',
        feeTx: '0x01',
        feeTxHash: fee,
        receivedAt: 1,
      },
      5,
    );
    const carrying = bundle(B, 40);
    const err = await store
      .add({ ...carrying, txs: ['0x01', '0x02'], txHashes: [carrying.bundleHash, fee] }, 5)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommittedFeeTxError);
    expect((err as CommittedFeeTxError).data).toMatchObject({ txIndex: 1, txHash: fee });
    expect(await redis.hlen(keys.slotBundles(40))).toBe(0);
    // Only that slot's fee transactions: another slot takes it.
    expect(await store.add({ ...carrying, slot: 41, txHashes: [carrying.bundleHash, fee] }, 5)).toBeNull();
  });
});
