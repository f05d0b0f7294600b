/**
 * Compiles the Solidity sources in contracts/ (and its subfolders, e.g. contracts/amm/) with the npm `solc` (never downloaded) and caches
 * the artifacts in contracts/out/. The build runs this ahead of time; a missing artifact is
 * compiled on first use so a forgotten build step cannot break a run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Artifact {
  contractName: string;
  abi: unknown[];
  bytecode: string;
}

/** The repository root: the nearest folder upwards holding contracts/. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'contracts')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the Sealane repository root above ${from}`);
    dir = up;
  }
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

/** Every .sol under `dir` (skipping out/), as paths relative to it with '/' separators. */
function solidityFiles(dir: string, prefix = ''): string[] {
  const found: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory() && rel !== 'out' && !e.name.startsWith('.')) found.push(...solidityFiles(dir, rel));
    else if (e.isFile() && e.name.endsWith('.sol')) found.push(rel);
  }
  return found.sort();
}

/**
 * Compiles every contracts/**\/*.sol and writes contracts/out/<Name>.json; returns the artifacts.
 * Source units are named by their path under contracts/, so relative imports between them
 * resolve without an import callback; artifacts stay flat, so contract names must be unique.
 */
export function compileContracts(root = repoRoot()): Artifact[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require('solc') as { compile(input: string): string };
  const srcDir = join(root, 'contracts');
  const sources: Record<string, { content: string }> = {};
  for (const f of solidityFiles(srcDir)) {
    sources[f] = { content: readFileSync(join(srcDir, f), 'utf8') };
  }
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const outDir = join(srcDir, 'out');
  mkdirSync(outDir, { recursive: true });
  const artifacts: Artifact[] = [];
  const seen = new Map<string, string>();
  for (const [file, contracts] of Object.entries(out.contracts)) {
    for (const [contractName, c] of Object.entries(contracts)) {
      // Nothing to deploy and nothing to call (a library of internal functions only).
      if (!c.evm.bytecode.object && c.abi.length === 0) continue;
      const other = seen.get(contractName);
      if (other) throw new Error(`two contracts named ${contractName}: ${other} and ${file}`);
      seen.set(contractName, file);
      const a: Artifact = { contractName, abi: c.abi, bytecode: '0x' + c.evm.bytecode.object };
      writeFileSync(join(outDir, `${contractName}.json`), JSON.stringify(a, null, 2));
      artifacts.push(a);
    }
  }
  return artifacts;
}

const cache = new Map<string, Artifact>();

export function loadArtifact(name: string): Artifact {
  const hit = cache.get(name);
  if (hit) return hit;
  const root = repoRoot();
  const path = join(root, 'contracts', 'out', `${name}.json`);
  if (!existsSync(path)) compileContracts(root);
  if (!existsSync(path)) throw new Error(`no contract named ${name} in contracts/`);
  const a = JSON.parse(readFileSync(path, 'utf8')) as Artifact;
  cache.set(name, a);
  return a;
}
