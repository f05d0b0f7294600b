/**
 * The whole Sealane pipeline for one slot setting, each part its own OS process: the embedded
 * devnet's Redis and two anvils (@sealane/embedded: watchdogs, bounded logs, anvil --quiet) from a
 * genesis that funds the load's funders, searchers and users, then one gateway, one builder and one poster started
 * from dist/ with the soak's process helpers (bench/soak/procs.ts: logs capped). The builder and
 * the poster serve /metrics on ports of their own; every sealed block's arrival on the event bus
 * is timestamped here.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAddress } from 'ethers';
import Redis from 'ioredis';
import { loadConfig } from '@sealane/config';
import { freePort, startEmbedded, type Devnet } from '@sealane/embedded';
import { devGenesis, encodeGenesis } from '@sealane/engine';
import { EVENTS, type BlockSealedEvent } from '@sealane/store';
import { kill, killAll, MAIN, rpcCall, startProc, type Proc } from '../soak/procs';
import { L2_CHAIN_ID, progress } from '../support';
import { cpuSeconds, scrape, selfCpuSeconds } from './metrics';
import { epochMs } from './senders';

const PREFIX = 'sustained';
/** Bound of each embedded child's log (redis, anvils); the components' logs are capped by startProc. */
const LOG_MAX_BYTES = 4 * 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PipelineOptions {
  slotMs: number;
  gasLimit: number;
  /** Accounts given 1,000,000 ETH each in the L2 genesis (funders, searchers, users: a few dozen). */
  funded: string[];
}

/** The genesis parameters of a run: room for the load, windows that fit the slot (as the soak sets them). */
export function genesisParams(slotMs: number): Record<string, number> {
  const closeOffset = Math.min(1000, Math.floor(slotMs * 0.4));
  return {
    slotMs,
    publicPoolCapacity: 1_000_000,
    publicLaneMaxTxs: 20_000,
    auctionCloseOffsetMs: closeOffset,
    revealWindowMs: Math.floor(closeOffset * 0.6),
    batchMaxDelayMs: Math.max(1000, 4 * slotMs),
  };
}

export interface SealedBlock {
  /** Epoch ms at which its block.sealed event arrived here. */
  at: number;
  txCount: number;
}

export class Pipeline {
  readonly blocks = new Map<number, SealedBlock>();
  head = 0;
  private sub?: Redis;
  private readonly procs: Proc[] = [];

  private constructor(
    readonly dir: string,
    readonly devnet: Devnet,
    readonly gateway: string,
    readonly builderMetrics: string,
    readonly posterMetrics: string,
  ) {}

  static async start(o: PipelineOptions): Promise<Pipeline> {
    const dir = mkdtempSync(join(tmpdir(), 'sealane-sustained-'));
    active.add(dir);
    let devnet: Devnet | undefined;
    try {
      const genesis = devGenesis({
        chainId: L2_CHAIN_ID,
        gasLimit: o.gasLimit,
        timestamp: Math.floor(Date.now() / 1000),
      });
      for (const a of o.funded) genesis.alloc[getAddress(a)] = { balance: (10n ** 24n).toString() };
      const genesisFile = join(dir, 'genesis.json');
      writeFileSync(genesisFile, encodeGenesis(genesis));
      mkdirSync(join(dir, 'devnet'));
      const config = loadConfig({
        DATA_DIR: join(dir, 'devnet'),
        GENESIS_FILE: genesisFile,
        L2_BLOCK_GAS_LIMIT: String(o.gasLimit),
        EMBEDDED_LOG_MAX_BYTES: String(LOG_MAX_BYTES),
      });
      devnet = await startEmbedded(config, { log: (l) => progress(`devnet: ${l}`) });
      const ports = await Promise.all([freePort(), freePort(), freePort()]);
      const p = new Pipeline(
        dir,
        devnet,
        `http://127.0.0.1:${ports[0]}`,
        `http://127.0.0.1:${ports[1]}`,
        `http://127.0.0.1:${ports[2]}`,
      );
      await p.startComponents(o, ports);
      return p;
    } catch (e) {
      killAll();
      // The folder goes: say what the components said first.
      for (const name of ['gateway', 'builder', 'poster']) {
        const log = tail(join(dir, `${name}.log`));
        if (log) progress(`sustained: the ${name}'s last words:\n${log}`);
      }
      await devnet?.stop();
      removeDir(dir);
      throw e;
    }
  }

  private async startComponents(o: PipelineOptions, [gw, builder, poster]: number[]): Promise<void> {
    const d = this.devnet;
    const shared = {
      KEY_PREFIX: PREFIX,
      REDIS_URL: d.redisUrl,
      L2_RPC_URL: d.l2RpcUrl,
      L1_RPC_URL: d.l1RpcUrl,
      INBOX_ADDRESS: d.inboxAddress,
      GENESIS_PARAMS: JSON.stringify(genesisParams(o.slotMs)),
      L2_BLOCK_GAS_LIMIT: String(o.gasLimit),
      LOG_LEVEL: 'warn',
    };
    this.sub = new Redis(d.redisUrl, { maxRetriesPerRequest: 2 });
    this.sub.on('error', () => undefined);
    await this.sub.subscribe(EVENTS.blockSealed);
    this.sub.on('message', (channel: string, message: string) => {
      const at = epochMs();
      const { data } = JSON.parse(message) as { data: BlockSealedEvent };
      if (channel !== EVENTS.blockSealed || data.prefix !== PREFIX) return;
      this.blocks.set(data.number, { at, txCount: data.txCount });
      this.head = Math.max(this.head, data.number);
    });
    const start = (name: string, env: Record<string, string>) => {
      const proc = startProc(
        name,
        process.execPath,
        [MAIN],
        { ...process.env, ...shared, ...env },
        join(this.dir, `${name}.log`),
      );
      this.procs.push(proc);
      return proc;
    };
    const gateway = start('gateway', { COMPONENTS: 'gateway', GATEWAY_PORT: String(gw) });
    await until(
      gateway,
      'the gateway',
      async () => (await rpcCall<string>(this.gateway, 'eth_chainId', [], 2000)) !== null,
    );
    const b = start('builder', { COMPONENTS: 'builder', METRICS_PORT: String(builder) });
    const p = start('poster', { COMPONENTS: 'poster', METRICS_PORT: String(poster) });
    await until(b, 'the first sealed block', async () => this.head >= 1);
    await until(p, "the poster's metrics", async () => (await scrape(this.posterMetrics)).length > 0);
  }

  /** CPU seconds used so far by each process, by name. */
  cpu(): Map<string, number> {
    const out = new Map<string, number>();
    for (const p of this.procs) out.set(p.name, cpuSeconds(p.child.pid));
    out.set('redis', cpuSeconds(this.devnet.pid('redis')));
    out.set('L2 anvil', cpuSeconds(this.devnet.pid('l2')));
    out.set('L1 anvil', cpuSeconds(this.devnet.pid('l1')));
    out.set('bench', selfCpuSeconds());
    return out;
  }

  /** A component that died on its own makes every figure after it meaningless: say so. */
  assertAlive(): void {
    const dead = this.procs.find((p) => p.exit() !== null);
    if (dead)
      throw new Error(`${dead.name} exited (${dead.exit()}); its log: ${join(this.dir, `${dead.name}.log`)}`);
  }

  async stop(): Promise<void> {
    this.sub?.disconnect();
    await Promise.all(this.procs.map((p) => kill(p, 'SIGTERM')));
    await this.devnet.stop();
    removeDir(this.dir);
  }
}

function tail(file: string, bytes = 2000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-bytes).trim();
  } catch {
    return '';
  }
}

async function until(p: Proc, what: string, probe: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (p.exit() !== null) throw new Error(`${p.name} exited (${p.exit()}) before ${what}`);
    try {
      if (await probe()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Data folders of pipelines not yet stopped, removed on exit however the run ends. */
const active = new Set<string>();

function removeDir(dir: string): void {
  active.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Until the returned function is called: on SIGINT or SIGTERM every child is killed and every
 * data folder removed, then the process exits; on exit (an uncaught error included) the same.
 * The embedded devnet's watchdogs stop Redis and the anvils once this process is gone.
 */
export function cleanUpOnExit(): () => void {
  const onExit = () => {
    killAll();
    for (const d of [...active]) removeDir(d);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    progress(`sustained: ${sig}: stopping every process and removing the data folders`);
    onExit();
    process.exit(130);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
