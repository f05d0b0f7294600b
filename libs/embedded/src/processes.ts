/**
 * Child processes of the embedded devnet (redis-server, anvil): started on free ports, stopped
 * cleanly on exit and on SIGINT/SIGTERM. A missing binary or a port in use gives a clear error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export class EmbeddedStartError extends Error {
  override readonly name = 'EmbeddedStartError';
}

const running = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const c of running) c.kill('SIGTERM');
  });
}

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
  child: ChildProcess;
  stop(): Promise<void>;
}

export function startProcess(name: string, bin: string, args: string[], logFile: string): ManagedProcess {
  hookExit();
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return {
    name,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
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
