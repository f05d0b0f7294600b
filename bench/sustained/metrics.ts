/**
 * What the sustained benchmark reads from the components' GET /metrics (Prometheus text) and from
 * /proc: counter deltas over a step, histogram means and quantiles from bucket deltas, and each
 * process's CPU time, so a step's row can say which phase and which process bound it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parsePrometheusText, sampleValue, type Sample } from '@sealane/observe';

export async function scrape(baseUrl: string): Promise<Sample[]> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${baseUrl}/metrics answered ${res.status}`);
  return parsePrometheusText(await res.text());
}

/** The increase of `name` (summed over matching labels) from `a` to `b`; 0 when never recorded. */
export function delta(a: Sample[], b: Sample[], name: string, labels: Record<string, string> = {}): number {
  return (sampleValue(b, name, labels) ?? 0) - (sampleValue(a, name, labels) ?? 0);
}

export interface HistogramDelta {
  count: number;
  /** Mean of the observations between the scrapes, in the histogram's unit (NaN: none). */
  mean: number;
  /** Upper bound of the bucket holding the q-quantile, for q = 0.5 and 0.99 (Infinity: past the last). */
  p50: number;
  p99: number;
}

/** A histogram's observations between scrapes `a` and `b`, from its _sum, _count and _bucket deltas. */
export function histogramDelta(
  a: Sample[],
  b: Sample[],
  name: string,
  labels: Record<string, string> = {},
): HistogramDelta {
  const count = delta(a, b, `${name}_count`, labels);
  const sum = delta(a, b, `${name}_sum`, labels);
  const bounds = [
    ...new Set(
      b
        .filter(
          (s) => s.name === `${name}_bucket` && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
        )
        .map((s) => s.labels.le),
    ),
  ].sort((x, y) => parseBound(x) - parseBound(y));
  const quantile = (q: number): number => {
    if (count <= 0) return NaN;
    for (const le of bounds)
      if (delta(a, b, `${name}_bucket`, { ...labels, le }) >= q * count) return parseBound(le);
    return Infinity;
  };
  return { count, mean: count > 0 ? sum / count : NaN, p50: quantile(0.5), p99: quantile(0.99) };
}

const parseBound = (le: string): number => (le === '+Inf' ? Infinity : Number(le));

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on every Linux build that matters). */
const USER_HZ = 100;

/**
 * User + system CPU seconds a process and its descendants have used so far (an embedded part's
 * pid is its watchdog shell's: the binary is its child); NaN when it is gone or not on Linux.
 */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces, in parentheses: state is field 3.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = (Number(rest[11]) + Number(rest[12])) / USER_HZ;
    return children(pid).reduce((a, c) => a + (cpuSeconds(c) || 0), own);
  } catch {
    return NaN;
  }
}

function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** CPU seconds of this process (the benchmark: its load clients are worker threads in it). */
export const selfCpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
