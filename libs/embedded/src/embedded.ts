/**
 * The embedded devnet: whatever the settings leave unset (Redis, the L2 engine, L1, the Inbox)
 * Sealane starts itself — used alike by `npm start`, the demo, the benchmarks and the tests.
 * It must never start anything for a part whose URL the operator gave.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import Redis from 'ioredis';
import type { SealaneConfig } from '@sealane/config';
import { deployInbox } from '@sealane/contracts';
import {
  anvilGenesisArgs,
  decodeGenesis,
  devGenesis,
  encodeGenesis,
  gethGenesisJson,
  L2Engine,
  type GenesisConfig,
} from '@sealane/engine';
import {
  assertPortFree,
  EmbeddedStartError,
  findOnPath,
  freePort,
  startProcess,
  waitReady,
  type ManagedProcess,
} from './processes';
import { superviseL2, type SupervisedL2 } from './supervise';

export interface Devnet {
  redisUrl: string;
  l2RpcUrl: string;
  l1RpcUrl: string;
  inboxAddress: string;
  /** The L2 genesis the embedded engine started from; null for an engine Sealane did not start. */
  genesis: GenesisConfig | null;
  /** Where embedded parts keep data and logs: DATA_DIR, a temporary folder, or '' (none embedded). */
  dataDir: string;
  /** True when Sealane created `dataDir` (no DATA_DIR given): a clean stop removes it. */
  tempDataDir: boolean;
  /** What this devnet started itself, e.g. ['redis', 'l2', 'l1', 'inbox']. */
  started: string[];
  /** The pid of an embedded part's binary (its current one: the L2 engine is restarted when it dies). */
  pid(part: 'redis' | 'l2' | 'l1'): number | undefined;
  /** How often the embedded L2 engine died and was started again. */
  l2Restarts(): number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Where the devnet says what it does on its own (an engine restart); default stderr. */
  log?: (line: string) => void;
  /** L1 block time in seconds for the embedded L1 (default 1). */
  l1BlockTime?: number;
  /** Extra anvil args for the L2 engine. */
  l2Args?: string[];
}

/** How the embedded children log: anvil's per-call lines only when asked, every file bounded. */
export interface EmbeddedLogOptions {
  maxLogBytes?: number;
  /** anvil logs every RPC call at info (and RUST_LOG cannot lower that); false passes --quiet. */
  anvilLogs?: boolean;
}

export function anvilBinary(): string {
  const pkg = `@foundry-rs/anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;
  try {
    const dir = require.resolve(`${pkg}/package.json`).replace(/package\.json$/, '');
    const bin = join(dir, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
    if (existsSync(bin)) return bin;
  } catch {
    /* fall through */
  }
  const onPath = findOnPath('anvil');
  if (onPath) return onPath;
  throw new EmbeddedStartError(`anvil binary not found: install dependencies with "npm ci" (package ${pkg})`);
}

export function redisBinary(dirs?: string[]): string {
  const bin = findOnPath('redis-server', dirs);
  if (!bin) {
    throw new EmbeddedStartError(
      'redis-server not found: install it (Debian: apt-get install redis-server) or set REDIS_URL to a running Redis',
    );
  }
  return bin;
}

async function rpcReady(url: string): Promise<boolean> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
  });
  return res.ok;
}

export async function startRedis(
  dataDir: string,
  port?: number,
  logOpts: EmbeddedLogOptions = {},
): Promise<{ url: string; proc: ManagedProcess }> {
  const bin = redisBinary();
  const p = port ?? (await freePort());
  await assertPortFree(p, 'redis-server');
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const log = join(dataDir, 'redis.log');
  // AOF on, fsync every second: acknowledged writes survive a crash of any Sealane process.
  const args = ['--port', String(p), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes'];
  args.push('--appendfsync', 'everysec', '--save', '', '--daemonize', 'no', '--logfile', '');
  const proc = startProcess('redis-server', bin, args, log, { maxLogBytes: logOpts.maxLogBytes });
  const url = `redis://127.0.0.1:${p}`;
  await waitReady(
    proc,
    async () => {
      const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined); // not up yet: the probe's rejection says so
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } finally {
        r.disconnect();
      }
    },
    log,
  );
  return { url, proc };
}

export async function startAnvil(
  name: string,
  dataDir: string,
  args: string[],
  port?: number,
  logOpts: EmbeddedLogOptions = {},
): Promise<{ url: string; proc: ManagedProcess }> {
  const bin = anvilBinary();
  const p = port ?? (await freePort());
  await assertPortFree(p, name);
  const log = join(dataDir, `${name}.log`);
  const quiet = logOpts.anvilLogs ? [] : ['--quiet'];
  const proc = startProcess(name, bin, ['--host', '127.0.0.1', '--port', String(p), ...quiet, ...args], log, {
    maxLogBytes: logOpts.maxLogBytes,
  });
  const url = `http://127.0.0.1:${p}`;
  await waitReady(proc, () => rpcReady(url), log);
  return { url, proc };
}

/**
 * The genesis of the embedded engine: GENESIS_FILE, else the one kept in the data folder (a
 * restart under the same DATA_DIR keeps its chain), else a devnet genesis at this second.
 */
export function embeddedGenesis(config: SealaneConfig, dataDir: string): GenesisConfig {
  const kept = join(dataDir, 'genesis.json');
  const file = config.GENESIS_FILE ?? (existsSync(kept) ? kept : null);
  let genesis: GenesisConfig;
  if (file) {
    try {
      genesis = decodeGenesis(readFileSync(file));
    } catch (e: unknown) {
      throw new EmbeddedStartError(`genesis ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else {
    genesis = devGenesis({
      chainId: config.L2_CHAIN_ID,
      gasLimit: config.L2_BLOCK_GAS_LIMIT,
      timestamp: Math.floor(Date.now() / 1000),
    });
  }
  if (genesis.chainId !== config.L2_CHAIN_ID)
    throw new EmbeddedStartError(
      `genesis ${file} has chain id ${genesis.chainId} but L2_CHAIN_ID is ${config.L2_CHAIN_ID}`,
    );
  writeFileSync(kept, encodeGenesis(genesis));
  return genesis;
}

/** Starts what the config leaves unset and returns where everything is. */
export async function startEmbedded(config: SealaneConfig, opts: EmbeddedOptions = {}): Promise<Devnet> {
  // With every part given, nothing is embedded and no folder is made up (a process killed by
  // SIGKILL, as supervisors and the soak do, would leave an empty one behind each time).
  const embeds = !config.REDIS_URL || !config.L2_RPC_URL || !config.L1_RPC_URL;
  const tempDataDir = !config.DATA_DIR && embeds;
  const dataDir = config.DATA_DIR ?? (embeds ? mkdtempSync(join(tmpdir(), 'sealane-')) : '');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const procs: ManagedProcess[] = [];
  const parts: { l2?: SupervisedL2; redis?: ManagedProcess; l1?: ManagedProcess } = {};
  const started: string[] = [];
  const logOpts: EmbeddedLogOptions = {
    maxLogBytes: config.EMBEDDED_LOG_MAX_BYTES,
    anvilLogs: config.EMBEDDED_ANVIL_LOGS,
  };
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await Promise.all(procs.reverse().map((p) => p.stop()));
      // A folder the operator named is theirs to keep; one Sealane made up is removed.
      if (tempDataDir) rmSync(dataDir, { recursive: true, force: true });
    })());
  try {
    let redisUrl = config.REDIS_URL;
    if (!redisUrl) {
      const r = await startRedis(dataDir, undefined, logOpts);
      procs.push(r.proc);
      parts.redis = r.proc;
      redisUrl = r.url;
      started.push('redis');
    }
    let l2RpcUrl = config.L2_RPC_URL;
    let genesis: GenesisConfig | null = null;
    if (!l2RpcUrl) {
      genesis = embeddedGenesis(config, dataDir);
      const gethFile = join(dataDir, 'anvil-genesis.json');
      writeFileSync(gethFile, gethGenesisJson(genesis));
      const l2Args = [...anvilGenesisArgs(gethFile), ...(opts.l2Args ?? [])];
      const l2 = await superviseL2(
        (port) => startAnvil('anvil-l2', dataDir, l2Args, port, logOpts),
        opts.log ?? ((line) => process.stderr.write(`${new Date().toISOString()} embedded: ${line}\n`)),
      );
      procs.push(l2.proc);
      parts.l2 = l2;
      l2RpcUrl = l2.url;
      started.push('l2');
    }
    let l1RpcUrl = config.L1_RPC_URL;
    if (!l1RpcUrl) {
      const l1 = await startAnvil(
        'anvil-l1',
        dataDir,
        [
          '--chain-id',
          String(config.L1_CHAIN_ID),
          '--block-time',
          String(opts.l1BlockTime ?? 1),
          '--accounts',
          '10',
        ],
        undefined,
        logOpts,
      );
      procs.push(l1.proc);
      parts.l1 = l1.proc;
      l1RpcUrl = l1.url;
      started.push('l1');
    }
    let inboxAddress = config.INBOX_ADDRESS;
    if (!inboxAddress) {
      const provider = new JsonRpcProvider(l1RpcUrl, undefined, {
        staticNetwork: true,
        pollingInterval: 100,
      });
      const poster = new Wallet(config.POSTER_PRIVATE_KEY, provider);
      const engine = new L2Engine(l2RpcUrl);
      const genesisBlock = await engine.getBlock(0);
      await engine.close();
      if (!genesisBlock) throw new EmbeddedStartError(`the L2 engine at ${l2RpcUrl} has no genesis block`);
      // The genesis block (0) is the engine's own; the first batch starts at L2 block 1.
      inboxAddress = await deployInbox(new NonceManager(poster), {
        poster: poster.address,
        firstBlock: 1n,
        genesisHash: genesisBlock.hash,
        genesisConfig: genesis ? encodeGenesis(genesis) : new Uint8Array(),
      });
      provider.destroy();
      started.push('inbox');
    }
    const pid = (part: 'redis' | 'l2' | 'l1') =>
      part === 'l2' ? parts.l2?.current().child.pid : parts[part]?.child.pid;
    return {
      redisUrl,
      l2RpcUrl,
      l1RpcUrl,
      inboxAddress,
      genesis,
      dataDir,
      tempDataDir,
      started,
      pid,
      l2Restarts: () => parts.l2?.restarts() ?? 0,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
