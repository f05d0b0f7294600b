/**
 * Runs every benchmark in turn, prints one table and writes the same figures to
 * bench/results.json. Figures from one run compare well as ratios; absolute values depend on
 * the machine and on whatever else it is doing.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { benchAuction } from './auction.bench';
import { benchBundles } from './bundles.bench';
import { benchDerive } from './derive.bench';
import { benchIngest } from './ingest.bench';
import { benchMempoolIntake } from './mempool.bench';
import { benchMempoolLatency } from './mempool-latency.bench';
import { benchKeyper } from './keyper.bench';
import { benchRecovery } from './recovery.bench';
import { benchSeal } from './seal.bench';
import { benchSustained } from './sustained/bench';
import { formatTable, progress, type Row } from './support';

const BENCHMARKS: [name: string, run: () => Promise<Row[]>][] = [
  ['sender recovery', benchRecovery],
  ['public-lane ingest', benchIngest],
  ['seal time', benchSeal],
  ['bundle ingest', benchBundles],
  ['auction clearing', benchAuction],
  ['mempool intake', benchMempoolIntake],
  ['keyper crypto', benchKeyper],
  ['mempool latency', benchMempoolLatency],
  ['derive and rebuild', benchDerive],
  // The whole pipeline in separate processes at rising rates: about 10-15 minutes.
  ['sustained throughput', () => benchSustained()],
];

/** Compiled to dist/bench/run.js; the results belong next to the sources. */
const RESULTS_FILE = join(__dirname, '..', '..', 'bench', 'results.json');

async function main(): Promise<number> {
  const rows: Row[] = [];
  let failed = 0;
  const t0 = Date.now();
  // `npm run bench -- ingest seal` runs only the benchmarks whose names contain a word given.
  const only = process.argv.slice(2);
  const chosen = BENCHMARKS.filter(([name]) => only.length === 0 || only.some((w) => name.includes(w)));
  for (const [name, run] of chosen) {
    progress(`${name} ...`);
    try {
      rows.push(...(await run()));
    } catch (e) {
      // One broken benchmark should not hide the others' figures.
      failed++;
      progress(`${name} FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  const cpu = cpus();
  console.log(
    `\nSealane benchmarks: node ${process.version}, ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}`,
  );
  console.log(formatTable(rows));
  console.log(
    `\n(${((Date.now() - t0) / 1000).toFixed(0)} s in all${failed ? `; ${failed} benchmark(s) failed` : ''})`,
  );
  writeFileSync(
    RESULTS_FILE,
    JSON.stringify(
      rows.map(({ name, value, unit }) => ({ name, value, unit })),
      null,
      2,
    ) + '\n',
  );
  progress(`wrote ${RESULTS_FILE}`);
  return failed ? 1 : 0;
}

main().then(
  // Exit explicitly: a client or timer some library keeps open must not hold the run forever.
  (code) => process.exit(code),
  (e: unknown) => {
    progress(String(e));
    process.exit(1);
  },
);
