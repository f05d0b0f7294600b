/**
 * The embedded L2 engine under a supervisor: when it exits without a stop (killed, crashed) it
 * is started again from the same genesis on the same port, so every component keeps its URL;
 * it comes back at block 0 and the builder rebuilds it from its records (builder phases/rebuild.ts).
 */
import type { ManagedProcess } from './processes';

export interface SupervisedL2 {
  url: string;
  /** Stops the engine for good (no restart). */
  proc: ManagedProcess;
  current(): ManagedProcess;
  restarts(): number;
}

/** Quick deaths in a row after which the engine is left down (something is wrong with it). */
const MAX_QUICK_RESTARTS = 5;
const QUICK_MS = 10_000;

export async function superviseL2(
  start: (port?: number) => Promise<{ url: string; proc: ManagedProcess }>,
  log: (line: string) => void,
): Promise<SupervisedL2> {
  const first = await start();
  const url = first.url;
  let proc = first.proc;
  const port = Number(new URL(url).port);
  let stopping = false;
  let restarts = 0;
  let quick = 0;
  let startedAt = Date.now();
  const watch = (p: ManagedProcess) => {
    p.child.once('exit', (code, signal) => {
      if (stopping) return;
      quick = Date.now() - startedAt < QUICK_MS ? quick + 1 : 1;
      if (quick > MAX_QUICK_RESTARTS) {
        log(`the L2 engine died ${quick} times in a row within ${QUICK_MS} ms of starting; leaving it down`);
        return;
      }
      log(
        `the L2 engine exited (${signal ?? `code ${code}`}); starting it again on port ${port} from the same genesis`,
      );
      void restart();
    });
  };
  const restart = async () => {
    for (let attempt = 0; !stopping; attempt++) {
      try {
        const again = await start(port);
        if (stopping) return again.proc.stop();
        proc = again.proc;
        restarts++;
        startedAt = Date.now();
        watch(proc);
        log(
          `the L2 engine is up again at ${url} (restart ${restarts}); the builder rebuilds it from its records`,
        );
        return undefined;
      } catch (e: unknown) {
        // The port can stay taken for a moment after a kill.
        if (attempt % 10 === 0)
          log(`starting the L2 engine again failed (${(e as Error).message}); retrying`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return undefined;
  };
  watch(proc);
  return {
    url,
    proc: {
      name: 'anvil-l2',
      get child() {
        return proc.child;
      },
      stop: async () => {
        stopping = true;
        await proc.stop();
      },
    },
    current: () => proc,
    restarts: () => restarts,
  };
}
