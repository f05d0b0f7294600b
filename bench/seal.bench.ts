/**
 * Seal time: how long the builder takes to turn N public-lane transactions waiting in Redis into
 * a sealed, checked and recorded L2 block (Builder.seal), against anvil mining the very same raw
 * transactions on its own. The difference is what Sealane adds on top of the engine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Builder, systemClock, type BuilderLogger } from '@sealane/builder';
import type { SealaneConfig } from '@sealane/config';
import { startAnvil } from '@sealane/embedded';
import { L2Engine, type EngineBlock, type RpcCall } from '@sealane/engine';
import { ParamsStore } from '@sealane/store';
import { decodeTransaction, fromHex, keccak256, toHex } from '@sealane/protocol';
import { connectRedis, Keys, PublicLane, type PoolEntry, type SealaneRedis } from '@sealane/store';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { median, PhaseTimer, progress, timed, TransferSigner, L2_CHAIN_ID, type Row } from './support';

/** Block sizes, and how many timed seals of each (after one untimed warm-up seal). */
const SIZES = [
  { txs: 100, reps: 7 },
  { txs: 1000, reps: 5 },
];
const POOL_CAPACITY = 1_000_000;
/** Untimed seals of each size, each way, before the timed ones. */
const WARMUP_SEALS = 3;

/** The engine as the builder uses it, with the wall time of each kind of call added up. */
class TimedEngine extends L2Engine {
  constructor(
    url: string,
    private readonly timer: PhaseTimer,
  ) {
    super(url);
  }
  override batch(calls: RpcCall[], chunk?: number) {
    const label = calls[0]?.[0] === 'eth_sendRawTransaction' ? 'engine: submit txs' : 'engine: reads';
    return this.timer.time(label, () => super.batch(calls, chunk));
  }
  override mine(timestampSec: number): Promise<void> {
    return this.timer.time('engine: evm_mine', () => super.mine(timestampSec));
  }
  override getBlock(tag: number | 'latest'): Promise<EngineBlock | null> {
    return this.timer.time('engine: read block', () => super.getBlock(tag));
  }
  override call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    // The pool check and the head check before the mine; getBlock times itself.
    if (method !== 'txpool_status' && method !== 'eth_blockNumber') return super.call<T>(method, params);
    return this.timer.time('engine: reads', () => super.call<T>(method, params));
  }
  override dropAllTransactions(): Promise<void> {
    return this.timer.time('engine: reads', () => super.dropAllTransactions());
  }
}

class TimedLane extends PublicLane {
  constructor(
    redis: SealaneRedis,
    keys: Keys,
    private readonly timer: PhaseTimer,
  ) {
    super(redis, keys);
  }
  // peek() reads through these two.
  override order(limit: number): Promise<{ hash: string; seq: number }[]> {
    return this.timer.time('redis: read lane', () => super.order(limit));
  }
  override entries(refs: readonly { hash: string; seq: number }[]): Promise<PoolEntry[]> {
    return this.timer.time('redis: read lane', () => super.entries(refs));
  }
}

/**
 * The builder's Redis with its one write (recording the block) timed. A proxy, not a patched
 * method: ioredis copies custom commands onto its auto-pipelines and calls them there, so a
 * patched instance method would call itself through the pipeline without end.
 */
function timedRedis(redis: SealaneRedis, timer: PhaseTimer): SealaneRedis {
  return new Proxy(redis, {
    get(target, prop) {
      if (prop === 'recordSealed') {
        return (...args: Parameters<SealaneRedis['recordSealed']>) =>
          timer.time('redis: record block', () => target.recordSealed(...args));
      }
      if (prop === 'savePlan') {
        return (...args: Parameters<SealaneRedis['savePlan']>) =>
          timer.time('redis: save plan', () => target.savePlan(...args));
      }
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** Chunk of the builder's eth_sendRawTransaction batches: the engine client's default. */
const BUILDER_CHUNK = 500;
/** The largest batch anvil was seen to keep in order (see the "not in arrival order" row). */
const ORDERED_CHUNK = 64;

/**
 * A fresh anvil started exactly like the embedded L2 engine, so that the same raw transactions
 * (same chain id, same fresh nonces) are valid on it block after block: the engine on its own.
 */
class SoloAnvil {
  private constructor(
    private readonly proc: { stop(): Promise<void> },
    private readonly engine: L2Engine,
    /** Transactions per JSON-RPC batch when sending. */
    readonly chunk: number,
  ) {}

  static async start(dir: string, config: SealaneConfig, chunk: number): Promise<SoloAnvil> {
    const { url, proc } = await startAnvil(`anvil-solo-${chunk}`, dir, [
      ...['--chain-id', String(config.L2_CHAIN_ID), '--no-mining', '--order', 'fifo'],
      ...['--gas-limit', String(config.L2_BLOCK_GAS_LIMIT), '--accounts', '10'],
    ]);
    return new SoloAnvil(proc, new L2Engine(url), chunk);
  }

  /** Sends `raws` in batches, mines them into one block; times both, counts reordered txs. */
  async replay(raws: string[]): Promise<{ sendMs: number; mineMs: number; moved: number }> {
    const parent = (await this.engine.getBlock('latest'))!;
    const hashes = raws.map((raw) => toHex(keccak256(fromHex(raw))));
    const calls = raws.map((raw): RpcCall => ['eth_sendRawTransaction', [raw]]);
    const send = await timed(() => this.engine.batch(calls, this.chunk));
    const refused = send.value.filter((r) => !r.ok).length;
    if (refused) throw new Error(`anvil alone refused ${refused} of ${raws.length} txs`);
    const mine = await timed(() => this.engine.mine(Number(parent.timestamp) + 1));
    const mined = (await this.engine.getBlock('latest'))!.transactions.map((h) => h.toLowerCase());
    if (mined.length !== raws.length)
      throw new Error(`anvil alone mined ${mined.length} of ${raws.length} txs`);
    return { sendMs: send.ms, mineMs: mine.ms, moved: hashes.filter((h, i) => mined[i] !== h).length };
  }

  async stop(): Promise<void> {
    await this.engine.close();
    await this.proc.stop();
  }
}

interface Sample {
  sealMs: number;
  /** The stream's look at the lane before the seal (0 when the seal sends the block whole). */
  intakeMs: number;
  soloSendMs: number;
  soloMineMs: number;
  /** Send + mine on anvil alone in batches small enough to keep the order. */
  orderedSendMineMs: number;
  orderedMoved: number;
  phases: Map<string, number>;
  /** The time the seal waited on any I/O (calls that overlapped counted once). */
  waitedMs: number;
  /** Transactions the engine sealed at another position than their arrival order put them. */
  moved: number;
}

/** The V8 profiler of this process (the builder's) switched on around chosen calls only. */
class SealProfiler {
  private session?: Session;
  private profile?: {
    nodes: unknown[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
    endTime: number;
  };

  constructor(private readonly out?: string) {}

  async around<T>(on: boolean, fn: () => Promise<T>): Promise<T> {
    if (!this.out || !on) return fn();
    if (!this.session) {
      this.session = new Session();
      this.session.connect();
      await this.session.post('Profiler.enable');
      await this.session.post('Profiler.setSamplingInterval', { interval: 100 });
    }
    await this.session.post('Profiler.start');
    try {
      return await fn();
    } finally {
      const { profile } = (await this.session.post('Profiler.stop')) as unknown as {
        profile: NonNullable<SealProfiler['profile']>;
      };
      this.merge(profile);
    }
  }

  /** Appends one profile's samples to the ones before, its node ids moved past theirs. */
  private merge(p: NonNullable<SealProfiler['profile']>): void {
    if (!this.profile) {
      this.profile = p;
      return;
    }
    type Node = { id: number; children?: number[] };
    const base = Math.max(...(this.profile.nodes as Node[]).map((x) => x.id));
    for (const node of p.nodes as Node[]) {
      node.id += base;
      node.children = node.children?.map((c) => c + base);
      this.profile.nodes.push(node);
    }
    this.profile.samples.push(...p.samples.map((id) => id + base));
    this.profile.timeDeltas.push(0, ...p.timeDeltas.slice(1));
    this.profile.endTime = p.endTime;
  }

  save(): void {
    if (!this.out || !this.profile) return;
    writeFileSync(this.out, JSON.stringify(this.profile));
    progress(`seal: CPU profile of the streamed 1000-tx seals written to ${this.out}`);
    this.session?.disconnect();
  }
}

/** Sealane with a builder driven by hand, and anvil alone twice over, to replay each block on. */
class SealRig {
  private readonly timer = new PhaseTimer();
  private readonly signer = new TransferSigner();
  /** SEAL_PROFILE=out.cpuprofile: the CPU profile of the streamed 1,000-transfer seals only. */
  readonly profiler = new SealProfiler(process.env.SEAL_PROFILE);
  private readonly redis: SealaneRedis;
  private readonly engine: TimedEngine;
  private readonly lane: TimedLane;
  private readonly builder: Builder;
  /** What the builder logged as an error, in order. */
  readonly builderErrors: string[] = [];

  private constructor(
    private readonly s: Sealane,
    private readonly soloDir: string,
    /** Sent in the builder's batches, and in batches small enough to keep the order. */
    private readonly solo: SoloAnvil,
    private readonly ordered: SoloAnvil,
  ) {
    // A connection of its own, as a builder in its own process would have.
    this.redis = connectRedis(s.devnet.redisUrl);
    const redis = timedRedis(this.redis, this.timer);
    const keys = s.app.get(Keys);
    this.engine = new TimedEngine(s.devnet.l2RpcUrl, this.timer);
    this.lane = new TimedLane(redis, keys, this.timer);
    const logger: BuilderLogger = {
      log: () => undefined,
      warn: () => undefined,
      error: (m) => this.builderErrors.push(m),
    };
    this.builder = new Builder(
      redis,
      keys,
      this.lane,
      s.app.get(ParamsStore),
      this.engine,
      systemClock,
      { id: 'bench', leaseTtlMs: 60_000, blockGasLimit: BigInt(s.config.L2_BLOCK_GAS_LIMIT) },
      {},
      logger,
    );
  }

  static async start(): Promise<SealRig> {
    const s = await startSealane({
      env: {
        // The gateway alone starts the shared parts (Redis, params, engine client) without a
        // builder loop; the builder here is driven by hand so nothing else seals in between.
        COMPONENTS: 'gateway',
        GATEWAY_PORT: '0',
        GENESIS_PARAMS: JSON.stringify({ publicPoolCapacity: POOL_CAPACITY }),
      },
      logger: ['error'],
    });
    const dir = mkdtempSync(join(tmpdir(), 'sealane-bench-'));
    const solos: SoloAnvil[] = [];
    try {
      for (const chunk of [BUILDER_CHUNK, ORDERED_CHUNK])
        solos.push(await SoloAnvil.start(dir, s.config, chunk));
      return new SealRig(s, dir, solos[0], solos[1]);
    } catch (e) {
      await Promise.all(solos.map((x) => x.stop()));
      await s.stop();
      throw e;
    }
  }

  /**
   * Fills the lane with `n` new transfers, seals them, then replays the same block on anvil
   * alone. With `stream`, the builder first streams the lane into the engine as it does while a
   * slot is open, and the seal (the time from the slot's end to its recorded block) sends only
   * what is left; without, the seal sends the block whole.
   */
  async sealOnce(n: number, stream: boolean): Promise<Sample> {
    const txs = this.signer.sign(n);
    // The same step the gateway takes per transaction; auto-pipelining keeps arrival order.
    const chainId = BigInt(L2_CHAIN_ID);
    // The bench signs its own nonces and funds its senders, so the send-time account checks are
    // opened wide: this measures sealing, not intake policy.
    const open = { nonce: 0, balance: 10n ** 30n };
    const limits = { capacity: POOL_CAPACITY, nonceWindow: Number.MAX_SAFE_INTEGER, statusTtlSec: 3600 };
    await Promise.all(
      txs.map((t) => this.lane.add(decodeTransaction(fromHex(t.raw), { chainId }), t.raw, open, limits)),
    );
    const head = await this.engine.blockNumber();
    const parent = (await this.engine.getBlock(head))!;
    const snap = await this.s.app.get(ParamsStore).snapshot(head + 1);
    if (!(await this.builder.lease.tryAcquire()))
      throw new Error('the bench builder could not take the lease');
    const startMs = (Number(parent.timestamp) + 1) * 1000;
    const intake = stream ? await timed(() => this.builder.prefill(head + 1, startMs, snap)) : { ms: 0 };
    this.timer.take();

    const sealed = await this.profiler.around(stream && n >= 1000, () =>
      timed(() => this.builder.seal(head + 1, startMs, snap)),
    );
    const { totals: phases, waitedMs } = this.timer.take();
    // Every transaction must be in the block. Their order is counted, not required: see `moved`.
    const hashes = sealed.value.txHashes;
    const inBlock = new Set(hashes);
    if (hashes.length !== n || txs.some((t) => !inBlock.has(t.hash)))
      throw new Error(`block ${head + 1}: sealed ${hashes.length} txs, not the ${n} in the lane`);

    const alone = await this.solo.replay(sealed.value.txs);
    const small = await this.ordered.replay(sealed.value.txs);
    return {
      sealMs: sealed.ms,
      intakeMs: intake.ms,
      soloSendMs: alone.sendMs,
      soloMineMs: alone.mineMs,
      orderedSendMineMs: small.sendMs + small.mineMs,
      orderedMoved: small.moved,
      phases,
      waitedMs,
      moved: txs.filter((t, i) => hashes[i] !== t.hash).length,
    };
  }

  async stop(): Promise<void> {
    this.profiler.save();
    this.redis.disconnect();
    await Promise.all([this.engine.close(), this.solo.stop(), this.ordered.stop()]);
    rmSync(this.soloDir, { recursive: true, force: true });
    await this.s.stop();
  }
}

function rowsFor(n: number, streamed: Sample[], whole: Sample[], withPhases: boolean): Row[] {
  const of = `median of ${streamed.length}`;
  const seal = median(streamed.map((x) => x.sealMs));
  const sealWhole = median(whole.map((x) => x.sealMs));
  const intake = median(streamed.map((x) => x.intakeMs));
  const all = [...streamed, ...whole];
  const mine = median(all.map((x) => x.soloMineMs));
  const sendMine = median(all.map((x) => x.soloSendMs + x.soloMineMs));
  const ordered = median(all.map((x) => x.orderedSendMineMs));
  progress(
    `seal ${n}: builder ${seal.toFixed(1)} ms streamed, ${sealWhole.toFixed(1)} ms whole; anvil evm_mine ${mine.toFixed(1)} ms, send+mine ${sendMine.toFixed(1)} ms`,
  );
  const rows: Row[] = [
    {
      name: `seal ${n} txs: builder, lane streamed while the slot is open`,
      value: seal,
      unit: 'ms',
      note: `${of}; slot end -> recorded block, what arrived before the end already in the engine`,
    },
    {
      name: `seal ${n} txs: stream intake while the slot is open`,
      value: intake,
      unit: 'ms',
      note: `${of}; lane read, decoded, selected and sent to the engine before the slot ends`,
    },
    {
      name: `seal ${n} txs: builder, block sent whole at the seal`,
      value: sealWhole,
      unit: 'ms',
      note: `${of}; a slot with bundles, commitments or forced txs`,
    },
    { name: `seal ${n} txs: anvil alone, send + evm_mine`, value: sendMine, unit: 'ms', note: of },
    { name: `seal ${n} txs: anvil alone, evm_mine only`, value: mine, unit: 'ms', note: of },
    {
      name: `seal ${n} txs: builder / anvil evm_mine`,
      value: seal / mine,
      unit: 'x',
      note: `streamed; sent whole: ${(sealWhole / mine).toFixed(1)}x`,
    },
    {
      name: `seal ${n} txs: builder sent whole / anvil send + mine`,
      value: sealWhole / sendMine,
      unit: 'x',
      note: `Sealane adds ${(sealWhole - sendMine).toFixed(1)} ms to anvil's own`,
    },
    {
      name: `seal ${n} txs: anvil alone, send in ${ORDERED_CHUNK}s + mine`,
      value: ordered,
      unit: 'ms',
      note: `${of}; ${(ordered / sendMine).toFixed(2)}x batches of ${BUILDER_CHUNK}; ${median(all.map((x) => x.orderedMoved))} txs out of place`,
    },
  ];
  if (!withPhases) return rows;
  // Where the builder's time goes: I/O phases as timed around each call, and the rest.
  for (const [mode, samples, total] of [
    ['streamed', streamed, seal],
    ['whole', whole, sealWhole],
  ] as const) {
    const labels = [...new Set(samples.flatMap((x) => [...x.phases.keys()]))].sort();
    for (const label of labels) {
      const ms = median(samples.map((x) => x.phases.get(label) ?? 0));
      rows.push({
        name: `seal ${n} txs (${mode}), phase: ${label}`,
        value: ms,
        unit: 'ms',
        note: `${((ms / total) * 100).toFixed(0)}% of the seal`,
      });
    }
    const rest = median(samples.map((x) => x.sealMs - x.waitedMs));
    rows.push({
      name: `seal ${n} txs (${mode}), phase: builder JS (decode, select, encode)`,
      value: rest,
      unit: 'ms',
      note: `${((rest / total) * 100).toFixed(0)}% of the seal; the time not spent waiting on I/O (I/O that overlaps counts once: the phases above can add up to more than the seal)`,
    });
  }
  return rows;
}

export async function benchSeal(): Promise<Row[]> {
  const rig = await SealRig.start();
  try {
    const rows: Row[] = [];
    const moved: string[] = [];
    let blocks = 0;
    for (const { txs: n, reps } of SIZES) {
      // Warm-up (JIT on both sides, anvil's first big block), then both ways in turn. A
      // builder seals a block every slot: its code runs hot, as after a few seals here.
      for (let i = 0; i < WARMUP_SEALS; i++) {
        await rig.sealOnce(n, true);
        await rig.sealOnce(n, false);
      }
      const streamed: Sample[] = [];
      const whole: Sample[] = [];
      for (let rep = 0; rep < reps; rep++) {
        streamed.push(await rig.sealOnce(n, true));
        whole.push(await rig.sealOnce(n, false));
      }
      blocks += 2 * (reps + WARMUP_SEALS);
      const all = [...streamed, ...whole];
      moved.push(`${n}-tx blocks: median ${median(all.map((x) => x.moved))} txs out of place`);
      // Phases for the largest block only, to keep the table short.
      rows.push(...rowsFor(n, streamed, whole, n === SIZES[SIZES.length - 1].txs));
    }
    // The builder logs an order mismatch and carries on; anything else it logs is a failure.
    const orderErrors = rig.builderErrors.filter((m) => m.includes('differs from the intended order'));
    const other = rig.builderErrors.find((m) => !orderErrors.includes(m));
    if (other) throw new Error(`builder reported: ${other}`);
    rows.push({
      name: 'seal: blocks not in arrival order',
      value: orderErrors.length,
      unit: 'blocks',
      note: `of ${blocks} sealed; ${moved.join(', ')}`,
    });
    return rows;
  } finally {
    await rig.stop();
  }
}
