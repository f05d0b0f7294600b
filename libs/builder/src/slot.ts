/**
 * One slot as a pipeline of phases, in the order they run:
 *
 *   close   phases/close.ts    bundles and commitments closed by one flag; the commitment
 *                              order signed and published at once (the reveal window opens)
 *   clear   phases/clear.ts    bundles admitted, simulated, the auction cleared
 *   plan    phases/plan.ts     the lanes order the block over one account book
 *   submit  phases/submit.ts   exactly the plan in the engine's pool (refusals go back to plan)
 *   seal    phases/seal.ts     mined at the slot's timestamp, read back, checked against the plan
 *   record  phases/record.ts   every record of the slot in one fenced, idempotent write
 *   notify  hooks.sealed       the poster's job and the block-sealed event (builder.module.ts)
 *
 * Before a slot runs, a slot left half-done by a leader that died is finished (phases/recover.ts).
 * No Nest here: the module is a thin shell.
 */
import type { ParamsSnapshot } from '@sealane/params';
import { nextBaseFee } from '@sealane/engine';
import { NotLeaderError, slotTimes } from '@sealane/protocol';
import type { ForcedOutcome, RecordDraft, SealedBlock, SlotRecord, StoredCommitment } from '@sealane/store';
import type { SlotPhase } from '@sealane/observe';
import type { SlotEnv } from './options';
import type { SimContext } from './ports';
import { closeSlot } from './phases/close';
import type { AuctionOutcome } from './phases/clear';
import { planSlot } from './phases/plan';
import { matchesPlan, recordOf, storedPlan, type SlotPlan, type StoredPlan } from './phases/record';
import { rebuildEngine } from './phases/rebuild';
import { adopt, resume } from './phases/recover';
import { assertEngineAt, plannedBlock, sealPlan } from './phases/seal';
import { EnginePool } from './intake/engine-pool';
import { PublicIntake } from './intake/public-intake';
import { SlotStream } from './intake/stream';
import { PEEK_MARGIN } from './lanes/public';
import { readAccounts } from './phases/plan';

const STATUS_TTL_SEC = 7 * 24 * 3600;
/** How often the lane is read and streamed into the engine while a slot is open. */
const STREAM_TICK_MS = 20;
/**
 * The most one look sends (anvil takes about 0.25 ms a transaction): a look stays well inside a
 * tick, and one is started only while more time is left before the close than the last took.
 */
const STREAM_MAX_PER_TICK = 128;

/** How the leader's loop lets a slot wait: until a time, or until the builder stops. */
export interface SlotWaiter {
  readonly stopping: boolean;
  sleepUntil(ms: number): Promise<void>;
}

export class SlotRunner {
  /** When the slot being run ends, and its length: for the sealed hook's delay. */
  private timing?: { slot: number; endMs: number; slotMs: number };
  private readonly pool: EnginePool;
  /** The open slot's public lane, streamed into the engine's pool (intake/stream.ts). */
  private stream?: SlotStream;
  private streamError?: string;

  constructor(private readonly env: SlotEnv) {
    this.pool = new EnginePool(env.engine, (path, n) => env.hooks.submitted?.(path, n));
  }

  /** Runs `fn` as `phase` of the slot, telling the hooks how long it took. */
  private async timed<T>(phase: SlotPhase, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.env.hooks.phase?.(phase, performance.now() - started);
    }
  }

  /** One slot: wait for its close, then seal it. Also repairs a block sealed but not recorded. */
  async step(waiter: SlotWaiter): Promise<void> {
    const { chain, engine, params, clock, opts, hooks } = this.env;
    const head = await chain.sealedHead();
    const engineHead = await engine.blockNumber();
    if (engineHead > head) return adopt(this.env, head + 1, (r, skipped) => this.record(r, skipped));
    // Only the leader writes to the engine, so only it rebuilds one that is behind the records.
    if (engineHead < head) {
      this.mustLead('does not hold');
      return rebuildEngine(this.env, engineHead, head);
    }
    const slot = head + 1;
    // A slot planned by a builder that stopped before its mine is finished as planned.
    const saved = await chain.loadPlan<StoredPlan>(slot);
    if (saved && (await resume(this.env, saved, (p) => this.finish(p)))) return;
    const snap = await params.snapshot(slot);
    const offset = opts.auction ? snap.values.auctionCloseOffsetMs : 0;
    const times = slotTimes(await this.endOf(head), clock.now(), snap.values.slotMs, offset);
    this.timing = { slot, endMs: times.endMs, slotMs: snap.values.slotMs };
    await this.openUntil(times.closeMs, waiter, slot, times.startMs, snap);
    if (waiter.stopping) return;
    await hooks.slotClosed?.(slot, clock.now());
    let outcome: AuctionOutcome | undefined;
    let committed: StoredCommitment[] | undefined;
    let orderRoot: string | undefined;
    if (opts.auction) {
      this.mustLead('no longer holds');
      const closed = await this.timed('close', () => closeSlot(this.env, slot, snap.values));
      committed = closed.committed;
      orderRoot = closed.orderRoot;
      const ctx = await this.context(slot, times.startMs);
      // No bundle may carry a committed fee transaction: it would skip what the fee pays for.
      const feeTxs = new Map((committed ?? []).map((c) => [c.feeTxHash.toLowerCase(), c.commitment]));
      outcome = await this.timed('clear', () =>
        opts.auction!.runner.clear(slot, closed.received, snap.values, ctx, { feeTxs }),
      );
      await this.openUntil(times.endMs, waiter, slot, times.startMs, snap);
      if (waiter.stopping) return;
    }
    await this.seal(slot, times.startMs, snap, outcome, committed, orderRoot);
  }

  /** Waits until `untilMs` with the slot open, streaming its public lane into the engine. */
  private async openUntil(
    untilMs: number,
    waiter: SlotWaiter,
    slot: number,
    startMs: number,
    snap: ParamsSnapshot,
  ): Promise<void> {
    const { clock, lease, logger } = this.env;
    let lastMs = 0;
    while (!waiter.stopping && clock.now() < untilMs) {
      if (lease.held && this.streamError === undefined && untilMs - clock.now() > lastMs) {
        const started = clock.now();
        try {
          await this.prefill(slot, startMs, snap, STREAM_MAX_PER_TICK);
        } catch (e) {
          // The seal reads and submits everything itself: a failed look only costs its speed.
          this.streamError = e instanceof Error ? e.message : String(e);
          logger.warn(`slot ${slot}: streaming the public lane stopped: ${this.streamError}`);
        }
        lastMs = clock.now() - started;
      }
      await waiter.sleepUntil(Math.min(untilMs, clock.now() + STREAM_TICK_MS));
    }
    this.streamError = undefined;
  }

  /**
   * One look at `slot`'s public lane while the slot is open: the transactions its plan will
   * start with go into the engine's pool now, so the seal sends only what arrived since.
   */
  async prefill(slot: number, startMs: number, snap: ParamsSnapshot, maxSend?: number): Promise<void> {
    this.mustLead('does not hold');
    const { engine, lane, chain, opts, hooks } = this.env;
    if (this.stream?.slot !== slot) {
      const { ctx, parentHash } = await this.base(slot, startMs);
      const maxTxs = snap.values.publicLaneMaxTxs;
      this.stream = new SlotStream(
        new PublicIntake(
          slot,
          parentHash,
          { lane, readAccounts: (senders) => readAccounts(engine, senders) },
          maxTxs + PEEK_MARGIN,
        ),
        { chain, pool: this.pool, blockGasLimit: opts.blockGasLimit, onStreamed: (n) => hooks.streamed?.(n) },
        ctx,
        maxTxs,
      );
    }
    await this.stream.tick(maxSend);
  }

  /** Plans, submits, seals and records `slot` with exactly the planned order. */
  async seal(
    slot: number,
    startMs: number,
    snap: ParamsSnapshot,
    outcome?: AuctionOutcome,
    committed?: StoredCommitment[],
    orderRoot?: string,
  ): Promise<SealedBlock> {
    // Only the leader touches the engine's pool.
    this.mustLead('does not hold');
    const { engine, lane, opts, logger } = this.env;
    this.pool.lookAhead(slot);
    const { ctx, parentHash } = await this.base(slot, startMs);
    const auction = opts.auction;
    if (auction) await engine.setCoinbase(ctx.feeRecipient);
    const stream = this.stream?.slot === slot ? this.stream : undefined;
    const intake = stream?.intake.parentHash === parentHash ? stream.intake : undefined;
    const plan = await this.timed('plan', () =>
      planSlot(
        {
          builderId: opts.id,
          blockGasLimit: opts.blockGasLimit,
          engine,
          lane,
          submit: (txs) => this.pool.submit(slot, txs),
          ...(intake ? { intake } : {}),
          ...(auction
            ? {
                auction: {
                  simulator: auction.simulator,
                  feeRecipient: auction.feeRecipient,
                  chainId: auction.chainId,
                },
              }
            : {}),
          ...(opts.mempool ? { mempool: opts.mempool.runner } : {}),
          ...(opts.forced ? { forced: { ...opts.forced, chain: this.env.chain, engine } } : {}),
          logger,
        },
        { slot, startMs, parentHash, snap, ctx, outcome, committed, ...(orderRoot ? { orderRoot } : {}) },
      ),
    );
    return this.finish(plan);
  }

  /** Stores the plan, mines it, and records the slot from the plan and the sealed block. */
  private async finish(plan: SlotPlan): Promise<SealedBlock> {
    const { chain, engine, opts, hooks, logger } = this.env;
    this.mustLead('no longer holds');
    // The engine's head is read while the plan is written: both before the mine.
    await Promise.all([chain.savePlan(opts.id, plan.slot, storedPlan(plan)), assertEngineAt(engine, plan)]);
    await hooks.planned?.(plan.slot);
    this.mustLead('no longer holds');
    const mining = this.timed('seal', () => sealPlan(engine, plan, opts.id, logger, hooks.mined));
    // Awaited below; while the engine mines, the record is drafted from the plan.
    mining.catch(() => undefined);
    const draft = await this.draft(plan);
    const sealed = await mining;
    this.pool.mined();
    this.stream = undefined;
    // The draft holds if the block is the plan's (the order check); else from what it holds.
    const drafted = draft && matchesPlan(plan, sealed) ? draft : undefined;
    const r = drafted ? { ...drafted.record, block: sealed } : recordOf(plan, sealed);
    await this.timed('record', () => this.record(r, plan.skipped.length, drafted));
    await this.resolveForced(plan, sealed);
    return sealed;
  }

  /**
   * The forced transactions the slot resolved, once its block is recorded (idempotent: a builder
   * that dies before this leaves them queued, and the next slot finds them in the chain). One
   * planned here but missing from the sealed block stays queued.
   */
  private async resolveForced(plan: SlotPlan, sealed: SealedBlock): Promise<void> {
    const store = this.env.opts.forced?.store;
    if (!store || !plan.forced) return;
    const outcomes: { index: number; outcome: ForcedOutcome }[] = [];
    for (const { index, hash, deadline, outcome } of plan.forced) {
      if (outcome.state !== 'included-here') outcomes.push({ index, outcome });
      else if (sealed.txHashes.includes(hash))
        outcomes.push({
          index,
          outcome: {
            state: 'included',
            block: sealed.number,
            txIndex: sealed.txHashes.indexOf(hash),
            ...(deadline === undefined ? {} : { deadline }),
          },
        });
    }
    await store.resolve(outcomes);
  }

  /**
   * The slot's record drafted from its plan, as if the block holds exactly the plan: after a
   * turn of the event loop, so that the mine's request is out before this work runs.
   */
  private async draft(plan: SlotPlan): Promise<RecordDraft | undefined> {
    await new Promise((resolve) => setImmediate(resolve));
    try {
      return this.env.chain.draftRecord(recordOf(plan, plannedBlock(plan, this.env.opts.id)));
    } catch {
      // Recorded from the sealed block instead, which says the same if anything is wrong.
      return undefined;
    }
  }

  private async record(r: SlotRecord, skipped: number, draft?: RecordDraft): Promise<void> {
    const { chain, opts, hooks } = this.env;
    const res = await chain.recordSealed(opts.id, r, opts.statusTtlSec ?? STATUS_TTL_SEC, draft);
    const t = this.timing?.slot === r.block.number ? this.timing : undefined;
    if (res === 'recorded') await hooks.sealed?.(r, skipped, t && { endMs: t.endMs, slotMs: t.slotMs });
  }

  private mustLead(what: string): void {
    if (!this.env.lease.held) throw new NotLeaderError(`builder ${this.env.opts.id} ${what} the lease`);
  }

  /** The block environment of `slot`, on top of the engine's block `slot - 1`. */
  private async context(slot: number, startMs: number): Promise<SimContext> {
    return (await this.base(slot, startMs)).ctx;
  }

  /**
   * The block environment of `slot` and its parent's hash, from one read of the engine's block
   * `slot - 1`; the stream's own while it runs for this slot (only the leader mines, so the
   * parent stays put until this slot is sealed).
   */
  private async base(slot: number, startMs: number): Promise<{ ctx: SimContext; parentHash: string }> {
    const s = this.stream;
    if (s?.slot === slot && s.ctx.timestamp === Math.floor(startMs / 1000))
      return { ctx: s.ctx, parentHash: s.intake.parentHash };
    const parent = await this.env.engine.getBlock(slot - 1);
    if (!parent) throw new Error(`parent block ${slot - 1} not found on the L2 engine`);
    const ctx: SimContext = {
      parentNumber: slot - 1,
      number: slot,
      timestamp: Math.floor(startMs / 1000),
      feeRecipient: this.env.opts.auction?.feeRecipient.address.toLowerCase() ?? '0x' + '00'.repeat(20),
      baseFee: nextBaseFee({
        gasLimit: BigInt(parent.gasLimit),
        gasUsed: BigInt(parent.gasUsed),
        baseFeePerGas: BigInt(parent.baseFeePerGas ?? 0),
      }),
      gasLimit: BigInt(parent.gasLimit),
    };
    return { ctx, parentHash: parent.hash };
  }

  /** When slot `head` ended (see ChainStore.slotEndMs). */
  private endOf(head: number): Promise<number> {
    const { chain, engine, params } = this.env;
    return chain.slotEndMs(head, params, () => engine.genesisMs());
  }
}
