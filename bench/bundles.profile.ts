/**
 * Profiles the gateway under the bundle-ingest load: the same gateway, clients and requests as
 * bundles.bench.ts, with the V8 CPU profiler of the main thread (the gateway's) running only
 * while the clients send, so signing and start-up stay out of it. Writes the .cpuprofile (open it
 * in Chrome DevTools) and prints the functions with most self and total time.
 *
 *   npm run build && node dist/bench/bundles.profile.js [out.cpuprofile]   (default: in the OS temp dir)
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUNDLE_CHECK, BUNDLE_GENESIS, makeBundles, makeSearchers } from './bundles.bench';
import { closeClients, runRep, spawnClients, startGateway, type RepResult } from './load';
import { progress, TransferSigner } from './support';

const WARMUP_BUNDLES = 2000;
const BUNDLES = 12_000;
/** Sampling interval, µs: finer than the default 1 ms so short functions show. */
const INTERVAL_US = 100;
const TOP = 30;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) return u.slice(nm + 'node_modules/'.length);
  const d = u.indexOf('/dist/');
  return d >= 0 ? u.slice(d + '/dist/'.length) : u;
}

function label(n: ProfileNode): string {
  const f = n.callFrame;
  const name = f.functionName || '(anonymous)';
  return f.url ? `${name} ${shortUrl(f.url)}:${f.lineNumber + 1}` : name;
}

/** Self and total sample counts per function (a function counted once per sample however deep). */
export function summarise(p: CpuProfile): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const pkgSelf = new Map<string, number>();
  let idle = 0;
  for (const id of p.samples) {
    const leaf = byId.get(id)!;
    const name = label(leaf);
    if (leaf.callFrame.functionName === '(idle)') {
      idle++;
      continue;
    }
    self.set(name, (self.get(name) ?? 0) + 1);
    const url = shortUrl(leaf.callFrame.url);
    const pkg = !url
      ? leaf.callFrame.functionName
      : leaf.callFrame.url.includes('node_modules/')
        ? url
            .split('/')
            .slice(0, url.startsWith('@') ? 2 : 1)
            .join('/')
        : url.startsWith('node:')
          ? 'node: internals'
          : url.split('/').slice(0, 2).join('/');
    pkgSelf.set(pkg, (pkgSelf.get(pkg) ?? 0) + 1);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + 1);
    }
  }
  const busy = p.samples.length - idle;
  const pct = (x: number) => `${((100 * x) / busy).toFixed(1).padStart(5)}%`;
  const top = (m: Map<string, number>, k: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k);
  const lines = [
    `${p.samples.length} samples, ${idle} idle (${((100 * idle) / p.samples.length).toFixed(1)}%); % below are of the ${busy} busy samples`,
    '',
    'self time by function:',
    ...top(self, TOP).map(([n, c]) => `  ${pct(c)}  ${n}`),
    '',
    'self time by package / source dir:',
    ...top(pkgSelf, 20).map(([n, c]) => `  ${pct(c)}  ${n}`),
    '',
    'total time (inclusive) by function:',
    ...top(total, TOP + 20)
      .filter(([n]) => n !== '(root)')
      .map(([n, c]) => `  ${pct(c)}  ${n}`),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? join(tmpdir(), 'sealane-bundles.cpuprofile'));
  const signer = new TransferSigner();
  const searchers = makeSearchers(64);
  progress(`profile: signing ${WARMUP_BUNDLES + BUNDLES} bundles`);
  const warmup = makeBundles(signer, searchers, WARMUP_BUNDLES).map((b) => b.request);
  const load = makeBundles(signer, searchers, BUNDLES).map((b) => b.request);
  const s = await startGateway(BUNDLE_GENESIS);
  const clients = spawnClients(s.gatewayUrl!, BUNDLE_CHECK, 'bundles');
  const session = new Session();
  session.connect();
  let r: RepResult;
  let profile: CpuProfile;
  try {
    await runRep(clients, warmup);
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: INTERVAL_US });
    await session.post('Profiler.start');
    r = await runRep(clients, load);
    ({ profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile });
  } finally {
    session.disconnect();
    await closeClients(clients);
    await s.stop();
  }
  writeFileSync(out, JSON.stringify(profile));
  progress(`profiled ${r.ok} bundles at ${r.rate.toFixed(0)} bundles/s (${r.errors} errors); wrote ${out}`);
  console.log(summarise(profile));
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      progress(String(e instanceof Error ? (e.stack ?? e) : e));
      process.exit(1);
    },
  );
}
