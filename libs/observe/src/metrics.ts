/**
 * Sealane's Prometheus metrics: one registry per process, every series defined here so the
 * README's list and the code cannot drift. Named as op-batcher and op-rbuilder name theirs where
 * an equivalent exists (`sealane_batcher_…` for the poster, `sealane_builder_…` for the
 * builder). Components record through the typed methods below; a disabled instance
 * (METRICS_ENABLED=false) records nothing and answers no scrape, so its cost is one branch.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Slot phases, in the order they run (libs/builder/src/slot.ts). */
export type SlotPhase = 'close' | 'clear' | 'plan' | 'seal' | 'record';

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COUNTS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
const BYTES = [1e3, 4e3, 16e3, 64e3, 128e3, 256e3, 512e3, 1e6];

/** What one sealed slot did, as the builder's record tells it (see slotReport). */
export interface SlotFigures {
  block: number;
  txs: number;
  bids: number;
  winners: number;
  /** The lowest price a winner pays, in wei; null without winners. */
  clearingPriceWei: bigint | null;
  revenueWei: bigint;
  refunds: number;
  refundsWei: bigint;
  dropped: { code: string }[];
  skipped: { code: string }[];
  commitments: { included: number; skipped: number; expired: number };
  paramsVersion: number;
}

export interface BatchFigures {
  blocks: number;
  rawBytes: number;
  compressedBytes: number;
  lagBlocks: number;
}

export class SealaneMetrics {
  readonly registry = new Registry();
  private readonly m;
  private readRecoveryQueue: () => number = () => 0;

  /** Off: every record method returns at once (METRICS_ENABLED=false; the ingest bench flips it). */
  constructor(public enabled = true) {
    const r = [this.registry];
    const counter = (name: string, help: string, labelNames: string[] = []) =>
      new Counter({ name, help, labelNames, registers: r });
    const gauge = (name: string, help: string, labelNames: string[] = []) =>
      new Gauge({ name, help, labelNames, registers: r });
    const histogram = (name: string, help: string, buckets: number[], labelNames: string[] = []) =>
      new Histogram({ name, help, buckets, labelNames, registers: r });
    const recoveryQueue: Gauge = new Gauge({
      name: 'sealane_gateway_recovery_queue',
      help: 'Signatures waiting for the signer recovery pool (read at each scrape)',
      registers: r,
      collect: (): void => recoveryQueue.set(this.readRecoveryQueue()),
    });
    this.m = {
      phase: histogram('sealane_builder_slot_phase_seconds', 'Duration of each slot phase', SECONDS, [
        'phase',
      ]),
      sealDelay: histogram(
        'sealane_builder_seal_delay_seconds',
        'Time from a slot end to its block recorded as sealed',
        SECONDS,
      ),
      overruns: counter(
        'sealane_builder_slot_overruns_total',
        'Slots recorded more than one slot after their end',
      ),
      blocks: counter('sealane_builder_blocks_sealed_total', 'Blocks sealed and recorded'),
      head: gauge('sealane_builder_sealed_head', 'Highest block recorded as sealed'),
      blockTxs: histogram('sealane_builder_block_transactions', 'Transactions per sealed block', COUNTS),
      txs: counter('sealane_builder_transactions_total', 'Transactions sealed in blocks'),
      skips: counter('sealane_builder_public_skipped_total', 'Public transactions skipped, by reason code', [
        'code',
      ]),
      submits: counter(
        'sealane_builder_submit_total',
        'Plans sent to the engine: on top of the streamed public lane (prefilled) or whole',
        ['path'],
      ),
      streamed: counter(
        'sealane_builder_streamed_transactions_total',
        'Public transactions streamed into the engine while their slot was open',
      ),
      laneDepth: gauge(
        'sealane_builder_public_lane_depth',
        'Public transactions waiting after the last slot',
      ),
      leader: gauge('sealane_builder_is_leader', '1 while this builder holds the lease'),
      leaderChanges: counter(
        'sealane_builder_leader_changes_total',
        'Times this builder took or lost the lease',
        ['change'],
      ),
      paramsVersion: gauge('sealane_params_version', 'Parameter version in force at the last sealed slot'),
      bids: histogram('sealane_auction_bids', 'Bids counted per slot', COUNTS),
      bidsTotal: counter('sealane_auction_bids_total', 'Bids counted'),
      winners: counter('sealane_auction_winners_total', 'Auction winners included'),
      dropped: counter(
        'sealane_auction_dropped_winners_total',
        'Winners dropped at the seal, by reason code',
        ['code'],
      ),
      clearing: gauge(
        'sealane_auction_clearing_price_wei',
        'Lowest winning price of the last slot with winners',
      ),
      revenue: counter('sealane_auction_revenue_wei_total', 'Sum of the prices winners paid, in wei'),
      refunds: counter('sealane_auction_refunds_total', 'Refund transactions sealed'),
      refundsWei: counter('sealane_auction_refunds_wei_total', 'Sum of refunds paid, in wei'),
      commitments: counter('sealane_mempool_commitments_total', 'Commitments resolved, by outcome', [
        'outcome',
      ]),
      rpc: counter('sealane_gateway_requests_total', 'JSON-RPC requests, by method and answer code', [
        'method',
        'code',
      ]),
      rpcSeconds: histogram(
        'sealane_gateway_request_duration_seconds',
        'JSON-RPC request duration, by method',
        SECONDS,
        ['method'],
      ),
      batches: counter('sealane_batcher_batches_posted_total', 'Batches confirmed on L1'),
      batchBlocks: counter('sealane_batcher_blocks_posted_total', 'L2 blocks in batches confirmed on L1'),
      inputBytes: counter('sealane_batcher_input_bytes_total', 'Bytes of batches before compression'),
      outputBytes: counter('sealane_batcher_output_bytes_total', 'Bytes of batches after compression'),
      batchSize: histogram('sealane_batcher_batch_size_bytes', 'Compressed size of each posted batch', BYTES),
      ratio: histogram(
        'sealane_batcher_comp_ratio',
        'Compressed / raw size of each posted batch',
        [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1],
      ),
      lag: gauge('sealane_batcher_lag_blocks', 'Sealed L2 blocks not yet confirmed on L1'),
      unsent: gauge('sealane_batcher_pending_blocks', 'Sealed L2 blocks not yet in any batch'),
      inFlight: gauge('sealane_batcher_in_flight', 'Batch transactions sent and not yet confirmed'),
      bumps: counter('sealane_batcher_txmgr_fee_bumps_total', 'Batch transactions replaced with higher fees'),
      governance: counter('sealane_governance_decisions_total', 'Governance decisions, by kind', ['kind']),
      keyShares: counter('sealane_keyper_shares_released_total', 'Slot key shares this process released'),
    };
    if (enabled) collectDefaultMetrics({ register: this.registry });
  }

  /** The text a scrape answers (Prometheus exposition format). */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  phase(phase: SlotPhase, ms: number): void {
    if (this.enabled) this.m.phase.observe({ phase }, ms / 1000);
  }

  /**
   * A slot recorded as sealed; `timing` when this builder ran it: recorded `delayMs` after its
   * end, a slot being `slotMs` long.
   */
  sealed(f: SlotFigures, timing?: { delayMs: number; slotMs: number }): void {
    if (!this.enabled) return;
    const m = this.m;
    if (timing) {
      m.sealDelay.observe(Math.max(0, timing.delayMs) / 1000);
      if (timing.delayMs > timing.slotMs) m.overruns.inc();
    }
    m.blocks.inc();
    m.head.set(f.block);
    m.blockTxs.observe(f.txs);
    m.txs.inc(f.txs);
    for (const s of f.skipped) m.skips.inc({ code: s.code });
    m.paramsVersion.set(f.paramsVersion);
    m.bids.observe(f.bids);
    m.bidsTotal.inc(f.bids);
    m.winners.inc(f.winners);
    for (const d of f.dropped) m.dropped.inc({ code: d.code });
    if (f.clearingPriceWei !== null) m.clearing.set(Number(f.clearingPriceWei));
    m.revenue.inc(Number(f.revenueWei));
    m.refunds.inc(f.refunds);
    m.refundsWei.inc(Number(f.refundsWei));
    for (const [outcome, n] of Object.entries(f.commitments)) if (n) m.commitments.inc({ outcome }, n);
  }

  submitted(path: 'prefilled' | 'whole'): void {
    if (this.enabled) this.m.submits.inc({ path });
  }

  streamed(n: number): void {
    if (this.enabled) this.m.streamed.inc(n);
  }

  laneDepth(n: number): void {
    if (this.enabled) this.m.laneDepth.set(n);
  }

  leadership(leads: boolean): void {
    if (!this.enabled) return;
    this.m.leader.set(leads ? 1 : 0);
    this.m.leaderChanges.inc({ change: leads ? 'took' : 'lost' });
  }

  /** One JSON-RPC answer: `code` 0 for a result, else the error's code. */
  rpc(method: string, code: number, ms: number): void {
    if (!this.enabled) return;
    this.m.rpc.inc({ method, code: String(code) });
    this.m.rpcSeconds.observe({ method }, ms / 1000);
  }

  /** A gauge read at each scrape, so the hot path records nothing. */
  watchRecoveryQueue(read: () => number): void {
    this.readRecoveryQueue = read;
  }

  batchPosted(b: BatchFigures): void {
    if (!this.enabled) return;
    const m = this.m;
    m.batches.inc();
    m.batchBlocks.inc(b.blocks);
    m.inputBytes.inc(b.rawBytes);
    m.outputBytes.inc(b.compressedBytes);
    m.batchSize.observe(b.compressedBytes);
    if (b.rawBytes > 0) m.ratio.observe(b.compressedBytes / b.rawBytes);
    m.lag.set(b.lagBlocks);
  }

  posterStatus(s: { lagBlocks: number; unsentBlocks: number; inFlight: number }): void {
    if (!this.enabled) return;
    this.m.lag.set(s.lagBlocks);
    this.m.unsent.set(s.unsentBlocks);
    this.m.inFlight.set(s.inFlight);
  }

  feeBump(): void {
    if (this.enabled) this.m.bumps.inc();
  }

  governance(kind: string): void {
    if (this.enabled) this.m.governance.inc({ kind });
  }

  keyShareReleased(): void {
    if (this.enabled) this.m.keyShares.inc();
  }
}
