/** The in-flight set's state machine over a fake L1 (in-flight.fixture.ts): no node, no Redis. */
import { appendTx, setup } from './in-flight.fixture';

describe('in-flight set', () => {
  it('keeps several batches in flight with consecutive nonces, stored before broadcast, confirmed in order', async () => {
    const t = setup();
    t.f.reset([], 7);
    for (let i = 0; i < 4; i++) await t.add();
    expect(t.f.batches.map((b) => [b.seq, b.nonce])).toEqual([
      [0, 7],
      [1, 8],
      [2, 9],
      [3, 10],
    ]);
    expect([...t.saved.keys()]).toEqual([0, 1, 2, 3]);
    t.l1.mined = 7;
    // Nothing mined yet: nothing confirmed, nothing resent.
    expect(await t.f.progress()).toMatchObject({ confirmed: [], sent: 0, rebuildFrom: null });
    t.l1.mine();
    const r = await t.f.progress();
    expect(r.confirmed.map((c) => c.sequenceNumber)).toEqual([0, 1, 2, 3]);
    expect(r.confirmed.map((c) => c.l1BlockNumber)).toEqual([101, 101, 101, 101]);
    expect(t.f.size).toBe(0);
    expect(t.saved.size).toBe(0);
    expect(t.f.nonce).toBe(11);
  });

  it('waits for the confirmations of the front before recording any batch behind it', async () => {
    const t = setup({ confirmations: 3 });
    t.f.reset([], 0);
    await t.add();
    t.l1.mine();
    await t.add();
    t.l1.mine();
    // Batch 0 has 2 blocks of 3; batch 1 has 1.
    expect((await t.f.progress()).confirmed).toEqual([]);
    t.l1.mine();
    expect((await t.f.progress()).confirmed.map((c) => c.sequenceNumber)).toEqual([0]);
    t.l1.mine();
    expect((await t.f.progress()).confirmed.map((c) => c.sequenceNumber)).toEqual([1]);
  });

  it('refuses a batch that does not follow the last one in flight', async () => {
    const t = setup();
    t.f.reset([], 0);
    await t.add();
    t.rewind(0);
    await expect(t.add()).rejects.toThrow(/does not follow batch 0/);
    expect(t.f.size).toBe(1);
  });

  it('replaces stale transactions with higher fees, lowest nonce first, keeping every attempt', async () => {
    const t = setup({ resubmitMs: 30_000 });
    t.f.reset([], 0);
    await t.add();
    t.clock.t += 10_000;
    await t.add();
    t.clock.t += 20_000; // batch 0 is 30 s old, batch 1 only 20 s
    const before = t.f.batches.map((b) => ({ ...b }));
    const r = await t.f.progress();
    expect(r.sent).toBe(1);
    const [b0, b1] = t.f.batches;
    expect(b0.attempts).toEqual([before[0].hash, b0.hash]);
    expect(b0.nonce).toBe(before[0].nonce);
    expect(BigInt(b0.maxFeePerGas)).toBeGreaterThan(BigInt(before[0].maxFeePerGas));
    expect(b1.hash).toBe(before[1].hash);
    expect(t.saved.get(0)!.hash).toBe(b0.hash);
    t.clock.t += 10_000;
    expect((await t.f.progress()).sent).toBe(1);
    expect(t.f.batches[1].attempts).toHaveLength(2);
    const b1Now = t.f.batches[1].hash;
    t.l1.mine();
    const done = await t.f.progress();
    expect(done.confirmed.map((c) => c.l1TxHash)).toEqual([b0.hash, b1Now]);
  });

  it('rebroadcasts the lowest transaction when the L1 node lost it, with the lost ones behind it', async () => {
    const t = setup();
    t.f.reset([], 0);
    for (let i = 0; i < 4; i++) await t.add();
    // Evicted together: nonce 3 now waits behind a gap.
    t.l1.pool.delete(1);
    t.l1.pool.delete(2);
    t.l1.mine();
    const sentBefore = t.l1.broadcasts.length;
    const r = await t.f.progress();
    expect(r.confirmed.map((c) => c.sequenceNumber)).toEqual([0]);
    expect(r.sent).toBe(2);
    expect(t.l1.broadcasts.slice(sentBefore)).toEqual([t.f.batches[0].hash, t.f.batches[1].hash]);
    expect(t.logger.lines.filter((l) => /L1 node does not know/.test(l))).toHaveLength(2);
    // Nothing lost any more: nothing is sent again.
    expect((await t.f.progress()).sent).toBe(0);
    t.l1.mine();
    expect((await t.f.progress()).confirmed.map((c) => c.sequenceNumber)).toEqual([1, 2, 3]);
    expect(t.l1.mined).toBe(4); // one transaction per batch
  });

  it('drops every batch after a nonce taken by another transaction and rebuilds them, outbidding the pool', async () => {
    const t = setup();
    t.f.reset([], 0);
    for (let i = 0; i < 3; i++) await t.add();
    // Another transaction of the account replaces nonce 0 in the pool, so batches 1 and 2 revert.
    t.l1.pool.delete(0);
    t.l1.takeNonce();
    // Batch 2's transaction is evicted before it is mined: its nonce stays free.
    const stale = t.l1.pool.get(2)!;
    t.l1.pool.delete(2);
    t.l1.mine();
    expect(t.l1.mined).toBe(2);
    const r = await t.f.progress();
    expect(r.rebuildFrom).toBe(0);
    expect(t.f.size).toBe(0);
    expect(t.saved.size).toBe(0);
    expect(t.f.nonce).toBe(2);
    expect(t.logger.lines.some((l) => /another transaction took the nonce/.test(l))).toBe(true);
    // The dropped transaction at nonce 2 may still be out there: the new one outbids it.
    t.l1.pool.set(2, stale);
    t.rewind(0);
    for (let i = 0; i < 3; i++) await t.add();
    expect(t.l1.signs.at(-3)).toMatchObject({ nonce: 2, floor: stale.fees });
    expect(t.l1.signs.at(-2)).toMatchObject({ nonce: 3, floor: undefined });
    expect(t.f.batches.map((b) => [b.seq, b.nonce])).toEqual([
      [0, 2],
      [1, 3],
      [2, 4],
    ]);
    t.l1.mine();
    const done = await t.f.progress();
    expect(done.confirmed.map((c) => [c.sequenceNumber, c.firstBlock])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(t.l1.count).toBe(3);
  });

  it('rebuilds after a reverted batch and tells a reverted transaction from a taken nonce', async () => {
    const t = setup();
    t.f.reset([], 0);
    await t.add();
    // Its transaction reverts: e.g. the Inbox expected another sequence number.
    const tx = t.l1.pool.get(0)!;
    t.l1.pool.set(0, { ...tx, tx: appendTx(5, 1) });
    t.l1.mine();
    expect((await t.f.progress()).rebuildFrom).toBe(0);
    expect(t.logger.lines.some((l) => new RegExp(`transaction ${tx.hash} reverted`).test(l))).toBe(true);
  });

  it('bumps a transaction the node refused as underpriced at the next look', async () => {
    const t = setup();
    t.f.reset([], 0);
    t.l1.holdTransfer(0, { maxFeePerGas: 1000n, maxPriorityFeePerGas: 10n });
    const { result } = await t.f.add(t.candidate());
    expect(result).toBe('underpriced');
    expect(t.saved.get(0)!.sentAtMs).toBeLessThanOrEqual(t.clock.t - 30_000);
    for (let i = 0; i < 20 && t.l1.pool.get(0)!.hash === '0xother'; i++) await t.f.progress();
    expect(t.l1.pool.get(0)!.hash).toBe(t.f.batches[0].hash);
    t.l1.mine();
    expect((await t.f.progress()).confirmed).toHaveLength(1);
  });

  it('reports a batch that landed in a transaction not its own, for the caller to reconcile', async () => {
    const t = setup();
    t.f.reset([], 0);
    await t.add();
    await t.add();
    // Another poster with the same key appended batch 0 first.
    const ours = t.l1.pool.get(0)!;
    t.l1.pool.set(0, { ...ours, hash: '0xtheirs' });
    t.l1.mine();
    const r = await t.f.progress();
    expect(r.resync).toBe(true);
    expect(r.confirmed.map((c) => c.l1TxHash)).toEqual(['0xtheirs']);
    expect(t.f.batches.map((b) => b.seq)).toEqual([1]);
  });

  it('broadcasts a batch again when a reorg removes the block that held it', async () => {
    const t = setup({ confirmations: 2 });
    t.f.reset([], 0);
    const b = await t.add();
    t.l1.mine();
    // Seen in a block, one confirmation of two: the block is remembered.
    expect((await t.f.progress()).confirmed).toEqual([]);
    expect(t.saved.get(0)!.minedIn).toMatchObject({ blockNumber: 101, txHash: b.hash });
    t.l1.reorg();
    t.l1.pool.clear(); // the node lost it too
    const sentBefore = t.l1.broadcasts.length;
    const r = await t.f.progress();
    expect(r.sent).toBe(1);
    expect(t.l1.broadcasts.slice(sentBefore)).toEqual([b.hash]);
    expect(t.saved.get(0)!.minedIn).toBeUndefined();
    expect(t.logger.lines.some((l) => /left the chain \(reorg at L1 block 101\)/.test(l))).toBe(true);
    t.l1.mine();
    t.l1.mine();
    expect((await t.f.progress()).confirmed.map((c) => c.l1TxHash)).toEqual([b.hash]);
  });

  it('keeps an entry whose broadcast failed and sends it again once the node is back', async () => {
    const t = setup();
    t.f.reset([], 0);
    t.l1.down = true;
    const { result, batch } = await t.f.add(t.candidate());
    expect(result).toBe('failed');
    expect(t.saved.get(0)!.hash).toBe(batch.hash);
    expect(t.logger.lines.some((l) => /broadcasting 0xtx0 failed \(connection refused\)/.test(l))).toBe(true);
    t.l1.down = false;
    expect((await t.f.progress()).sent).toBe(1);
    t.l1.mine();
    expect((await t.f.progress()).confirmed.map((c) => c.sequenceNumber)).toEqual([0]);
  });

  it('after a restart, rebroadcasts in nonce order the entries the node lost, not the landed ones', async () => {
    const t = setup();
    t.f.reset([], 0);
    for (let i = 0; i < 3; i++) await t.add();
    const [, b1, b2] = t.f.batches;
    // Batch 0 lands; the node then restarts with an empty pool.
    t.l1.pool.delete(1);
    t.l1.pool.delete(2);
    t.l1.mine();
    t.f.reset(t.f.batches, t.f.nonce);
    const sentBefore = t.l1.broadcasts.length;
    expect(await t.f.rebroadcast(await t.l1.batchCount())).toBe(2);
    expect(t.l1.broadcasts.slice(sentBefore)).toEqual([b1.hash, b2.hash]);
    t.l1.mine();
    expect((await t.f.progress()).confirmed.map((c) => c.sequenceNumber)).toEqual([0, 1, 2]);
  });
});
