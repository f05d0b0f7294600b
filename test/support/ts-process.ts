/**
 * Runs a TypeScript file of the test tree in its own OS process, compiled on load with the same
 * swc transform jest uses and the same `@sealane/*` mapping: for actors (an attacker, a user)
 * that must share nothing with the test process but what they read from public APIs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Installed with `node -e` before the entry file is required. */
const HOOK = `
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');
const root = ${JSON.stringify(ROOT)};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = /^@sealane\\/([a-z-]+)$/.exec(request);
  return resolve.call(this, m ? path.join(root, 'libs', m[1], 'src') : request, ...rest);
};
Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
require(process.argv[1]);
`;

export interface TsProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code once the process has ended (sends `signal` first if it runs). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function spawnTs(file: string, env: Record<string, string>): TsProcess {
  const child = spawn(process.execPath, ['-e', HOOK, file], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
