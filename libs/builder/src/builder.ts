/**
 * The builder: at each slot, while it holds the lease, takes the public-lane transactions,
 * seals them on the L2 engine in exactly that order at the slot's timestamp, checks the sealed
 * block against the intended order and records it. No Nest here: the module is a thin shell.
 */
import { ParamsStore, type ParamsSnapshot } from '@sealane/params';
import { L2Engine, nextBaseFee, type EngineBlock } from '@sealane/engine';
import { NotLeaderError } from '@sealane/protocol';
import type { MempoolRunner } from './mempool.runner';
import type { Wallet } from 'ethers';
import {
  type AuctionOutcome,
  type AuctionRunner,
  type BundleSimulatorPort,
  type SimContext,
} from './auction.runner';
import {
  ChainStore,
  Keys,
  LeaseStore,
  PublicLane,
  type BundleStore,
  type CommitStore,
  type StoredCommitment,
  type SealaneRedis,
  type SealedBlock,
  type SlotRecord,
} from '@sealane/store';
import { nextSlotStart, type Clock } from './clock';
import { Lease } from './lease';
import { matchesPlan, recordOf, type Orphans, type SlotPlan } from './phases/record';
import { planSlot } from './phases/plan';
import { submitInOrder } from './phases/submit';

export interface BuilderLogger {
  log(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface BuilderHooks {
  slotClosed?(slot: number, closedAtMs: number): Promise<void> | void;
  /** The slot's plan is stored; its block is about to be mined. */
  planned?(slot: number): Promise<void> | void;
  /** The engine mined the slot's block; its record comes next. */
  mined?(slot: number): Promise<void> | void;
  /** The slot is recorded (once per block, by whichever builder recorded it). */
  sealed?(block: SealedBlock, skipped: number): Promise<void> | void;
}

/** What the builder needs to run the auction: without it, blocks hold the public lane only. */
export interface BuilderAuction {
  runner: AuctionRunner;
  simulator: BundleSimulatorPort;
  bundles: BundleStore;
  /** The sequencer's account: the blocks' fee recipient, which pays the refunds. */
  feeRecipient: Wallet;
  chainId: number;
}

/** The encrypted mempool: committed transactions go right after the auction winners. */
export interface BuilderMempool {
  runner: MempoolRunner;
  store: CommitStore;
}

export interface BuilderOptions {
  id: string;
  auction?: BuilderAuction;
  mempool?: BuilderMempool;
  leaseTtlMs: number;
  blockGasLimit: bigint;
  /** How long a transaction's status is kept after it leaves the lane. */
  statusTtlSec?: number;
}

const STATUS_TTL_SEC = 7 * 24 * 3600;

export class Builder {
  readonly lease: Lease;
  private running = false;
  private stopping = false;
  private loopDone: Promise<void> = Promise.resolve();
  private renewTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private readonly chain: ChainStore;

  constructor(
    redis: SealaneRedis,
    keys: Keys,
    private readonly lane: PublicLane,
    private readonly params: ParamsStore,
    private readonly engine: L2Engine,
    private readonly clock: Clock,
    private readonly opts: BuilderOptions,
    private readonly hooks: BuilderHooks = {},
    private readonly logger: BuilderLogger = console,
  ) {
    this.chain = new ChainStore(redis, keys);
    this.lease = new Lease(new LeaseStore(redis), keys.lease('builder'), opts.id, opts.leaseTtlMs, clock);
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
          await this.sleep(this.lease.retryInMs());
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
          }, this.lease.renewEveryMs);
        }
        await this.step();
      } catch (e) {
        this.logger.error(`builder step failed: ${e instanceof Error ? e.stack : String(e)}`);
        await this.sleep(200);
      }
    }
  }

  async record(n: number): Promise<SealedBlock | null> {
    return this.chain.block(n);
  }

  /** One slot: wait for its close, then seal it. Also repairs a block sealed but not recorded. */
  async step(): Promise<void> {
    const head = await this.chain.sealedHead();
    const engineHead = await this.engine.blockNumber();
    if (engineHead > head) return this.adopt(head + 1);
    if (engineHead < head) {
      throw new Error(`the L2 engine is at block ${engineHead} but block ${head} is recorded as sealed`);
    }
    const slot = head + 1;
    // A slot planned by a builder that stopped before its mine is finished as planned.
    const saved = await this.chain.loadPlan<SlotPlan>(slot);
    if (saved && (await this.resume(saved))) return;
    const snap = await this.params.snapshot(slot);
    const offset = this.opts.auction ? Math.min(snap.values.auctionCloseOffsetMs, snap.values.slotMs) : 0;
    const startMs = nextSlotStart(await this.endOf(head), this.clock.now(), snap.values.slotMs, offset);
    const closeMs = startMs + snap.values.slotMs;
    const auctionCloseMs = closeMs - offset;
    await this.sleepUntil(this.opts.auction ? auctionCloseMs : closeMs);
    if (this.stopping) return;
    await this.hooks.slotClosed?.(slot, this.clock.now());
    let outcome: AuctionOutcome | undefined;
    let committed: StoredCommitment[] | undefined;
    if (this.opts.auction) {
      if (!this.lease.held) throw new NotLeaderError(`builder ${this.opts.id} no longer holds the lease`);
      // One flag closes bundles and commitments at the same instant; the order goes out at once.
      const received = await this.opts.auction.runner.closeIntake(slot);
      if (this.opts.mempool)
        committed = (await this.opts.mempool.runner.close(slot, snap.values)).commitments;
      const ctx = await this.context(slot, startMs);
      // No bundle may carry a committed fee transaction: it would skip what the fee pays for.
      const feeTxs = new Map((committed ?? []).map((c) => [c.feeTxHash.toLowerCase(), c.commitment]));
      outcome = await this.opts.auction.runner.clear(slot, received, snap.values, ctx, { feeTxs });
      await this.sleepUntil(closeMs);
      if (this.stopping) return;
    }
    await this.seal(slot, startMs, snap, outcome, committed);
  }

  private async sleepUntil(ms: number): Promise<void> {
    while (!this.stopping && this.clock.now() < ms) await this.sleep(Math.min(ms - this.clock.now(), 100));
  }

  /** The block environment of `slot`, on top of the engine's block `slot - 1`. */
  private async context(slot: number, startMs: number): Promise<SimContext> {
    const parent = await this.engine.getBlock(slot - 1);
    if (!parent) throw new Error(`parent block ${slot - 1} not found on the L2 engine`);
    return {
      parentNumber: slot - 1,
      number: slot,
      timestamp: Math.floor(startMs / 1000),
      feeRecipient: this.opts.auction?.feeRecipient.address.toLowerCase() ?? '0x' + '00'.repeat(20),
      baseFee: nextBaseFee({
        gasLimit: BigInt(parent.gasLimit),
        gasUsed: BigInt(parent.gasUsed),
        baseFeePerGas: BigInt(parent.baseFeePerGas ?? 0),
      }),
      gasLimit: BigInt(parent.gasLimit),
    };
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

  /** Seals `slot` on the engine with exactly the planned order, checks it and records it. */
  async seal(
    slot: number,
    startMs: number,
    snap: ParamsSnapshot,
    outcome?: AuctionOutcome,
    committed?: StoredCommitment[],
  ): Promise<SealedBlock> {
    // Only the leader touches the engine's pool.
    if (!this.lease.held) throw new NotLeaderError(`builder ${this.opts.id} does not hold the lease`);
    const ctx = await this.context(slot, startMs);
    const parentHash = (await this.engine.getBlock(slot - 1))!.hash;
    const auction = this.opts.auction;
    if (auction) await this.engine.setCoinbase(ctx.feeRecipient);
    const plan = await planSlot(
      {
        builderId: this.opts.id,
        blockGasLimit: this.opts.blockGasLimit,
        engine: this.engine,
        lane: this.lane,
        submit: (txs) => submitInOrder(this.engine, txs),
        ...(auction
          ? {
              auction: {
                simulator: auction.simulator,
                feeRecipient: auction.feeRecipient,
                chainId: auction.chainId,
              },
            }
          : {}),
        ...(this.opts.mempool ? { mempool: this.opts.mempool.runner } : {}),
        logger: this.logger,
      },
      { slot, startMs, parentHash, snap, ctx, outcome, committed },
    );
    return this.finish(plan);
  }

  /** Stores the plan, mines it, and records the slot from the plan and the sealed block. */
  private async finish(plan: SlotPlan): Promise<SealedBlock> {
    const slot = plan.slot;
    if (!this.lease.held) throw new NotLeaderError(`builder ${this.opts.id} no longer holds the lease`);
    await this.chain.savePlan(this.opts.id, plan.slot, plan);
    await this.hooks.planned?.(slot);
    if (!this.lease.held) throw new NotLeaderError(`builder ${this.opts.id} no longer holds the lease`);
    await this.engine.mine(Math.floor(plan.startMs / 1000));
    await this.hooks.mined?.(slot);
    const block = await this.engine.getBlock(slot);
    if (!block) throw new Error(`block ${slot} missing right after sealing`);
    const sealed = await this.toSealedBlock(
      block,
      plan.startMs,
      plan.paramsVersion,
      new Map(plan.txs.map((t) => [t.hash, t.raw])),
    );
    if (!matchesPlan(plan, sealed)) {
      this.logger.error(
        `slot ${slot}: sealed block differs from the intended order (intended ${plan.txs.length}, sealed ${sealed.txHashes.length})`,
      );
    }
    await this.writeRecord(recordOf(plan, sealed), plan.skipped.length);
    return sealed;
  }

  /**
   * Finishes a slot planned by a builder that stopped before mining it: the engine is still at
   * the parent, so the same transactions are valid again. Null if the engine refuses one now.
   */
  private async resume(plan: SlotPlan): Promise<SealedBlock | null> {
    const parent = await this.engine.getBlock(plan.slot - 1);
    if (!parent || parent.hash !== plan.parentHash) return null;
    this.logger.warn(`slot ${plan.slot}: resuming the plan of builder ${plan.builder}`);
    if (this.opts.auction)
      await this.engine.setCoinbase(this.opts.auction.feeRecipient.address.toLowerCase());
    const res = await submitInOrder(this.engine, plan.txs);
    const bad = res.findIndex((r) => !r.ok);
    if (bad >= 0) {
      const r = res[bad];
      this.logger.warn(
        `slot ${plan.slot}: the engine refuses the saved plan (${plan.txs[bad].hash}: ${r.ok ? '' : r.error.rpcMessage}); planning again`,
      );
      return null;
    }
    return this.finish(plan);
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

  /**
   * A block the engine sealed that was never recorded (the last leader died in between): its
   * slot is recorded from the plan stored before the mine, exactly as that leader would have.
   */
  private async adopt(n: number): Promise<void> {
    const block = await this.engine.getBlock(n);
    if (!block) throw new Error(`block ${n} vanished from the L2 engine`);
    const saved = await this.chain.loadPlan<SlotPlan>(n);
    // A plan made on another parent (an engine reset under the same Redis) is not this block's.
    const plan = saved && saved.parentHash === block.parentHash ? saved : null;
    if (plan) {
      this.logger.warn(`adopting block ${n}, sealed by ${plan.builder} but not recorded`);
      const sealed = await this.toSealedBlock(
        block,
        plan.startMs,
        plan.paramsVersion,
        new Map(plan.txs.map((t) => [t.hash, t.raw])),
      );
      if (!matchesPlan(plan, sealed))
        this.logger.error(`block ${n} differs from its plan: recording what it holds`);
      await this.writeRecord(recordOf(plan, sealed), plan.skipped.length);
      return;
    }
    this.logger.warn(`adopting block ${n}, sealed on the engine without a plan: recording what it holds`);
    const snap = await this.params.snapshot(n);
    const sealed = await this.toSealedBlock(block, Number(block.timestamp) * 1000, snap.version, new Map());
    await this.writeRecord(recordOf(null, sealed, await this.orphans(n)), 0);
  }

  /** What was sent for a slot sealed outside the builder: intake closes, each gets a final state. */
  private async orphans(n: number): Promise<Orphans | undefined> {
    if (!this.opts.auction && !this.opts.mempool) return undefined;
    const bundles = this.opts.auction ? await this.opts.auction.runner.closeIntake(n) : [];
    const commitments = this.opts.mempool ? await this.opts.mempool.store.read(n) : [];
    if (bundles.length === 0 && commitments.length === 0) return undefined;
    return {
      bundles: bundles.map((b) => b.bundleHash),
      commitments: commitments.map((c) => c.commitment),
      reason: `block ${n} was sealed outside the auction and the committed lane`,
    };
  }

  private async writeRecord(r: SlotRecord, skipped: number): Promise<void> {
    const res = await this.chain.recordSealed(this.opts.id, r, this.opts.statusTtlSec ?? STATUS_TTL_SEC);
    if (res === 'recorded') await this.hooks.sealed?.(r.block, skipped);
  }
}
