/**
 * A replica: a fresh engine started from the genesis L1 published, fed every batch L1 holds,
 * checked rule by rule (derive.ts). `step()` reads what L1 added since the last step, so the
 * same object is the one-shot check (`verify --derive`) and the live follower (`sealane
 * replica`). Once it diverges it stops deriving and keeps the divergence.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider } from 'ethers';
import { startAnvil, type ManagedProcess } from '@sealane/embedded';
import { anvilGenesisArgs, gethGenesisJson, L2Engine, type GenesisConfig } from '@sealane/engine';
import { Deriver, type DeriveOptions, type Divergence } from './derive';
import { checkEvidence, rpcSlotData } from './evidence';
import { L1Source, type L1Batch } from './l1-source';

export interface ReplicaOptions {
  l1RpcUrl: string;
  inboxAddress: string;
  /** L1 block to read Inbox events from (its deployment block); default 0. */
  fromBlock?: number;
  /** Use this genesis instead of the published one (its block 0 must still match the Inbox's). */
  genesis?: GenesisConfig;
  /** Where the replica's engine keeps its log; default a temporary folder, removed on stop. */
  dataDir?: string;
  maxLogBytes?: number;
  checkBlock?: DeriveOptions['checkBlock'];
  /**
   * The sequencer's gateway: each block's ordering evidence is checked against the slot data it
   * publishes (evidence.ts). Without it, only what L1 holds is checked.
   */
  sequencerUrl?: string;
  /** Called after each batch applied. */
  onBatch?: (b: L1Batch, r: ReplicaReport) => void;
}

export interface ReplicaReport {
  ok: boolean;
  /** L1 block read up to. */
  l1Block: number;
  batches: number;
  blocks: number;
  transactions: number;
  /** The replica's head: the last block re-executed and checked. */
  head: number;
  genesisHash: string;
  divergence?: Divergence;
  forced: { queued: number; included: number; dropped: number };
  /** Time spent deriving (reading L1 and re-executing), ms. */
  deriveMs: number;
}

export class ReplicaStartError extends Error {
  override readonly name = 'ReplicaStartError';
}

export class Replica {
  private cursor: number;
  private divergence?: Divergence;
  private deriveMs = 0;

  private constructor(
    readonly engineUrl: string,
    private readonly engine: L2Engine,
    private readonly source: L1Source,
    private readonly deriver: Deriver,
    private readonly genesisHash: string,
    private readonly l1: JsonRpcProvider,
    private readonly proc: ManagedProcess,
    private readonly dir: { path: string; temp: boolean },
    private readonly o: ReplicaOptions,
  ) {
    this.cursor = (o.fromBlock ?? 0) - 1;
  }

  /** Reads the genesis from L1, starts a fresh engine from it and checks its block 0. */
  static async start(o: ReplicaOptions): Promise<Replica> {
    const l1 = new JsonRpcProvider(o.l1RpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const source = new L1Source(l1, o.inboxAddress);
    let genesis: GenesisConfig;
    let hash: string;
    try {
      const published = await source.genesis(o.fromBlock ?? 0);
      hash = published.hash;
      if (!o.genesis && !published.config)
        throw new ReplicaStartError(`cannot start from L1: ${published.problem} (give the genesis file)`);
      genesis = o.genesis ?? published.config!;
    } catch (e) {
      l1.destroy();
      throw e;
    }
    const temp = o.dataDir === undefined;
    const path = o.dataDir ?? mkdtempSync(join(tmpdir(), 'sealane-replica-'));
    const file = join(path, 'replica-genesis.json');
    writeFileSync(file, gethGenesisJson(genesis));
    let proc: ManagedProcess | undefined;
    try {
      const started = await startAnvil('anvil-replica', path, anvilGenesisArgs(file), undefined, {
        maxLogBytes: o.maxLogBytes,
      });
      proc = started.proc;
      const engine = new L2Engine(started.url);
      const block0 = await engine.getBlock(0);
      if (block0?.hash.toLowerCase() !== hash.toLowerCase()) {
        await engine.close();
        throw new ReplicaStartError(
          `the genesis gives block 0 ${block0?.hash}, the Inbox's genesis hash is ${hash}`,
        );
      }
      const src = o.sequencerUrl ? rpcSlotData(o.sequencerUrl) : undefined;
      const checkBlock: DeriveOptions['checkBlock'] = async (block, ctx) =>
        (src
          ? await checkEvidence(
              block,
              ctx.sealed.transactions.map((h) => h.toLowerCase()),
              ctx.forced,
              src,
            )
          : null) ?? (o.checkBlock ? await o.checkBlock(block, ctx) : null);
      const deriver = new Deriver(engine, { chainId: BigInt(genesis.chainId), checkBlock });
      return new Replica(started.url, engine, source, deriver, hash, l1, proc, { path, temp }, o);
    } catch (e) {
      await proc?.stop();
      l1.destroy();
      if (temp) rmSync(path, { recursive: true, force: true });
      throw e;
    }
  }

  /** Derives what L1 holds up to its head now; stops at the first divergence. */
  async step(): Promise<ReplicaReport> {
    if (this.divergence) return this.report();
    const t0 = performance.now();
    const to = await this.source.head();
    if (to > this.cursor) {
      const { batches, forced } = await this.source.read(this.cursor + 1, to);
      this.deriver.addForced(forced);
      for (const b of batches) {
        const d = await this.deriver.apply(b);
        if (d) {
          this.divergence = d;
          break;
        }
        this.o.onBatch?.(b, this.report());
      }
      this.cursor = to;
    }
    this.deriveMs += performance.now() - t0;
    return this.report();
  }

  report(): ReplicaReport {
    const forced = this.deriver.forcedTxs();
    return {
      ok: this.divergence === undefined,
      l1Block: this.cursor,
      batches: this.deriver.nextSeq,
      blocks: this.deriver.blocks,
      transactions: this.deriver.transactions,
      head: this.deriver.nextBlock - 1,
      genesisHash: this.genesisHash,
      ...(this.divergence ? { divergence: this.divergence } : {}),
      forced: {
        queued: forced.length,
        included: forced.filter((f) => f.includedAt !== undefined).length,
        dropped: forced.filter((f) => f.droppedAt !== undefined).length,
      },
      deriveMs: Math.round(this.deriveMs),
    };
  }

  async stop(): Promise<void> {
    await this.engine.close();
    await this.proc.stop();
    this.l1.destroy();
    if (this.dir.temp) rmSync(this.dir.path, { recursive: true, force: true });
  }
}

/** The one-shot form: a fresh replica derives everything on L1 once and stops. */
export async function deriveChain(o: ReplicaOptions): Promise<ReplicaReport> {
  const replica = await Replica.start(o);
  try {
    return await replica.step();
  } finally {
    await replica.stop();
  }
}

/** The report as a few lines for a terminal. */
export function formatReplicaReport(r: ReplicaReport): string[] {
  const range = r.blocks === 0 ? 'no blocks' : `blocks 1..${r.head}`;
  const lines = [
    r.ok
      ? `derive OK: ${r.batches} batches, ${r.blocks} blocks (${range}), ${r.transactions} transactions re-executed from L1 alone; every block hash and state root matches`
      : `derive FAILED at block ${r.divergence!.block} (batch ${r.divergence!.batch}): ${r.divergence!.reason}`,
    `  read L1 up to block ${r.l1Block}; genesis ${r.genesisHash}; forced transactions ${r.forced.queued} (${r.forced.included} included, ${r.forced.dropped} dropped)`,
  ];
  if (!r.ok) lines.push(`  blocks 1..${r.head} before it match`);
  return lines;
}
