/**
 * The in-flight set over a fake transaction manager and a fake L1: a pool keyed by nonce that
 * mines an account's transactions in nonce order, and an Inbox that appends a batch only with
 * the next sequence number and block (else the transaction reverts), as the contract does.
 */
import type { Eip1559Fees } from './fees';
import {
  InFlight,
  type AppendedLog,
  type BatchCandidate,
  type BroadcastResult,
  type SignedTx,
  type TxManager,
} from './in-flight';
import type { InFlightBatch, PostedBatch } from './poster.state';

interface FakeTx {
  hash: string;
  nonce: number;
  data: string;
  fees: Eip1559Fees;
}

interface Call {
  seq: number;
  firstBlock: number;
  lastBlock: number;
}

class FakeL1 implements TxManager {
  readonly address = '0xposter';
  pool = new Map<number, FakeTx>();
  mined = 0;
  head = 100;
  count = 0;
  nextBlock = 1;
  events: (AppendedLog & { reverted?: false })[] = [];
  receipts = new Map<string, { status: number; block: number }>();
  broadcasts: string[] = [];
  signs: { nonce: number; floor?: Eip1559Fees; fees: Eip1559Fees }[] = [];
  private n = 0;
  private readonly signed = new Map<string, FakeTx>();
  basefee = 100n;

  minedNonce = () => Promise.resolve(this.mined);
  pendingNonce = () => Promise.resolve(Math.max(this.mined, ...[...this.pool.keys()].map((k) => k + 1)));
  sign(t: { nonce: number; data: string; gasLimit: bigint }, floor?: Eip1559Fees): Promise<SignedTx> {
    const suggested = { maxFeePerGas: this.basefee, maxPriorityFeePerGas: 1n };
    const fees = floor
      ? {
          maxFeePerGas: (floor.maxFeePerGas * 115n) / 100n + 1n,
          maxPriorityFeePerGas: (floor.maxPriorityFeePerGas * 115n) / 100n + 1n,
        }
      : suggested;
    this.signs.push({ nonce: t.nonce, floor, fees });
    const tx: FakeTx = { hash: `0xtx${this.n++}`, nonce: t.nonce, data: t.data, fees };
    this.signed.set(tx.hash, tx);
    // The "raw" transaction is its hash: the fake keeps what it signed.
    return Promise.resolve({ raw: tx.hash, hash: tx.hash, fees });
  }
  broadcast(raw: string): Promise<{ result: BroadcastResult }> {
    const tx = this.signed.get(raw)!;
    this.broadcasts.push(tx.hash);
    if (tx.nonce < this.mined) return Promise.resolve({ result: 'nonce-used' });
    const held = this.pool.get(tx.nonce);
    if (held && held.hash !== tx.hash && held.fees.maxFeePerGas * 110n > tx.fees.maxFeePerGas * 100n) {
      return Promise.resolve({ result: 'underpriced' });
    }
    this.pool.set(tx.nonce, tx);
    return Promise.resolve({ result: 'sent' });
  }
  knows(hash: string): Promise<boolean> {
    return Promise.resolve([...this.pool.values()].some((t) => t.hash === hash) || this.receipts.has(hash));
  }
  revertedAmong(hashes: readonly string[]): Promise<string | null> {
    return Promise.resolve(hashes.find((h) => this.receipts.get(h)?.status === 0) ?? null);
  }
  dataOf(raw: string): string {
    return this.signed.get(raw)!.data;
  }

  /** Mines one block: every pooled transaction that follows the mined nonce, in nonce order. */
  mine(): void {
    this.head++;
    for (let tx = this.pool.get(this.mined); tx; tx = this.pool.get(this.mined)) {
      this.pool.delete(this.mined);
      this.mined++;
      let ok = false;
      try {
        const c = JSON.parse(tx.data) as Call;
        ok = c.seq === this.count && c.firstBlock === this.nextBlock && c.lastBlock >= c.firstBlock;
        if (ok) {
          this.events.push({
            seq: c.seq,
            firstBlock: c.firstBlock,
            lastBlock: c.lastBlock,
            dataHash: `0xdata${c.seq}`,
            txHash: tx.hash,
            blockNumber: this.head,
            blockHash: `0xblock${this.head}`,
          });
          this.count++;
          this.nextBlock = c.lastBlock + 1;
        }
      } catch {
        ok = false; // not a batch: a plain transfer that took the nonce
        this.receipts.set(tx.hash, { status: 1, block: this.head });
        continue;
      }
      this.receipts.set(tx.hash, { status: ok ? 1 : 0, block: this.head });
    }
  }

  /** Another transaction of the same account takes the next nonce. */
  takeNonce(): void {
    const nonce = this.mined;
    this.pool.set(nonce, {
      hash: `0xforeign${nonce}`,
      nonce,
      data: 'transfer',
      fees: { maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n },
    });
  }

  // InboxView
  headNow = () => Promise.resolve(this.head);
  batchCount = () => Promise.resolve(this.count);
  appended(seq: number): Promise<AppendedLog | null> {
    return Promise.resolve(this.events.find((e) => e.seq === seq) ?? null);
  }
  isCanonical(txHash: string, blockHash: string): Promise<boolean> {
    return Promise.resolve(this.events.some((e) => e.txHash === txHash && e.blockHash === blockHash));
  }
  recordFromL1(log: AppendedLog): Promise<PostedBatch> {
    return Promise.resolve({
      sequenceNumber: log.seq,
      firstBlock: log.firstBlock,
      lastBlock: log.lastBlock,
      l1TxHash: log.txHash,
      l1BlockNumber: log.blockNumber,
      rawBytes: 0,
      compressedBytes: 0,
      dataHash: log.dataHash,
    });
  }
}

class Quiet {
  lines: string[] = [];
  log = (m: string) => void this.lines.push(m);
  warn = (m: string) => void this.lines.push(m);
  error = (m: string) => void this.lines.push(m);
}

function setup(o: { confirmations?: number; resubmitMs?: number } = {}) {
  const l1 = new FakeL1();
  const saved = new Map<number, InFlightBatch>();
  const posted: PostedBatch[] = [];
  const clock = { t: 1_000 };
  const logger = new Quiet();
  const f = new InFlight({
    tx: l1,
    inbox: {
      head: () => l1.headNow(),
      batchCount: () => l1.batchCount(),
      appended: (s) => l1.appended(s),
      isCanonical: (h, b) => l1.isCanonical(h, b),
      recordFromL1: (log) => l1.recordFromL1(log),
    },
    store: {
      save: (b) => Promise.resolve(void saved.set(b.seq, structuredClone(b))),
      drop: (seqs) => Promise.resolve(seqs.forEach((s) => saved.delete(s))),
      confirm: (rec) => {
        posted.push(rec);
        saved.delete(rec.sequenceNumber);
        return Promise.resolve();
      },
    },
    now: () => clock.t,
    logger,
    confirmations: o.confirmations ?? 1,
    resubmitMs: o.resubmitMs ?? 30_000,
  });
  let block = 1;
  let seq = 0;
  /** Adds the next one-block batch at the cursor. */
  const add = async (): Promise<InFlightBatch> => {
    const c: BatchCandidate = {
      seq,
      firstBlock: block,
      lastBlock: block,
      calldata: JSON.stringify({ seq, firstBlock: block, lastBlock: block }),
      dataHash: `0xdata${seq}`,
      rawBytes: 10,
      compressedBytes: 10,
      gasLimit: 100_000n,
      l1FromBlock: l1.head,
    };
    const { batch } = await f.add(c);
    seq++;
    block++;
    return batch;
  };
  /** After a drop: the cursor goes back to the first dropped batch. */
  const rewind = (toSeq: number) => {
    block = toSeq + 1;
    seq = toSeq;
  };
  return { l1, f, saved, posted, clock, logger, add, rewind };
}

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
    t.l1.pool.set(0, { ...tx, data: JSON.stringify({ seq: 5, firstBlock: 1, lastBlock: 1 }) });
    t.l1.mine();
    expect((await t.f.progress()).rebuildFrom).toBe(0);
    expect(t.logger.lines.some((l) => new RegExp(`transaction ${tx.hash} reverted`).test(l))).toBe(true);
  });

  it('bumps a transaction the node refused as underpriced at the next look', async () => {
    const t = setup();
    t.f.reset([], 0);
    t.l1.pool.set(0, {
      hash: '0xother',
      nonce: 0,
      data: 'transfer',
      fees: { maxFeePerGas: 1000n, maxPriorityFeePerGas: 10n },
    });
    const { result } = await t.f.add({
      seq: 0,
      firstBlock: 1,
      lastBlock: 1,
      calldata: JSON.stringify({ seq: 0, firstBlock: 1, lastBlock: 1 }),
      dataHash: '0x',
      rawBytes: 1,
      compressedBytes: 1,
      gasLimit: 1n,
      l1FromBlock: 100,
    });
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
});
