/**
 * Start-up checks and readiness. A bad REDIS_URL, L1 chain, INBOX_ADDRESS or GENESIS_PARAMS
 * stops the built binary before anything starts, with one line naming the setting and exit 1;
 * `/ready` answers 503 once the L2 engine is gone while `/health` (liveness) still answers.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startAnvil, startRedis } from '@sealane/embedded';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import type { Readiness } from '@sealane/gateway';

const MAIN = join(__dirname, '..', 'dist', 'apps', 'sealane', 'src', 'main.js');

/** Runs the built binary to its end: exit code and everything it printed. */
function run(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, GATEWAY_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out })));
}

/** Exit 1 with exactly one line, `sealane: ...`, and no stack trace. */
function expectOneLine(r: { code: number | null; out: string }, pattern: RegExp): void {
  expect(r.code).toBe(1);
  const lines = r.out.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^sealane: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.out).not.toMatch(/\n\s+at /);
}

describe('start-up checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealane-startup-'));
  let l1: Awaited<ReturnType<typeof startAnvil>>;
  beforeAll(async () => {
    l1 = await startAnvil('anvil-l1', dir, ['--chain-id', '31337']);
  });
  afterAll(async () => {
    await l1?.proc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names REDIS_URL when Redis is unreachable', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    expectOneLine(
      await run({ REDIS_URL: url }),
      new RegExp(`^sealane: REDIS_URL ${url} is unreachable: ECONNREFUSED$`),
    );
  });

  it('waits for a Redis that comes up while it starts (a restart), then runs and stops cleanly', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, GATEWAY_PORT: '0', REDIS_URL: `redis://127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const up = new Promise<void>((resolve) => {
      const see = (d: Buffer) => {
        out += d.toString();
        if (/gateway: http/.test(out)) resolve();
      };
      child.stdout.on('data', see);
      child.stderr.on('data', see);
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const redisDir = mkdtempSync(join(dir, 'redis-'));
    // Redis comes up only after the process has tried it and found nobody.
    await new Promise((r) => setTimeout(r, 1500));
    const redis = await startRedis(redisDir, port);
    try {
      await Promise.race([up, exited.then((code) => Promise.reject(new Error(`exited ${code}: ${out}`)))]);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await redis.proc.stop();
    }
  });

  it('names GENESIS_PARAMS and the parameter out of range', async () => {
    expectOneLine(
      await run({ GENESIS_PARAMS: '{"slotMs":1}' }),
      /GENESIS_PARAMS: parameter "slotMs" = 1 is outside \[/,
    );
  });

  it('names INBOX_ADDRESS when it has no code on L1', async () => {
    const address = '0x' + '42'.repeat(20);
    expectOneLine(
      await run({ L1_RPC_URL: l1.url, INBOX_ADDRESS: address }),
      new RegExp(`INBOX_ADDRESS ${address} has no contract code on L1`),
    );
  });

  it('names INBOX_ADDRESS when the contract there is not an Inbox', async () => {
    // anvil's built-in CREATE2 deployer: code, but no nextBlock().
    const address = '0x4e59b44847b379578588920ca78fbf26c0b4956c';
    expectOneLine(
      await run({ L1_RPC_URL: l1.url, INBOX_ADDRESS: address }),
      new RegExp(`INBOX_ADDRESS ${address} is not a Sealane Inbox`),
    );
  });

  it('names L1_RPC_URL and L1_CHAIN_ID when the chain is another', async () => {
    expectOneLine(
      await run({ L1_RPC_URL: l1.url, L1_CHAIN_ID: '5' }),
      /L1_RPC_URL \S+ is chain 31337, expected 5 \(L1_CHAIN_ID\)/,
    );
  });
});

describe('readiness', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealane-ready-'));
  let l2: Awaited<ReturnType<typeof startAnvil>>;
  let s: Sealane | undefined;
  afterAll(async () => {
    await s?.stop();
    await l2?.proc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const res = await fetch(`${s!.gatewayUrl}${path}`);
    return { status: res.status, body: (await res.json()) as Readiness };
  };

  it('is ready with every part up, and 503 naming the engine once the engine is gone', async () => {
    l2 = await startAnvil('anvil-l2', dir, ['--chain-id', '24225', '--no-mining', '--order', 'fifo']);
    s = await startSealane({ env: { L2_RPC_URL: l2.url, GATEWAY_PORT: '0' }, logger: false });
    for (;;) {
      const r = await get('/ready');
      if (r.body.leader !== null && (r.body.sealedHead ?? 0) > 0) {
        expect(r.status).toBe(200);
        expect(r.body.ready).toBe(true);
        expect(Object.values(r.body.checks).every((c) => c.ok)).toBe(true);
        expect(r.body.engineHead).not.toBeNull();
        expect(r.body.posterLag).not.toBeNull();
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }

    await l2.proc.stop();
    const down = await get('/ready');
    expect(down.status).toBe(503);
    expect(down.body.ready).toBe(false);
    expect(down.body.checks.l2.ok).toBe(false);
    expect(down.body.checks.redis.ok).toBe(true);
    expect(down.body.checks.l1.ok).toBe(true);
    const health = await fetch(`${s.gatewayUrl}/health`);
    expect(health.status).toBe(200);
  });
});
