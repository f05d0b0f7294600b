/**
 * The builder: at each slot, while it holds the lease, takes the public-lane transactions,
 * seals them on the L2 engine in exactly that order at the slot's timestamp, checks the sealed
 * block against the intended order and records it. No Nest here: the module is a thin shell.
 */
import { ParamsStore, type ParamsSnapshot } from '@sealane/params';
import { L2Engine, nextBaseFee, type EngineBlock } from '@sealane/engine';
import { decodeTransaction, fromHex, maxCost, NotLeaderError } from '@sealane/protocol';
import {
  Keys,
  PublicLane,
  type PoolEntry,
  type SealaneRedis,
  type SealedBlock,
  type TxStatus,
} from '@sealane/store';
import { nextSlotStart, type Clock } from './clock';
import { Lease } from './lease';
import { selectPublic, type AccountState, type Candidate, type Skip } from './public-lane.select';

export interface BuilderLogger {
  log(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface BuilderHooks {
  slotClosed?(slot: number, closedAtMs: number): Promise<void> | void;
  sealed?(block: SealedBlock, skipped: number): Promise<void> | void;
}

export interface BuilderOptions {
  id: string;
  leaseTtlMs: number;
  blockGasLimit: bigint;
  /** How long a transaction's status is kept after it leaves the lane. */
  statusTtlSec?: number;
}

const STATUS_TTL_SEC = 7 * 24 * 3600;
/** Extra lane entries read beyond the block's capacity, so nonce gaps do not starve a block. */
const PEEK_MARGIN = 1024;
const MAX_SUBMIT_ROUNDS = 4;
/** Largest JSON-RPC batch anvil applies in order (measured: 65 already reorders). */
const ORDERED_SUBMIT_CHUNK = 64;

export class Builder {
  readonly lease: Lease;
  private running = false;
  private stopping = false;
  private loopDone: Promise<void> = Promise.resolve();
  private renewTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly redis: SealaneRedis,
    private readonly keys: Keys,
    private readonly lane: PublicLane,
    private readonly params: ParamsStore,
    private readonly engine: L2Engine,
    private readonly clock: Clock,
    private readonly opts: BuilderOptions,
    private readonly hooks: BuilderHooks = {},
    private readonly logger: BuilderLogger = console,
  ) {
    this.lease = new Lease(redis, keys.lease('builder'), opts.id, opts.leaseTtlMs, clock);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    clearInterval(this.renewTimer);
    this.wake?.();
    await this.loopDone;
    if (this.lease.held) await this.lease.release().catch(() => undefined);
  }

  private async sleep(ms: number): Promise<void> {
    await Promise.race([this.clock.sleep(ms), new Promise<void>((r) => (this.wake = r))]);
  }

  private async loop(): Promise<void> {
    let wasLeader = false;
    while (this.running) {
      try {
        if (!this.lease.held && !(await this.lease.tryAcquire())) {
          if (wasLeader) this.logger.warn(`builder ${this.opts.id} lost the lease; standing by`);
          wasLeader = false;
          await this.sleep(this.opts.leaseTtlMs / 4);
          continue;
        }
        if (!wasLeader) {
          this.logger.log(`builder ${this.opts.id} leads`);
          wasLeader = true;
          clearInterval(this.renewTimer);
          this.renewTimer = setInterval(() => {
            this.lease
              .tryAcquire()
              .catch((e: unknown) => this.logger.warn(`lease renewal failed: ${String(e)}`));
          }, this.opts.leaseTtlMs / 4);
        }
        await this.step();
      } catch (e) {
        this.logger.error(`builder step failed: ${e instanceof Error ? e.stack : String(e)}`);
        await this.sleep(200);
      }
    }
  }

  private async sealedHead(): Promise<number> {
    return Number((await this.redis.get(this.keys.sealedHead())) ?? 0);
  }

  async record(n: number): Promise<SealedBlock | null> {
    const json = await this.redis.get(this.keys.block(n));
    return json ? (JSON.parse(json) as SealedBlock) : null;
  }

  /** One slot: wait for its close, then seal it. Also repairs a block sealed but not recorded. */
  async step(): Promise<void> {
    const head = await this.sealedHead();
    const engineHead = await this.engine.blockNumber();
    if (engineHead > head) return this.adopt(head + 1);
    if (engineHead < head) {
      throw new Error(`the L2 engine is at block ${engineHead} but block ${head} is recorded as sealed`);
    }
    const slot = head + 1;
    const snap = await this.params.snapshot(slot);
    const startMs = nextSlotStart(await this.endOf(head), this.clock.now(), snap.values.slotMs);
    const closeMs = startMs + snap.values.slotMs;
    while (!this.stopping && this.clock.now() < closeMs)
      await this.sleep(Math.min(closeMs - this.clock.now(), 100));
    if (this.stopping) return;
    await this.hooks.slotClosed?.(slot, closeMs);
    await this.seal(slot, startMs, snap);
  }

  /** When slot `head` ended: its start plus its slot length; the genesis block ends at its timestamp. */
  private async endOf(head: number): Promise<number> {
    if (head === 0) {
      const genesis = await this.engine.getBlock(0);
      return Number(genesis!.timestamp) * 1000;
    }
    const prev = await this.record(head);
    if (!prev) throw new Error(`sealed block ${head} has no record`);
    return prev.startMs + (await this.params.snapshot(head)).values.slotMs;
  }

  private async candidates(entries: PoolEntry[], skipped: Skip[]): Promise<Candidate[]> {
    const out: Candidate[] = [];
    for (const e of entries) {
      try {
        const tx = decodeTransaction(fromHex(e.raw), { knownSender: e.from });
        out.push({
          hash: e.hash,
          from: e.from,
          raw: e.raw,
          nonce: tx.nonce,
          gasLimit: tx.gasLimit,
          maxFeePerGas: tx.maxFeePerGas,
          maxCost: maxCost(tx),
        });
      } catch (err) {
        skipped.push({ hash: e.hash, from: e.from, reason: `undecodable: ${(err as Error).message}` });
      }
    }
    return out;
  }

  private async accounts(senders: string[]): Promise<Map<string, AccountState>> {
    const calls = senders.flatMap((a) => [
      ['eth_getTransactionCount', [a, 'latest']] as [string, unknown[]],
      ['eth_getBalance', [a, 'latest']] as [string, unknown[]],
    ]);
    const res = await this.engine.batch(calls);
    const out = new Map<string, AccountState>();
    senders.forEach((a, i) => {
      const n = res[2 * i];
      const b = res[2 * i + 1];
      if (!n.ok) throw n.error;
      if (!b.ok) throw b.error;
      out.set(a, { nonce: Number(n.result), balance: BigInt(b.result as string) });
    });
    return out;
  }

  /** Seals `slot` on the engine with exactly the selected order, checks it and records it. */
  async seal(slot: number, startMs: number, snap: ParamsSnapshot): Promise<SealedBlock> {
    const parent = await this.engine.getBlock(slot - 1);
    if (!parent) throw new Error(`parent block ${slot - 1} not found on the L2 engine`);
    const baseFee = nextBaseFee({
      gasLimit: BigInt(parent.gasLimit),
      gasUsed: BigInt(parent.gasUsed),
      baseFeePerGas: BigInt(parent.baseFeePerGas ?? 0),
    });
    const skipped: Skip[] = [];
    const entries = await this.lane.peek(snap.values.publicLaneMaxTxs + PEEK_MARGIN);
    let candidates = await this.candidates(entries, skipped);
    const accounts = await this.accounts([...new Set(candidates.map((c) => c.from))]);
    const selectOpts = { gasBudget: this.opts.blockGasLimit, baseFee, maxTxs: snap.values.publicLaneMaxTxs };

    let selection = selectPublic(candidates, accounts, selectOpts);
    for (let round = 0; ; round++) {
      await this.engine.dropAllTransactions();
      // anvil handles a JSON-RPC batch of more than 64 calls concurrently and may reorder
      // transactions of different senders, so send in order-preserving chunks.
      const res = await this.engine.batch(
        selection.included.map((c) => ['eth_sendRawTransaction', [c.raw]]),
        ORDERED_SUBMIT_CHUNK,
      );
      const rejected = new Set<string>();
      res.forEach((r, i) => {
        if (r.ok) return;
        const c = selection.included[i];
        rejected.add(c.hash);
        skipped.push({
          hash: c.hash,
          from: c.from,
          reason: `rejected by the L2 engine: ${r.error.rpcMessage}`,
        });
      });
      if (rejected.size === 0) break;
      if (round === MAX_SUBMIT_ROUNDS)
        throw new Error(`slot ${slot}: the engine keeps rejecting transactions`);
      candidates = candidates.filter((c) => !rejected.has(c.hash));
      selection = selectPublic(candidates, accounts, selectOpts);
    }
    skipped.push(...selection.skipped);

    if (!this.lease.held) throw new NotLeaderError(`builder ${this.opts.id} no longer holds the lease`);
    const timestamp = Math.floor(startMs / 1000);
    await this.engine.mine(timestamp);
    const block = await this.engine.getBlock(slot);
    if (!block) throw new Error(`block ${slot} missing right after sealing`);

    const intended = selection.included.map((c) => c.hash);
    if (
      block.transactions.length !== intended.length ||
      block.transactions.some((h, i) => h.toLowerCase() !== intended[i])
    ) {
      this.logger.error(
        `slot ${slot}: sealed block differs from the intended order (intended ${intended.length}, sealed ${block.transactions.length})`,
      );
    }
    const rawByHash = new Map(selection.included.map((c) => [c.hash, c.raw]));
    const sealed = await this.toSealedBlock(block, startMs, snap.version, rawByHash);
    await this.commit(sealed, skipped, new Map(selection.included.map((c) => [c.hash, c.from])));
    return sealed;
  }

  private async toSealedBlock(
    block: EngineBlock,
    startMs: number,
    paramsVersion: number,
    rawByHash: Map<string, string>,
  ): Promise<SealedBlock> {
    const hashes = block.transactions.map((h) => h.toLowerCase());
    const missing = hashes.filter((h) => !rawByHash.has(h));
    if (missing.length) {
      const res = await this.engine.batch(missing.map((h) => ['eth_getRawTransactionByHash', [h]]));
      res.forEach((r, i) => {
        if (!r.ok || typeof r.result !== 'string')
          throw new Error(`raw transaction ${missing[i]} not available from the engine`);
        rawByHash.set(missing[i], r.result);
      });
    }
    return {
      number: Number(block.number),
      hash: block.hash,
      parentHash: block.parentHash,
      timestamp: Number(block.timestamp),
      startMs,
      txs: hashes.map((h) => rawByHash.get(h)!),
      txHashes: hashes,
      paramsVersion,
      builder: this.opts.id,
    };
  }

  /** A block the engine sealed that was never recorded (the last leader died in between). */
  private async adopt(n: number): Promise<void> {
    const block = await this.engine.getBlock(n);
    if (!block) throw new Error(`block ${n} vanished from the L2 engine`);
    this.logger.warn(`adopting block ${n}, sealed on the engine but not recorded`);
    const snap = await this.params.snapshot(n);
    const sealed = await this.toSealedBlock(block, Number(block.timestamp) * 1000, snap.version, new Map());
    await this.commit(sealed, []);
  }

  private async commit(
    block: SealedBlock,
    skipped: Skip[],
    senders = new Map<string, string>(),
  ): Promise<void> {
    const retire: (string | number)[] = [];
    block.txHashes.forEach((h, index) => {
      const status: TxStatus = { status: 'included', block: block.number, index };
      const from = senders.get(h) ?? decodeTransaction(fromHex(block.txs[index])).from;
      retire.push(h, this.keys.publicSender(from), this.keys.txStatus(h), JSON.stringify(status));
    });
    for (const s of skipped) {
      const status: TxStatus = { status: 'skipped', slot: block.number, reason: s.reason };
      retire.push(s.hash, this.keys.publicSender(s.from), this.keys.txStatus(s.hash), JSON.stringify(status));
    }
    const res = await this.redis.recordSealed(
      this.keys.lease('builder'),
      this.keys.sealedHead(),
      this.keys.publicPool(),
      this.keys.publicTxs(),
      this.opts.id,
      block.number,
      this.keys.block(block.number),
      JSON.stringify(block),
      this.opts.statusTtlSec ?? STATUS_TTL_SEC,
      retire.length / 4,
      ...retire,
    );
    if (res === -1)
      throw new NotLeaderError(
        `builder ${this.opts.id} lost the lease before recording block ${block.number}`,
      );
    if (res === -2) throw new Error(`block ${block.number} is not the next block to record`);
    await this.hooks.sealed?.(block, skipped.length);
  }
}
