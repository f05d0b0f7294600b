/**
 * The `sealane` command as a user runs it: the built bin (dist/apps/sealane/src/cli.js, the
 * root package.json's "bin") as a child process against a live gateway: status and
 * status --json, --help, an unknown command or option (exit 2), `npx sealane` from the
 * repository root, and gov refusing an out-of-range value or a too-early activation before
 * anything is signed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import { SealaneClient } from '@sealane/sdk';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import type { StatusReport } from '../apps/sealane/src/commands/status';

const exec = promisify(execFile);
const root = join(__dirname, '..');
const BIN = join(root, 'dist', 'apps', 'sealane', 'src', 'cli.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `file args` and answers its exit code and output, whatever the code. */
async function run(file: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  try {
    const r = await exec(file, args, { cwd: root, timeout: 60_000, env: { ...process.env, ...env } });
    return { code: 0, ...r };
  } catch (e) {
    const f = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof f.code !== 'number') throw e;
    return { code: f.code, stdout: f.stdout ?? '', stderr: f.stderr ?? '' };
  }
}

/** The bin itself, run as an executable: its shebang and mode are part of what is tested. */
const sealane = (...args: string[]) => run(BIN, args);

describe('the sealane command (e2e)', () => {
  let s: Sealane | undefined;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    // `npm test` builds first; a lone run of this suite builds if nothing is built yet.
    if (!existsSync(BIN)) await exec('npm', ['run', '--silent', 'build'], { cwd: root });
    dir = mkdtempSync(join(tmpdir(), 'sealane-cli-'));
    s = await startSealane({
      env: {
        COMPONENTS: 'gateway,builder',
        GATEWAY_PORT: '0',
        GENESIS_PARAMS: JSON.stringify({ slotMs: 500, auctionCloseOffsetMs: 200, revealWindowMs: 150 }),
      },
      logger: ['error'],
    });
    url = s.gatewayUrl!;
  }, 300_000);

  afterAll(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('status prints a short summary of a ready gateway', async () => {
    const r = await sealane('status', '--rpc', url);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`gateway  ${url}: ready`);
    expect(r.stdout).toMatch(/^chain {4}24225 \(0x5ea1\)$/m);
    expect(r.stdout).toMatch(/^head {5}sealed \d+, open slot \d+/m);
    expect(r.stdout).toMatch(/^params {3}version \d+ \(from slot \d+\), \d+ scheduled; bundle intake open$/m);
    expect(r.stdout).toMatch(/^poster {3}no status: no poster of this deployment has run$/m);
    expect(r.stdout).toMatch(/^keypers {2}eon 0x[0-9a-f]+…[0-9a-f]+: \d+ of \d+, /m);
    expect(r.stdout).toMatch(/^checks {3}redis ok, l2 ok/m);
  });

  it('status --json prints one JSON object, the same facts as the gateway answers them', async () => {
    const r = await sealane('status', '--rpc', url, '--json');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const report = JSON.parse(r.stdout) as StatusReport;
    const params = (await (
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sealane_getParams', params: [] }),
      })
    ).json()) as { result: { current: { version: number } } };
    expect(report).toMatchObject({
      rpc: url,
      reachable: true,
      ready: true,
      chainId: 24225,
      params: { version: params.result.current.version, intakePaused: false },
      poster: null,
      keypers: { threshold: expect.any(Number), keypers: expect.any(Number), ready: expect.any(Boolean) },
      errors: {},
    });
    expect(report.sealedHead).toEqual(expect.any(Number));
    expect(report.openSlot).toBe(report.sealedHead! + 1);
  });

  it('status exits 3 when nothing answers, and npx sealane runs the root project bin', async () => {
    const dead = await sealane('status', '--rpc', 'http://127.0.0.1:1', '--json');
    expect(dead.code).toBe(3);
    expect(JSON.parse(dead.stdout)).toMatchObject({ reachable: false, ready: false });
    const viaNpx = await run('npx', ['sealane', 'status', '--rpc', url, '--json']);
    expect(viaNpx.code).toBe(0);
    expect(JSON.parse(viaNpx.stdout)).toMatchObject({ ready: true, chainId: 24225 });
  });

  it('--help prints the commands; <command> --help its usage; unknown commands and options exit 2', async () => {
    const help = await sealane('--help');
    expect(help.code).toBe(0);
    for (const c of ['start', 'status', 'verify', 'replica', 'gov', 'audit'])
      expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(await sealane('status', '--help')).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/--rpc URL/),
    });
    expect(await sealane('audit', '--help')).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/--json/),
    });
    expect(await sealane('frobnicate')).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(/unknown command "frobnicate" \(commands: start, status/),
    });
    expect(await sealane()).toMatchObject({ code: 2, stderr: expect.stringMatching(/^usage: sealane/) });
    expect(await sealane('status', '--rpc', url, '--frob')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown option --frob/),
    });
    expect(await sealane('verify', '--nope')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--nope/),
    });
  });

  it('verify --json and audit --json print one JSON object each', async () => {
    const d = s!.devnet;
    const env = { L1_RPC_URL: d.l1RpcUrl, INBOX_ADDRESS: d.inboxAddress, L2_RPC_URL: d.l2RpcUrl };
    const verify = await run(BIN, ['verify', '--json'], env);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, mismatches: [], l2Head: expect.any(Number) });

    const user = new Wallet(DEV_KEYS[6]);
    const sent = await new SealaneClient(url).sendPrivateTransaction(user, {
      to: user.address,
      value: 1n,
      gasLimit: 21_000n,
    });
    const receipts = join(dir, 'receipts.json');
    writeFileSync(receipts, JSON.stringify([sent.receipt]));
    const audit = await sealane('audit', '--gateway', url, '--receipts', receipts, '--json');
    expect(audit.code).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({
      ok: true,
      exit: 0,
      slots: [
        {
          slot: sent.slot,
          verdict: 'clean',
          lines: expect.arrayContaining([expect.stringMatching(/^slot /)]),
        },
      ],
    });
  });

  it('gov refuses an out-of-range value and a too-early activation before anything is signed', async () => {
    const out = join(dir, 'p.json');
    const range = await sealane('gov', 'build', '--set', 'slotMs=10', '--url', url, '--out', out);
    expect(range).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/refused before signing: slotMs = 10 is outside \[250, 60000\] ms/),
    });
    expect(existsSync(out)).toBe(false);
    const early = await sealane('gov', 'build', '--set', 'reservePriceGwei=1', '--at', '1', '--url', url);
    expect(early).toMatchObject({ code: 2, stderr: expect.stringMatching(/activation slot 1 is too early/) });

    // A valid proposal, then its file edited out of range: sign checks it again and adds nothing.
    const built = await sealane(
      'gov',
      'build',
      '--set',
      'reservePriceGwei=1',
      '--url',
      url,
      '--out',
      out,
      '--json',
    );
    expect(built.code).toBe(0);
    expect(JSON.parse(built.stdout)).toMatchObject({
      file: out,
      primaryType: 'ParamsProposal',
      signatures: 0,
    });
    expect(built.stderr).toMatch(/note: needs 2 of 3 member signatures/);
    const f = JSON.parse(readFileSync(out, 'utf8')) as {
      message: { changes: { name: string; value: number }[] };
    };
    f.message.changes[0] = { name: 'mevLaneGasPercent', value: 250 };
    writeFileSync(out, JSON.stringify(f));
    const sign = await sealane('gov', 'sign', out, '--key', DEV_KEYS[1], '--url', url);
    expect(sign).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/mevLaneGasPercent = 250 is outside \[0, 100\] %/),
    });
    expect((JSON.parse(readFileSync(out, 'utf8')) as { signatures: string[] }).signatures).toEqual([]);
  });
});
