/**
 * Child processes of the embedded devnet (redis-server, anvil): started on free ports, each under
 * a watchdog that stops it when Sealane ends however it ends, with a size-bounded log; stopped in
 * order on a clean stop. A missing binary or a port in use gives a clear error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { RotatingLog } from './rotating-log';

export class EmbeddedStartError extends Error {
  override readonly name = 'EmbeddedStartError';
}

const running = new Set<ChildProcess>();
let hooked = false;

/** Signals a child's whole process group (its watchdog and the binary); gone already is fine. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    /* the group has already exited */
  }
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // The watchdog stops them anyway once this process is gone; this only makes it immediate.
  process.once('exit', () => {
    for (const c of running) killGroup(c, 'SIGTERM');
  });
}

/**
 * The watchdog every embedded binary runs under (`sh -c WATCHDOG name bin args...`). Its stdin is
 * a pipe whose write end only Sealane holds: the kernel closes it however Sealane ends (SIGKILL
 * included), so EOF there means "the parent is gone" and the binary is stopped (TERM, then KILL).
 * anvil and redis-server cannot watch their parent themselves, and PR_SET_PDEATHSIG is not
 * reachable from node; a pipe needs no polling and no native addon.
 */
export const WATCHDOG = `
exec 3<&0 </dev/null
"$@" 3<&- &
child=$!
trap 'kill -TERM $child 2>/dev/null' TERM INT HUP
{
  while read -r _ <&3; do :; done
  kill -TERM $child 2>/dev/null
  n=0
  while kill -0 $child 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done
  kill -KILL $child 2>/dev/null
} &
watcher=$!
exec 3<&-
code=0
while kill -0 $child 2>/dev/null; do wait $child; code=$?; done
kill $watcher 2>/dev/null
exit $code
`;

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new EmbeddedStartError(
          e.code === 'EADDRINUSE'
            ? `port ${port} for ${what} is already in use`
            : `cannot bind port ${port} for ${what}: ${e.message}`,
        ),
      ),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}

/** Folders searched for binaries: PATH, then the usual system folders (a service's PATH can be bare). */
export function searchDirs(): string[] {
  return [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/bin', '/usr/local/bin', '/usr/sbin'];
}

export function findOnPath(bin: string, dirs = searchDirs()): string | null {
  for (const dir of dirs) if (existsSync(join(dir, bin))) return join(dir, bin);
  return null;
}

export interface ManagedProcess {
  name: string;
  /** The watchdog (`sh`), leader of the process group the binary runs in. */
  child: ChildProcess;
  /** Stops the binary (SIGTERM to its group, SIGKILL after 5 s) and closes its log. */
  stop(): Promise<void>;
}

export interface StartProcessOptions {
  /** Bound of the log file; past it the file rotates once (default 16 MiB). */
  maxLogBytes?: number;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_MAX_LOG_BYTES = 16 * 1024 * 1024;

export function startProcess(
  name: string,
  bin: string,
  args: string[],
  logFile: string,
  opts: StartProcessOptions = {},
): ManagedProcess {
  hookExit();
  // Own process group: a Ctrl-C or a group signal meant for Sealane reaches Sealane alone, which
  // then stops its children after its own components, in order.
  const child = spawn('/bin/sh', ['-c', WATCHDOG, name, bin, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    env: opts.env ?? process.env,
  });
  child.stdin?.on('error', () => undefined);
  const log = new RotatingLog(logFile, opts.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES);
  const write = (d: Buffer) => {
    try {
      log.write(d);
    } catch {
      /* a full disk must not stop Sealane; the child's output is lost, not its work */
    }
  };
  child.stdout?.on('data', write);
  child.stderr?.on('data', write);
  running.add(child);
  const closed = new Promise<void>((resolve) =>
    child.once('close', () => {
      running.delete(child);
      log.close();
      resolve();
    }),
  );
  return {
    name,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
        killGroup(child, 'SIGTERM');
        await closed;
        clearTimeout(timer);
      }
      await closed;
    },
  };
}

/** Polls `probe` until it resolves true, the process exits, or the deadline passes. */
export async function waitReady(
  p: ManagedProcess,
  probe: () => Promise<boolean>,
  logFile: string,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null) {
      throw new EmbeddedStartError(
        `${p.name} exited with code ${p.child.exitCode} during start-up; see ${logFile}`,
      );
    }
    try {
      if (await probe()) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await p.stop();
  throw new EmbeddedStartError(`${p.name} did not become ready within ${ms} ms; see ${logFile}`);
}
