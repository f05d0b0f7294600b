/**
 * Compiles the Solidity sources in contracts/ with the npm `solc` (never downloaded) and caches
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

/** Compiles every contracts/*.sol and writes contracts/out/<Name>.json; returns the artifacts. */
export function compileContracts(root = repoRoot()): Artifact[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require('solc') as { compile(input: string): string };
  const srcDir = join(root, 'contracts');
  const sources: Record<string, { content: string }> = {};
  for (const f of readdirSync(srcDir).filter((f) => f.endsWith('.sol'))) {
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
  for (const file of Object.values(out.contracts)) {
    for (const [contractName, c] of Object.entries(file)) {
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
