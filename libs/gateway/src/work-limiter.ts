/**
 * Bounds the work in flight per key (a searcher) and in all: each key may run `perKey` tasks and
 * have as many waiting, and all keys together may run `global` and have as many waiting. Beyond,
 * a task is refused at once (the caller answers RateLimitedError): a bounded queue absorbs an
 * honest burst, an unbounded one would turn one searcher's junk into everyone's latency.
 */
export interface Permit {
  /** Resolves once the task may run. */
  ready: Promise<void>;
  /** Call exactly once when the task ends (run or not). */
  done(): void;
}

interface Waiter {
  key: string;
  start: () => void;
}

export class WorkLimiter {
  private readonly running = new Map<string, number>();
  private readonly queued = new Map<string, number>();
  private runningAll = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly perKey: number,
    private readonly global: number,
  ) {}

  /** A permit, or which bound refused it. */
  tryAcquire(key: string): Permit | 'searcher' | 'global' {
    const mine = (this.running.get(key) ?? 0) + (this.queued.get(key) ?? 0);
    if (mine >= 2 * this.perKey) return 'searcher';
    if (this.runningAll + this.waiting.length >= 2 * this.global) return 'global';
    let started = false;
    let finished = false;
    let resolve!: () => void;
    const ready = new Promise<void>((r) => (resolve = r));
    const start = () => {
      started = true;
      this.bump(this.running, key, 1);
      this.runningAll++;
      resolve();
    };
    if (this.canRun(key)) start();
    else {
      this.bump(this.queued, key, 1);
      this.waiting.push({
        key,
        start: () => {
          this.bump(this.queued, key, -1);
          start();
        },
      });
    }
    return {
      ready,
      done: () => {
        if (finished) return;
        finished = true;
        if (started) {
          this.bump(this.running, key, -1);
          this.runningAll--;
        }
        this.pump();
      },
    };
  }

  private canRun(key: string): boolean {
    return this.runningAll < this.global && (this.running.get(key) ?? 0) < this.perKey;
  }

  /** Starts the oldest waiters that may run now. */
  private pump(): void {
    for (let i = 0; i < this.waiting.length && this.runningAll < this.global;) {
      const w = this.waiting[i];
      if (this.canRun(w.key)) {
        this.waiting.splice(i, 1);
        w.start();
      } else i++;
    }
  }

  private bump(m: Map<string, number>, key: string, d: number): void {
    const n = (m.get(key) ?? 0) + d;
    if (n <= 0) m.delete(key);
    else m.set(key, n);
  }
}
