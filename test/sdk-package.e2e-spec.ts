/**
 * The installable SDK: `npm run pack:sdk` builds @sealane/sdk into a tarball; a project outside
 * the repository installs it with npm and, as plain Node (ESM and CommonJS), sends a private
 * transaction (commit-reveal, the user reveals) through a live gateway; it lands on chain. A
 * TypeScript file in that project type-checks against the package's declarations alone.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEV_KEYS } from '@sealane/config';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { rpc } from './support/rpc';

const run = promisify(execFile);
const root = join(__dirname, '..');
const TSC = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const APP_MJS = `import { Wallet } from 'ethers';
import { SealaneClient } from '@sealane/sdk';
const client = new SealaneClient(process.env.GATEWAY_URL);
const wallet = new Wallet(process.env.USER_KEY);
const r = await client.sendPrivateTransaction(wallet, { to: wallet.address, value: 7n, gasLimit: 21000n });
console.log(JSON.stringify({ txHash: r.txHash, slot: r.slot, status: r.status }));
`;

const APP_CJS = `const { Wallet } = require('ethers');
const { SealaneClient, SealaneRpcError } = require('@sealane/sdk');
const client = new SealaneClient(process.env.GATEWAY_URL);
const wallet = new Wallet(process.env.USER_KEY);
client
  .sendPrivateTransaction(wallet, { to: wallet.address, value: 8n, gasLimit: 21000n }, { reveal: 'user' })
  .then((r) => console.log(JSON.stringify({ txHash: r.txHash, slot: r.slot, status: r.status, rpcError: typeof SealaneRpcError })))
  .catch((e) => { console.error(e); process.exit(1); });
`;

/** Compiles only if the declarations give the types a user relies on. */
const CHECK_TS = `import { Wallet } from 'ethers';
import { SealaneClient, SealaneRpcError, searcherCall, type CommittedPrivateTx, type PrivateTxResult } from '@sealane/sdk';
export async function send(url: string, key: string): Promise<number | undefined> {
  const client = new SealaneClient(url);
  const r: PrivateTxResult = await client.sendPrivateTransaction(new Wallet(key), { to: '0x' + '00'.repeat(20), value: 1n });
  const k: CommittedPrivateTx = await client.sendPrivateTransaction(new Wallet(key), {}, { reveal: 'keypers' });
  const receipt: string = k.receipt.signature;
  const bundle = await searcherCall<{ bundleHash: string }>(url, new Wallet(key), 'eth_sendBundle', []);
  const e: unknown = new SealaneRpcError('m', bundle.error?.code ?? 1, 'x');
  if (e instanceof SealaneRpcError && e.code === 1 && receipt) return r.status.block;
  // @ts-expect-error reveal is 'user' or 'keypers'
  await client.sendPrivateTransaction(new Wallet(key), {}, { reveal: 'nobody' });
  return r.status.block;
}
`;

describe('@sealane/sdk as an npm package (e2e)', () => {
  let s: Sealane | undefined;
  let dir: string;
  let tarball: string;

  beforeAll(async () => {
    const packed = await run(process.execPath, [join(root, 'scripts', 'pack-sdk.js')], { cwd: root });
    tarball = packed.stdout.trim().split('\n').pop()!;
    dir = mkdtempSync(join(tmpdir(), 'sealane-sdk-user-'));
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'sdk-user', version: '1.0.0', private: true }, null, 2),
    );
    await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: dir,
      env: { ...process.env, npm_config_loglevel: 'error' },
    });
    s = await startSealane({
      env: {
        COMPONENTS: 'gateway,builder',
        GATEWAY_PORT: '0',
        GENESIS_PARAMS: JSON.stringify({ slotMs: 500, auctionCloseOffsetMs: 200, revealWindowMs: 150 }),
      },
      logger: ['error'],
    });
  }, 300_000);

  afterAll(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('packs a self-contained package: its own package.json, declarations, no server code', () => {
    expect(tarball).toBe(join(root, 'dist', 'packages', 'sealane-sdk-0.1.0.tgz'));
    const pkg = JSON.parse(
      readFileSync(join(dir, 'node_modules', '@sealane', 'sdk', 'package.json'), 'utf8'),
    );
    const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: '@sealane/sdk', version: rootPkg.version, types: expect.any(String) });
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies });
    expect(Object.keys(pkg.dependencies).sort()).toEqual([
      '@noble/ciphers',
      '@noble/curves',
      '@noble/hashes',
      'ethers',
    ]);
    for (const d of deps)
      expect(pkg.dependencies[d] ?? pkg.optionalDependencies[d]).toBe(rootPkg.dependencies[d]);
    expect(deps.filter((d) => /nestjs|ioredis|bullmq|fastify/.test(d))).toEqual([]);
    const index = readFileSync(join(dir, 'node_modules', '@sealane', 'sdk', pkg.types), 'utf8');
    expect(index).toMatch(/sealane-client/);
    expect(index).not.toMatch(/@sealane\//);
  });

  it('a plain Node project (ESM, then CommonJS) sends a private transaction that lands on chain', async () => {
    writeFileSync(join(dir, 'app.mjs'), APP_MJS);
    writeFileSync(join(dir, 'app.cjs'), APP_CJS);
    for (const [app, key] of [
      ['app.mjs', DEV_KEYS[6]],
      ['app.cjs', DEV_KEYS[7]],
    ] as const) {
      const { stdout } = await run(process.execPath, [app], {
        cwd: dir,
        env: { ...process.env, GATEWAY_URL: s!.gatewayUrl!, USER_KEY: key },
        timeout: 120_000,
      });
      const out = JSON.parse(stdout.trim()) as {
        txHash: string;
        slot: number;
        status: { state: string; block: number };
      };
      expect(out.status).toMatchObject({ state: 'included', block: out.slot });
      const receipt = await rpc<{ blockNumber: string; status: string }>(
        s!.gatewayUrl!,
        'eth_getTransactionReceipt',
        [out.txHash],
      );
      expect(receipt).toMatchObject({ status: '0x1' });
      expect(Number(receipt.blockNumber)).toBe(out.status.block);
    }
  });

  it("type-checks a user's TypeScript against the declarations (node16 and bundler resolution)", async () => {
    writeFileSync(join(dir, 'check.mts'), CHECK_TS);
    const base = {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      lib: ['ES2022'],
      skipLibCheck: false,
      types: [],
    };
    const configs = {
      'tsconfig.node16.json': { ...base, module: 'node16', moduleResolution: 'node16' },
      'tsconfig.bundler.json': { ...base, module: 'esnext', moduleResolution: 'bundler' },
    };
    for (const [name, compilerOptions] of Object.entries(configs)) {
      writeFileSync(join(dir, name), JSON.stringify({ compilerOptions, files: ['check.mts'] }));
      const r = await run(process.execPath, [TSC, '-p', name], { cwd: dir }).catch(
        (e: { stdout: string; code: number }) => e,
      );
      expect({ config: name, out: r.stdout.trim() }).toEqual({ config: name, out: '' });
    }
  });
});
