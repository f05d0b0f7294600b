/**
 * A checker of the Prometheus text exposition format (version 0.0.4), strict enough for tests
 * and `sealane status`: every sample line parses, belongs to a family declared by # TYPE with a
 * # HELP, and histograms carry their _bucket/_sum/_count. Returns the samples by name.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)(?: (-?\d+))?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

function parseValue(v: string): number {
  // Prometheus parses with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan").
  const l = v.toLowerCase();
  if (l === '+inf' || l === 'inf') return Infinity;
  if (l === '-inf') return -Infinity;
  if (l === 'nan') return NaN;
  const n = Number(v);
  if (!Number.isFinite(n) && !/^[-+]?\d/.test(v)) throw new Error(`bad value ${v}`);
  return n;
}

/** Parses `text`; throws naming the first line that is not valid exposition format. */
export function parsePrometheusText(text: string): Sample[] {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1} (${line.slice(0, 80)})`;
    if (line === '') return;
    if (line.startsWith('# HELP ')) return void helps.add(line.split(' ')[2]);
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type))
        throw new Error(`${where}: unknown type ${type}`);
      return void types.set(name, type);
    }
    if (line.startsWith('#')) return;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`${where}: not a sample`);
    const name = m[1];
    const family = types.has(name)
      ? name
      : SUFFIXES.filter((x) => name.endsWith(x))
          .map((x) => name.slice(0, -x.length))
          .find((f) => types.has(f));
    if (!family) throw new Error(`${where}: ${name} has no # TYPE`);
    if (!helps.has(family)) throw new Error(`${where}: ${family} has no # HELP`);
    const labels: Record<string, string> = {};
    const body = m[3] ?? '';
    const rest = body.replace(LABEL, (_all, k: string, v: string) => {
      labels[k] = v.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      return '';
    });
    if (rest.replace(/,/g, '').trim() !== '') throw new Error(`${where}: bad labels`);
    samples.push({ name, labels, value: parseValue(m[4]) });
  });
  for (const [name, type] of types) {
    if (type !== 'histogram') continue;
    const has = (suffix: string) => samples.some((s) => s.name === name + suffix);
    if (
      samples.some((s) => s.name.startsWith(name + '_')) &&
      !(has('_bucket') && has('_sum') && has('_count'))
    )
      throw new Error(`histogram ${name} lacks _bucket, _sum or _count`);
  }
  return samples;
}

/** The value of the sample `name` whose labels include `labels` (summed when several match). */
export function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const hits = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return hits.length ? hits.reduce((a, s) => a + s.value, 0) : undefined;
}
