/**
 * Stopping `npm start` as a supervisor does: SIGTERM to node (and to the npm wrapper) stops
 * everything in order and exits 0; SIGKILL of node still takes its embedded children with it.
 * Each run is the built binary in its own OS process with its embedded redis and anvils.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, descendants, executable, waitFor } from './support/pids';
import { loadConfig } from '@sealane/config';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import { spawnSealane, type Component } from './support/processes';

const ROOT = join(__dirname, '..');

/** The redis-server and anvil pids under `root`: what must not outlive it. */
function embeddedPids(root: number): number[] {
  return descendants(root).filter((p) => /^(redis-server|anvil)$/.test(executable(p)));
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Waits until it sealed a block with everything embedded up, and returns the embedded pids. */
async function running(pid: number, output: () => string): Promise<number[]> {
  await waitFor('a sealed block', () => /sealed block \d+/.test(output()), 90_000);
  const pids = embeddedPids(pid);
  expect(pids.map(executable).sort()).toEqual(['anvil', 'anvil', 'redis-server']);
  return pids;
}

const dataDirOf = (output: string) => /data: (\S+)/.exec(output)?.[1];

describe('stopping npm start', () => {
  const env = { GATEWAY_PORT: '0', LOG_LEVEL: 'log', POSTER_POLL_MS: '1000' };
  const leftovers: string[] = [];
  const started: ChildProcess[] = [];
  afterEach(async () => {
    // A failed test must not leave a sequencer running; its watchdogs then stop the children.
    for (const c of started.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  });
  afterAll(() => {
    for (const d of leftovers) rmSync(d, { recursive: true, force: true });
  });

  it('SIGTERM to node stops it in order, exits 0, leaves no child and removes its temp DATA_DIR', async () => {
    const s = spawnSealane(env);
    started.push(s.child);
    const pids = await running(s.child.pid!, s.output);
    const dataDir = dataDirOf(s.output())!;
    expect(dataDir).toContain('sealane-');
    expect(existsSync(dataDir)).toBe(true);
    s.child.kill('SIGTERM');
    const { code } = await exited(s.child);
    if (code !== 0) leftovers.push(dataDir);
    expect(s.output()).not.toContain('Connection is closed');
    expect(code).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('SIGKILL of node takes its redis and anvils with it', async () => {
    const s = spawnSealane(env);
    started.push(s.child);
    const pids = await running(s.child.pid!, s.output);
    leftovers.push(dataDirOf(s.output())!);
    s.child.kill('SIGKILL');
    await exited(s.child);
    await waitFor('the embedded children to stop', () => pids.every((p) => !alive(p)));
    expect(pids.filter(alive)).toEqual([]);
  });

  it('SIGTERM to the npm wrapper stops everything too, and keeps a DATA_DIR the operator gave', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sealane-operator-'));
    leftovers.push(dataDir);
    // `npm start` minus its prestart (bootstrap and build, done already): the same `start` script.
    const npm = spawn('npm', ['run', '--ignore-scripts', 'start'], {
      cwd: ROOT,
      env: { ...process.env, ...env, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(npm);
    let out = '';
    npm.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const pids = await running(npm.pid!, () => out);
    const all = descendants(npm.pid!);
    npm.kill('SIGTERM');
    await exited(npm);
    await waitFor('every process under npm to stop', () => all.every((p) => !alive(p)));
    expect(out).toContain('SIGTERM: stopping');
    expect(out).toContain('stopped');
    expect(out).not.toContain('Connection is closed');
    expect(pids.filter(alive)).toEqual([]);
    // The genesis stays with the data: a restart under the same DATA_DIR keeps the chain.
    expect(readdirSync(dataDir).sort()).toEqual([
      'anvil-genesis.json',
      'anvil-l1.log',
      'anvil-l2.log',
      'genesis.json',
      'redis',
      'redis.log',
    ]);
  });
});

describe('stopping each component', () => {
  let devnet: Devnet;
  const procs: Component[] = [];
  beforeAll(async () => {
    devnet = await startEmbedded(loadConfig({}));
  });
  afterAll(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    await devnet?.stop();
  });

  it('SIGTERM of a gateway, a builder and a poster each exits 0 without "Connection is closed"', async () => {
    const shared = {
      REDIS_URL: devnet.redisUrl,
      L2_RPC_URL: devnet.l2RpcUrl,
      L1_RPC_URL: devnet.l1RpcUrl,
      INBOX_ADDRESS: devnet.inboxAddress,
      KEY_PREFIX: 'stop-each',
    };
    const gateway = spawnSealane({ ...shared, COMPONENTS: 'gateway', GATEWAY_PORT: '0' });
    const builder = spawnSealane({ ...shared, COMPONENTS: 'builder' });
    const poster = spawnSealane({ ...shared, COMPONENTS: 'poster' });
    procs.push(gateway, builder, poster);
    await waitFor('a sealed block', () => /sealed block \d+/.test(builder.output()), 90_000);
    await waitFor('a posted batch', () => /batch/i.test(poster.output()), 90_000);
    await waitFor('the gateway', () => /gateway: /.test(gateway.output()), 90_000);
    for (const c of [gateway, builder, poster]) {
      await c.kill('SIGTERM');
      expect(c.output()).toContain('stopped');
      expect(c.output()).not.toContain('Connection is closed');
      expect(c.child.exitCode).toBe(0);
    }
  });
});
