/**
 * The builder: at each slot, while it holds the lease, takes the public-lane transactions,
 * seals them on the L2 engine in exactly that order at the slot's timestamp, checks the sealed
 * block against the intended order and records it. No Nest here: the module is a thin shell.
 */
import type { ParamsSnapshot } from '@sealane/params';
import { ParamsStore } from '@sealane/store';
import { L2Engine, nextBaseFee, type EngineBlock } from '@sealane/engine';
import {
  decodeTransaction,
  fromHex,
  keccak256,
  maxCost,
  NotLeaderError,
  toHex,
  type DecodedTx,
} from '@sealane/protocol';
import type { MempoolRunner, OpenedCommitment } from './mempool.runner';
import type { Wallet } from 'ethers';
import {
  type AuctionOutcome,
  type AuctionRunner,
  type AuctionWinner,
  type BundleSimulatorPort,
  type SimContext,
  simBundle,
} from './auction.runner';
import {
  ChainStore,
  Keys,
  LeaseStore,
  PublicLane,
  type BundleStore,
  type CommitStore,
  type StoredCommitment,
  type PoolEntry,
  type SealaneRedis,
  type SealedBlock,
  type SlotRecord,
} from '@sealane/store';
import { nextSlotStart, type Clock } from './clock';
import { Lease } from './lease';
import { selectPublic, type AccountState, type Candidate, type Skip } from './public-lane.select';
import {
  matchesPlan,
  plannedAuction,
  recordOf,
  type ChainIncluded,
  type Orphans,
  type PlannedTx,
  type SlotPlan,
} from './phases/record';

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

/**
 * Committed transactions in committed order: each commitment's fee transaction (executed
 * whether or not the user revealed), then the transaction it hid if that opened and is valid
 * here. Nonces and balances carry over from the auction winners placed before them.
 */
function planCommitted(
  opened: OpenedCommitment[],
  accounts: Map<string, AccountState>,
  baseFee: bigint,
  refusedFee: Map<string, string>,
  refusedReveal: Map<string, string>,
): { txs: (PlannedTx & { gasLimit: bigint })[]; reasons: Map<string, string> } {
  const txs: (PlannedTx & { gasLimit: bigint })[] = [];
  const reasons = new Map<string, string>();
  const check = (tx: DecodedTx): string | null => {
    const acc = accounts.get(tx.from) ?? { nonce: 0, balance: 0n };
    if (tx.nonce !== acc.nonce) return `nonce ${tx.nonce} is not the sender's next nonce ${acc.nonce}`;
    if (tx.maxFeePerGas < baseFee)
      return `max fee per gas ${tx.maxFeePerGas} below the block base fee ${baseFee}`;
    if (maxCost(tx) > acc.balance)
      return `insufficient funds: balance ${acc.balance} < max cost ${maxCost(tx)}`;
    return null;
  };
  const take = (tx: DecodedTx): void => {
    const acc = accounts.get(tx.from) ?? { nonce: 0, balance: 0n };
    accounts.set(tx.from, { nonce: acc.nonce + 1, balance: acc.balance - maxCost(tx) });
  };
  for (const o of opened) {
    const c = o.commitment.commitment;
    const feeWhy = refusedFee.get(c) ?? check(o.fee);
    if (feeWhy) {
      reasons.set(c, `fee transaction not executable: ${feeWhy}`);
      continue;
    }
    take(o.fee);
    txs.push({
      hash: o.fee.hash,
      raw: o.feeRaw,
      from: o.fee.from,
      role: 'fee',
      commitment: c,
      gasLimit: o.fee.gasLimit,
    });
    if (!o.revealed) {
      reasons.set(c, o.reason ?? 'not revealed');
      continue;
    }
    const why = refusedReveal.get(c) ?? check(o.revealed.tx);
    if (why) {
      reasons.set(c, why);
      continue;
    }
    take(o.revealed.tx);
    const r = o.revealed.tx;
    txs.push({
      hash: r.hash,
      raw: o.revealed.raw,
      from: r.from,
      role: 'revealed',
      commitment: c,
      gasLimit: r.gasLimit,
    });
  }
  return { txs, reasons };
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
/** Extra lane entries read beyond the block's capacity, so nonce gaps do not starve a block. */
const PEEK_MARGIN = 1024;
const MAX_SUBMIT_ROUNDS = 4;
const REFUND_GAS = 21_000n;
/** Largest JSON-RPC batch anvil applies in order (measured: 65 already reorders). */
const ORDERED_SUBMIT_CHUNK = 64;

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

  /**
   * The auction winners still valid in their final order: each is re-simulated in place, and
   * one that now fails or pays less than its price is dropped (the rest are checked again).
   */
  private async winnersInPlace(
    winners: AuctionWinner[],
    ctx: SimContext,
    dropped: Map<string, string>,
  ): Promise<{ winner: AuctionWinner; gasUsed: bigint }[]> {
    let live = winners.filter((w) => !dropped.has(w.bid.bundleHash));
    for (;;) {
      if (live.length === 0) return [];
      const sims = await this.opts.auction!.simulator.simulateSequence(
        live.map((w) => simBundle(w.bundle)),
        ctx,
      );
      const bad = live.findIndex((w, i) => !sims[i].ok || sims[i].coinbaseDiff < w.price);
      if (bad < 0) return live.map((winner, i) => ({ winner, gasUsed: sims[i].totalGasUsed }));
      const s = sims[bad];
      dropped.set(
        live[bad].bid.bundleHash,
        s.ok
          ? `pays ${s.coinbaseDiff} in place, less than its price ${live[bad].price}`
          : `fails in place: ${s.error ?? 'invalid'}`,
      );
      live = live.filter((_, i) => i !== bad);
    }
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
    const plan = await this.plan(slot, startMs, snap, outcome, committed);
    return this.finish(plan);
  }

  /**
   * Plans `slot` and leaves exactly the plan's transactions in the engine's pool: winners
   * (never split), committed transactions, the public lane, then refunds. What the engine
   * refuses is dropped or skipped with its reason and the block is planned again.
   */
  private async plan(
    slot: number,
    startMs: number,
    snap: ParamsSnapshot,
    outcome?: AuctionOutcome,
    committed?: StoredCommitment[],
  ): Promise<SlotPlan> {
    const ctx = await this.context(slot, startMs);
    const parentHash = (await this.engine.getBlock(slot - 1))!.hash;
    const auction = this.opts.auction;
    if (auction) await this.engine.setCoinbase(ctx.feeRecipient);
    const skipped: Skip[] = [];
    const dropped = new Map<string, string>();
    const entries = await this.lane.peek(snap.values.publicLaneMaxTxs + PEEK_MARGIN);
    const allCandidates = await this.candidates(entries, skipped);
    const sequencer = auction?.feeRecipient.address.toLowerCase();
    const winnerSenders = (outcome?.winners ?? []).flatMap((w) => w.bid.nonces.map((n) => n.sender));
    const senders = new Set([
      ...allCandidates.map((c) => c.from),
      ...winnerSenders,
      ...(sequencer ? [sequencer] : []),
    ]);
    // The reveals are taken once: none is accepted after this.
    const opened = committed && this.opts.mempool ? await this.opts.mempool.runner.open(slot, committed) : [];
    for (const o of opened) senders.add(o.commitment.sender);
    const baseAccounts = await this.accounts([...senders]);
    const chainIncluded = await this.alreadyIncluded(allCandidates, baseAccounts);
    /** Commitments whose transactions the engine refused: the fee (both out) or the revealed one. */
    const refusedFee = new Map<string, string>();
    const refusedReveal = new Map<string, string>();

    for (let round = 0; ; round++) {
      const live = outcome ? await this.winnersInPlace(outcome.winners, ctx, dropped) : [];
      const accounts = new Map(baseAccounts);
      const bundleTx = new Map<string, string>();
      let bundleGas = 0n;
      const top: PlannedTx[] = [];
      for (const { winner, gasUsed } of live) {
        bundleGas += gasUsed;
        winner.bundle.txs.forEach((raw, i) => {
          const tx = decodeTransaction(fromHex(raw), { knownSender: winner.bundle.senders?.[i] });
          const acc = accounts.get(tx.from) ?? { nonce: 0, balance: 0n };
          accounts.set(tx.from, {
            nonce: Math.max(acc.nonce, tx.nonce + 1),
            balance: acc.balance - maxCost(tx),
          });
          bundleTx.set(winner.bundle.txHashes[i], winner.bid.bundleHash);
          top.push({
            hash: winner.bundle.txHashes[i],
            raw,
            from: tx.from,
            role: 'bundle',
            bundle: winner.bid.bundleHash,
          });
        });
      }
      // Committed transactions, in committed order: each fee transaction, then what it hid.
      const commitPlan = planCommitted(opened, accounts, ctx.baseFee, refusedFee, refusedReveal);
      for (const t of commitPlan.txs) bundleGas += t.gasLimit;
      const committedHashes = new Set(commitPlan.txs.map((t) => t.hash));
      const refunds = live.filter(({ winner }) => winner.refund > 0n);
      const selection = selectPublic(
        allCandidates.filter((c) => !bundleTx.has(c.hash) && !committedHashes.has(c.hash)),
        accounts,
        {
          gasBudget: this.opts.blockGasLimit - bundleGas - BigInt(refunds.length) * REFUND_GAS,
          baseFee: ctx.baseFee,
          maxTxs: snap.values.publicLaneMaxTxs,
        },
      );
      const refundTxs: PlannedTx[] = [];
      if (auction && sequencer) {
        let nonce =
          (baseAccounts.get(sequencer)?.nonce ?? 0) +
          selection.included.filter((c) => c.from === sequencer).length;
        for (const { winner } of refunds) {
          const raw = await auction.feeRecipient.signTransaction({
            type: 2,
            chainId: auction.chainId,
            nonce: nonce++,
            to: winner.bundle.searcher,
            value: winner.refund,
            gasLimit: REFUND_GAS,
            maxFeePerGas: ctx.baseFee * 2n + 1n,
            maxPriorityFeePerGas: 0n,
          });
          const hash = toHex(keccak256(fromHex(raw)));
          refundTxs.push({ hash, raw, from: sequencer, role: 'refund', refundFor: winner.bid.bundleHash });
        }
      }
      const txs: PlannedTx[] = [
        ...top,
        ...commitPlan.txs.map(({ gasLimit: _, ...t }) => t),
        ...selection.included.map((c): PlannedTx => ({
          hash: c.hash,
          raw: c.raw,
          from: c.from,
          role: 'public',
        })),
        ...refundTxs,
      ];

      const res = await this.submit(txs);
      const rejectedPublic = new Set<string>();
      res.forEach((r, i) => {
        if (r.ok) return;
        const t = txs[i];
        const why = `rejected by the L2 engine: ${r.error.rpcMessage}`;
        if (t.role === 'bundle') dropped.set(t.bundle!, why);
        else if (t.role === 'fee') refusedFee.set(t.commitment!, why);
        else if (t.role === 'revealed') refusedReveal.set(t.commitment!, why);
        // A winner whose refund cannot be paid would pay more than its price: it goes instead.
        else if (t.role === 'refund') dropped.set(t.refundFor!, `its refund was ${why}`);
        else {
          rejectedPublic.add(t.hash);
          skipped.push({ hash: t.hash, from: t.from, reason: why });
        }
      });
      const rejectedBundle = res.some((r, i) => !r.ok && txs[i].role !== 'public');
      if (!rejectedBundle && rejectedPublic.size === 0) {
        skipped.push(...selection.skipped);
        return {
          slot,
          parentHash,
          startMs,
          paramsVersion: snap.version,
          builder: this.opts.id,
          txs,
          skipped,
          chainIncluded,
          commitments: opened.map((o) => ({
            commitment: o.commitment.commitment,
            feeTxHash: o.fee.hash,
            ...(o.revealed ? { txHash: o.revealed.tx.hash } : {}),
            ...((commitPlan.reasons.get(o.commitment.commitment) ?? o.reason) !== undefined
              ? { reason: commitPlan.reasons.get(o.commitment.commitment) ?? o.reason }
              : {}),
          })),
          ...(outcome
            ? {
                auction: plannedAuction(
                  outcome,
                  live.map((l) => l.winner),
                  dropped,
                  snap.version,
                ),
              }
            : {}),
        };
      }
      if (round + 1 === MAX_SUBMIT_ROUNDS) {
        // The engine keeps refusing what is planned: the last round seals the slot empty rather
        // than retry it for ever (a slot always seals). Public transactions wait for the next one.
        const why = `the L2 engine refused this block's transactions ${MAX_SUBMIT_ROUNDS} rounds in a row`;
        this.logger.error(`slot ${slot}: ${why}; sealing it empty`);
        for (const w of outcome?.winners ?? [])
          if (!dropped.has(w.bid.bundleHash)) dropped.set(w.bid.bundleHash, why);
        for (const o of opened)
          if (!refusedFee.has(o.commitment.commitment)) refusedFee.set(o.commitment.commitment, why);
        allCandidates.length = 0;
        continue;
      }
      for (let i = allCandidates.length - 1; i >= 0; i--)
        if (rejectedPublic.has(allCandidates[i].hash)) allCandidates.splice(i, 1);
    }
  }

  /** Leaves exactly `txs` in the engine's pool, in order; one answer per transaction. */
  private async submit(txs: PlannedTx[]) {
    await this.engine.dropAllTransactions();
    // anvil handles a JSON-RPC batch of more than 64 calls concurrently and may reorder
    // transactions of different senders, so send in order-preserving chunks.
    return this.engine.batch(
      txs.map((t) => ['eth_sendRawTransaction', [t.raw]]),
      ORDERED_SUBMIT_CHUNK,
    );
  }

  /**
   * Public transactions whose nonce the chain has already used and that the chain holds (a
   * raw transaction sent again after its inclusion): retired as included, never skipped.
   */
  private async alreadyIncluded(
    candidates: Candidate[],
    accounts: Map<string, AccountState>,
  ): Promise<ChainIncluded[]> {
    const stale = candidates.filter((c) => c.nonce < (accounts.get(c.from)?.nonce ?? 0));
    if (stale.length === 0) return [];
    const res = await this.engine.batch(stale.map((c) => ['eth_getTransactionReceipt', [c.hash]]));
    const out: ChainIncluded[] = [];
    res.forEach((r, i) => {
      const receipt = r.ok ? (r.result as { blockNumber?: string; transactionIndex?: string } | null) : null;
      if (!receipt?.blockNumber || receipt.transactionIndex === undefined) return;
      out.push({
        hash: stale[i].hash,
        from: stale[i].from,
        block: Number(receipt.blockNumber),
        index: Number(receipt.transactionIndex),
      });
    });
    const known = new Set(out.map((c) => c.hash));
    for (let i = candidates.length - 1; i >= 0; i--)
      if (known.has(candidates[i].hash)) candidates.splice(i, 1);
    return out;
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
    const res = await this.submit(plan.txs);
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
