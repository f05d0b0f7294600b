/**
 * The soak's processes: redis-server, two anvils and the Sealane components, each a separate OS
 * process with a size-capped log, restartable on the same port and data folder, and all killed
 * (and the data folder removed) when the soak ends, fails or is interrupted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { anvilBinary, freePort, redisBinary } from '@sealane/embedded';
import { getAddress } from 'ethers';
import { anvilGenesisArgs, devGenesis, gethGenesisJson, type GenesisConfig } from '@sealane/engine';

/** Bytes of output kept per process start; the rest is dropped (a past run filled the disk). */
const LOG_CAP_BYTES = 8 * 1024 * 1024;

export const MAIN = join(__dirname, '..', '..', 'apps', 'sealane', 'src', 'main.js');

export interface Proc {
  name: string;
  child: ChildProcess;
  /** Resolves when the process has exited (any way). */
  exited: Promise<void>;
  /** Exit code or signal, once exited. */
  exit(): string | null;
}

const live = new Set<ChildProcess>();

/** Spawns a process whose stdout and stderr go to `log`, truncated at LOG_CAP_BYTES. */
export function startProc(
  name: string,
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  log: string,
): Proc {
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const fd = openSync(log, 'a');
  let written = 0;
  let closed = false;
  const sink = (d: Buffer) => {
    if (closed || written >= LOG_CAP_BYTES) return;
    const part = d.subarray(0, LOG_CAP_BYTES - written);
    writeSync(fd, part);
    written += part.length;
    if (written >= LOG_CAP_BYTES) writeSync(fd, `\n[soak] log capped at ${LOG_CAP_BYTES} bytes\n`);
  };
  child.stdout!.on('data', sink);
  child.stderr!.on('data', sink);
  live.add(child);
  let status: string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      status = signal ?? `exit ${code}`;
      live.delete(child);
      if (!closed) {
        closed = true;
        // Drain what is buffered before closing the file.
        setTimeout(() => closeSync(fd), 200);
      }
      resolve();
    }),
  );
  return { name, child, exited, exit: () => status };
}

export async function kill(p: Proc | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!p || p.exit() !== null) return;
  p.child.kill(signal);
  const t = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await p.exited;
  clearTimeout(t);
}

/** SIGKILLs every process still running: the last resort on failure, Ctrl-C or exit. */
export function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
}

async function until(what: string, p: Proc, probe: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (p.exit() !== null) throw new Error(`${p.name} exited (${p.exit()}) while starting`);
    try {
      if (await probe()) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function rpcCall<T>(
  url: string,
  method: string,
  params: unknown[] = [],
  timeoutMs = 10_000,
): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const r = (await res.json()) as { result?: T; error?: { code: number; message: string } };
  if (r.error) throw new Error(`${method}: ${r.error.message} (code ${r.error.code})`);
  return r.result as T;
}

/** One JSON-RPC batch; answers in request order (null results for errors). */
export async function rpcBatch<T>(
  url: string,
  calls: [string, unknown[]][],
  timeoutMs = 30_000,
): Promise<(T | null)[]> {
  const out: (T | null)[] = [];
  for (let i = 0; i < calls.length; i += 500) {
    const chunk = calls.slice(i, i + 500);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chunk.map(([method, params], j) => ({ jsonrpc: '2.0', id: j, method, params }))),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const rs = (await res.json()) as { id: number; result?: T; error?: { message: string } }[];
    if (!Array.isArray(rs)) throw new Error(`batch answered ${JSON.stringify(rs).slice(0, 200)}`);
    const byId = new Map(rs.map((r) => [r.id, r]));
    for (let j = 0; j < chunk.length; j++) {
      const r = byId.get(j);
      if (!r || r.error) throw new Error(`${chunk[j][0]}: ${r?.error?.message ?? 'no answer'}`);
      out.push(r.result ?? null);
    }
  }
  return out;
}

export interface Infra {
  dir: string;
  redisPort: number;
  redisUrl: string;
  l2Url: string;
  l1Url: string;
  redis?: Proc;
  l2?: Proc;
  l1?: Proc;
  /** The L2 genesis (set by startAnvils): a restarted engine starts from it again. */
  genesis?: GenesisConfig;
}

export async function newInfra(dir: string): Promise<Infra> {
  mkdirSync(join(dir, 'redis'), { recursive: true });
  const redisPort = await freePort();
  const l2Port = await freePort();
  const l1Port = await freePort();
  return {
    dir,
    redisPort,
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    l2Url: `http://127.0.0.1:${l2Port}`,
    l1Url: `http://127.0.0.1:${l1Port}`,
  };
}

/**
 * Redis with AOF and `appendfsync always`: an acknowledgement is then on disk before it is
 * answered, so a Redis SIGKILL may lose nothing that was acknowledged, and the soak can hold the
 * system to "no acknowledged item lost". (With the default `everysec`, a kill may drop up to a
 * second of acknowledged writes: that loss would be Redis' documented trade-off, not a Sealane bug.)
 */
export async function startRedis(infra: Infra): Promise<void> {
  const args = ['--port', String(infra.redisPort), '--bind', '127.0.0.1', '--dir', join(infra.dir, 'redis')];
  args.push(
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--save',
    '',
    '--daemonize',
    'no',
    '--logfile',
    '',
  );
  const p = startProc('redis', redisBinary(), args, process.env, join(infra.dir, 'redis.log'));
  infra.redis = p;
  await until('redis', p, async () => {
    const r = new Redis(infra.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    r.on('error', () => undefined);
    try {
      await r.connect();
      // Loading the AOF answers LOADING to commands: wait until it is done.
      return (await r.ping()) === 'PONG' && (await r.exists('__soak_probe__')) >= 0;
    } finally {
      r.disconnect();
    }
  });
}

const port = (u: string) => new URL(u).port;

/** The L2 engine as Sealane embeds it, from the soak's genesis: no mining of its own, FIFO. */
export async function startL2(infra: Infra): Promise<void> {
  const file = join(infra.dir, 'anvil-genesis.json');
  writeFileSync(file, gethGenesisJson(infra.genesis!));
  const args = ['--host', '127.0.0.1', '--port', port(infra.l2Url), ...anvilGenesisArgs(file)];
  infra.l2 = startProc('anvil-l2', anvilBinary(), args, process.env, join(infra.dir, 'anvil-l2.log'));
  await until(
    'anvil-l2',
    infra.l2,
    async () => (await rpcCall<string>(infra.l2Url, 'eth_chainId', [], 2000)) !== undefined,
  );
}

/** The two anvils; `funded` accounts get 1,000 ETH each in the L2 genesis, beside the dev accounts. */
export async function startAnvils(
  infra: Infra,
  l2ChainId: number,
  l2GasLimit: number,
  funded: readonly string[] = [],
): Promise<void> {
  const bin = anvilBinary();
  const genesis = devGenesis({
    chainId: l2ChainId,
    gasLimit: l2GasLimit,
    timestamp: Math.floor(Date.now() / 1000),
  });
  for (const a of funded) genesis.alloc[getAddress(a)] = { balance: (1000n * 10n ** 18n).toString() };
  infra.genesis = genesis;
  await startL2(infra);
  const l1Args = [
    '--host',
    '127.0.0.1',
    '--port',
    port(infra.l1Url),
    '--chain-id',
    '31337',
    '--block-time',
    '1',
  ];
  // Anvil logs every RPC call at info level: its output is capped by startProc.
  infra.l1 = startProc(
    'anvil-l1',
    bin,
    [...l1Args, '--accounts', '10'],
    process.env,
    join(infra.dir, 'anvil-l1.log'),
  );
  await until(
    'anvil-l1',
    infra.l1,
    async () => (await rpcCall<string>(infra.l1Url, 'eth_chainId', [], 2000)) !== undefined,
  );
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
