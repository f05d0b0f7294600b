/**
 * `npm run sustained` (also `npm run bench -- sustained`): how many public transfers per second
 * Sealane sustains from the gateway to a posted batch, per slot setting (see bench.ts).
 *
 *   npm run sustained -- [--rates 500,1000,2000,3000,4000] [--step-s 60] [--warmup-s 5]
 *                        [--slot-ms 2000,250] [--gas-limit 30000000]
 *
 * Prints progress on stderr and the rows as a table on stdout. Not part of `npm test`.
 */
import { cpus } from 'node:os';
import { formatTable, progress } from '../support';
import { benchSustained, SUSTAINED_DEFAULTS, type SustainedOptions } from './bench';

const USAGE =
  'usage: node dist/bench/sustained/sustained.js [--rates N,N,...] [--step-s S] [--warmup-s S] [--slot-ms MS,MS,...] [--gas-limit GAS]';

function parseArgs(argv: string[]): SustainedOptions {
  const o: SustainedOptions = { ...SUSTAINED_DEFAULTS };
  const list = (v: string, min: number, max: number) => {
    const xs = v.split(',').map(Number);
    if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < min || x > max))
      throw new Error(`"${v}": integers in [${min}, ${max}], comma-separated`);
    return xs;
  };
  const one = (v: string, min: number, max: number) => {
    const [x] = list(v, min, max);
    if (v.includes(',')) throw new Error(`"${v}": one integer`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const v = inline ?? argv[++i] ?? '';
    if (flag === '--rates') o.rates = list(v, 1, 100_000).sort((a, b) => a - b);
    else if (flag === '--step-s') o.stepS = one(v, 1, 3600);
    else if (flag === '--warmup-s') o.warmupS = one(v, 0, 600);
    // The slotMs parameter's range (libs/params): a genesis outside it would be refused.
    else if (flag === '--slot-ms') o.slotMs = list(v, 250, 60_000);
    else if (flag === '--gas-limit') o.gasLimit = one(v, 1_000_000, 1_000_000_000);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return o;
}

async function main(): Promise<number> {
  let opts: SustainedOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const t0 = Date.now();
  const rows = await benchSustained(opts);
  const cpu = cpus();
  console.log(
    `\nSealane sustained throughput: node ${process.version}, ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}`,
  );
  console.log(formatTable(rows));
  console.log(`\n(${((Date.now() - t0) / 1000).toFixed(0)} s in all)`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    progress(`sustained FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
