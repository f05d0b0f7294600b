/** Small helpers for poster tests: a clock the test moves, a logger that keeps lines, polling. */
import type { Clock, PosterLogger } from '@sealane/poster';

export class ManualClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export class MemoryLogger implements PosterLogger {
  readonly lines: string[] = [];
  constructor(private readonly echo = process.env.POSTER_TEST_LOG === '1') {}
  log(m: string): void {
    this.push('log', m);
  }
  warn(m: string): void {
    this.push('warn', m);
  }
  error(m: string): void {
    this.push('error', m);
  }
  private push(level: string, m: string): void {
    this.lines.push(`${level}: ${m}`);
    if (this.echo) process.stdout.write(`[poster ${level}] ${m}\n`);
  }
}

/** Calls `step` until `done` returns a value, or fails after `ms` naming what it waited for. */
export async function until<T>(
  what: string,
  step: () => Promise<unknown>,
  done: () => Promise<T | null | undefined | false>,
  ms = 20_000,
  every = 50,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    await step();
    const v = await done();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
