/**
 * A fake L1 for the in-flight spec: a transaction manager over a pool keyed by nonce that mines
 * an account's transactions in nonce order, and an Inbox that appends a batch (read with the
 * real data format) only with the next sequence number and block, else the transaction
 * reverts, as the contract does.
 */
import { ZeroHash } from 'ethers';
import { CALLDATA, DaDecodeError, decodeBatchTransaction } from '@sealane/batch';
import type { InFlightBatch, PostedBatch } from '@sealane/store';
import { InFlight, type BatchCandidate } from './in-flight';
import type { AppendedLog, InboxView } from './in-flight.ports';
import type { Eip1559Fees } from './txmgr/fees';
import type { BroadcastResult, SignedTx, TxCandidate, TxManager } from './txmgr/tx-manager';

export const INBOX = '0x00000000000000000000000000000000000000aa';

export interface FakeTx {
  hash: string;
  nonce: number;
  tx: TxCandidate;
  fees: Eip1559Fees;
}

/** The appendBatch transaction of a one-block batch. */
export const appendTx = (seq: number, block: number): TxCandidate => ({
  ...CALLDATA.encode(
    { seq, firstBlock: block, lastBlock: block, data: Uint8Array.of(seq), outputRoot: ZeroHash },
    INBOX,
  ),
  gasLimit: 100_000n,
});

/** A plain transfer (no call data): it takes a nonce and appends nothing. */
const transfer = (): TxCandidate => ({
  to: '0x00000000000000000000000000000000000000bb',
  data: '0x',
  gasLimit: 21_000n,
});

export class FakeL1 implements TxManager, InboxView {
  readonly address = '0xposter';
  pool = new Map<number, FakeTx>();
  mined = 0;
  height = 100;
  count = 0;
  nextBlock = 1;
  events: AppendedLog[] = [];
  receipts = new Map<string, { status: number; block: number }>();
  broadcasts: string[] = [];
  signs: { nonce: number; floor?: Eip1559Fees; fees: Eip1559Fees }[] = [];
  /** Set to make the node refuse every broadcast as it would when down. */
  down = false;
  basefee = 100n;
  private n = 0;
  private readonly signed = new Map<string, FakeTx>();

  // TxManager
  minedNonce = () => Promise.resolve(this.mined);
  pendingNonce = () => Promise.resolve(Math.max(this.mined, ...[...this.pool.keys()].map((k) => k + 1)));
  sign(c: TxCandidate, nonce: number, floor?: Eip1559Fees): Promise<SignedTx> {
    const suggested = { maxFeePerGas: this.basefee, maxPriorityFeePerGas: 1n };
    const fees = floor
      ? {
          maxFeePerGas: (floor.maxFeePerGas * 115n) / 100n + 1n,
          maxPriorityFeePerGas: (floor.maxPriorityFeePerGas * 115n) / 100n + 1n,
        }
      : suggested;
    this.signs.push({ nonce, floor, fees });
    const tx: FakeTx = { hash: `0xtx${this.n++}`, nonce, tx: c, fees };
    this.signed.set(tx.hash, tx);
    // The "raw" transaction is its hash: the fake keeps what it signed.
    return Promise.resolve({ raw: tx.hash, hash: tx.hash, fees });
  }
  broadcast(raw: string): Promise<{ result: BroadcastResult; detail?: string }> {
    const tx = this.signed.get(raw)!;
    this.broadcasts.push(tx.hash);
    if (this.down) return Promise.resolve({ result: 'failed', detail: 'connection refused' });
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
  candidateOf(raw: string): TxCandidate {
    return this.signed.get(raw)!.tx;
  }

  /** Mines one block: every pooled transaction that follows the mined nonce, in nonce order. */
  mine(): void {
    this.height++;
    for (let tx = this.pool.get(this.mined); tx; tx = this.pool.get(this.mined)) {
      this.pool.delete(this.mined);
      this.mined++;
      this.receipts.set(tx.hash, { status: this.execute(tx) ? 1 : 0, block: this.height });
    }
  }

  /** The Inbox's appendBatch; a transaction that calls nothing succeeds and appends nothing. */
  private execute(tx: FakeTx): boolean {
    let c;
    try {
      c = decodeBatchTransaction(tx.tx);
    } catch (e: unknown) {
      if (e instanceof DaDecodeError) return true;
      throw e;
    }
    if (c.seq !== this.count || c.firstBlock !== this.nextBlock || c.lastBlock < c.firstBlock) return false;
    this.events.push({
      seq: c.seq,
      firstBlock: c.firstBlock,
      lastBlock: c.lastBlock,
      dataHash: `0xdata${c.seq}`,
      txHash: tx.hash,
      blockNumber: this.height,
      blockHash: `0xblock${this.height}`,
    });
    this.count++;
    this.nextBlock = c.lastBlock + 1;
    return true;
  }

  /** A reorg drops the last block: its transactions go back to the pool. */
  reorg(): void {
    const gone = this.events.filter((e) => e.blockNumber === this.height);
    for (const e of gone) {
      const tx = this.signed.get(e.txHash)!;
      this.pool.set(tx.nonce, tx);
      this.receipts.delete(tx.hash);
      this.mined = Math.min(this.mined, tx.nonce);
    }
    this.events = this.events.filter((e) => e.blockNumber !== this.height);
    this.count -= gone.length;
    this.nextBlock = this.events.at(-1) ? this.events.at(-1)!.lastBlock + 1 : 1;
    this.height--;
  }

  /** Another transaction of the same account takes the next nonce. */
  takeNonce(): void {
    const nonce = this.mined;
    const fees = { maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n };
    this.pool.set(nonce, { hash: `0xforeign${nonce}`, nonce, tx: transfer(), fees });
  }

  /** Holds a pricier plain transfer at `nonce` in the pool. */
  holdTransfer(nonce: number, fees: Eip1559Fees): void {
    this.pool.set(nonce, { hash: '0xother', nonce, tx: transfer(), fees });
  }

  // InboxView
  head = () => Promise.resolve(this.height);
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

/** An in-flight set over a fresh fake L1, an in-memory store and a manual clock. */
export function setup(o: { confirmations?: number; resubmitMs?: number } = {}) {
  const l1 = new FakeL1();
  const saved = new Map<number, InFlightBatch>();
  const posted: PostedBatch[] = [];
  const clock = { t: 1_000 };
  const logger = new Quiet();
  const f = new InFlight({
    tx: l1,
    inbox: l1,
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
  /** The next one-block batch at the cursor. */
  const candidate = (): BatchCandidate => ({
    seq,
    firstBlock: block,
    lastBlock: block,
    tx: appendTx(seq, block),
    dataHash: `0xdata${seq}`,
    rawBytes: 10,
    compressedBytes: 10,
    l1FromBlock: l1.height,
  });
  /** Adds the next one-block batch at the cursor. */
  const add = async (): Promise<InFlightBatch> => {
    const { batch } = await f.add(candidate());
    seq++;
    block++;
    return batch;
  };
  /** After a drop: the cursor goes back to the first dropped batch. */
  const rewind = (toSeq: number) => {
    block = toSeq + 1;
    seq = toSeq;
  };
  return { l1, f, saved, posted, clock, logger, add, candidate, rewind };
}
