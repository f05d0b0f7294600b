#!/usr/bin/env node
// Installs what a fresh clone is missing before `npm test`, `npm run demo`, `npm start`:
// npm dependencies (`npm ci`, when node_modules is absent or older than the lock file) and
// Debian's redis-server (when no redis-server is on PATH and REDIS_URL is not set).
// Uses nothing but Node itself, since it runs before dependencies exist.
'use strict';
const { execSync, spawnSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const say = (m) => process.stderr.write(`[bootstrap] ${m}\n`);

function depsStale() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  return statSync(join(root, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  return r.status === 0;
}

if (depsStale()) {
  say('installing npm dependencies (npm ci) ...');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) {
    say('npm ci failed; fix the error above and run the command again.');
    process.exit(1);
  }
}

function has(bin) {
  try {
    execSync(`command -v ${bin}`, { stdio: 'ignore', shell: '/bin/sh' });
    return true;
  } catch {
    return false;
  }
}

if (!process.env.REDIS_URL && !has('redis-server')) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = isRoot ? [] : has('sudo') ? ['sudo', '-n'] : null;
  if (!has('apt-get') || sudo === null) {
    say('redis-server is missing and cannot be installed automatically here.');
    say('Install it (Debian/Ubuntu: apt-get install redis-server, macOS: brew install redis)');
    say('or point Sealane at a running Redis with REDIS_URL=redis://host:port.');
    process.exit(1);
  }
  say("installing Debian's redis-server (apt-get) ...");
  const apt = (args) => run(sudo[0] ?? 'apt-get', sudo.length ? [...sudo.slice(1), 'apt-get', ...args] : args);
  const ok =
    apt(['update', '-qq']) && apt(['install', '-y', '-qq', '--no-install-recommends', 'redis-server']) && has('redis-server');
  if (!ok) {
    say('could not install redis-server with apt-get (see above).');
    say('Install it by hand, or set REDIS_URL=redis://host:port to use a running Redis.');
    process.exit(1);
  }
  // The Debian package starts a system service on 6379; Sealane runs its own instance instead.
  spawnSync('sh', ['-c', 'service redis-server stop >/dev/null 2>&1 || true']);
}
