#!/usr/bin/env node
// Installs what a fresh clone is missing before `npm test`, `npm run demo`, `npm start`:
// npm dependencies (`npm ci`, when node_modules is absent or older than the lock file),
// Debian's redis-server (when no redis-server is on PATH and REDIS_URL is not set), and with
// `--browser` (npm test) Debian's chromium, when /usr/bin/chromium is absent.
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

/**
 * Installs Debian packages with apt-get (through `sudo -n` when not root): 'unavailable' when
 * there is no apt-get or no way to be root, else whether the install worked.
 */
function aptInstall(packages, why = '') {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = isRoot ? [] : has('sudo') ? ['sudo', '-n'] : null;
  if (!has('apt-get') || sudo === null) return 'unavailable';
  say(`installing Debian's ${packages.join(' ')}${why} (apt-get) ...`);
  const apt = (args) => run(sudo[0] ?? 'apt-get', sudo.length ? [...sudo.slice(1), 'apt-get', ...args] : args);
  return apt(['update', '-qq']) && apt(['install', '-y', '-qq', '--no-install-recommends', ...packages]);
}

if (!process.env.REDIS_URL && !has('redis-server')) {
  const ok = aptInstall(['redis-server']);
  if (ok === 'unavailable') {
    say('redis-server is missing and cannot be installed automatically here.');
    say('Install it (Debian/Ubuntu: apt-get install redis-server, macOS: brew install redis)');
    say('or point Sealane at a running Redis with REDIS_URL=redis://host:port.');
    process.exit(1);
  }
  if (!ok || !has('redis-server')) {
    say('could not install redis-server with apt-get (see above).');
    say('Install it by hand, or set REDIS_URL=redis://host:port to use a running Redis.');
    process.exit(1);
  }
  // The Debian package starts a system service on 6379; Sealane runs its own instance instead.
  spawnSync('sh', ['-c', 'service redis-server stop >/dev/null 2>&1 || true']);
}

// `--browser` (npm test only): the dashboard's browser test drives Debian's Chromium.
const CHROMIUM = '/usr/bin/chromium';
if (process.argv.includes('--browser') && !existsSync(CHROMIUM)) {
  const ok = aptInstall(['chromium'], " for the dashboard's browser test");
  if (ok === 'unavailable' || !ok || !existsSync(CHROMIUM)) {
    say(`${CHROMIUM} is missing and could not be installed${ok === 'unavailable' ? ' here (no apt-get, or not root and no sudo)' : ' with apt-get (see above)'}.`);
    say('Install it by hand (Debian/Ubuntu: sudo apt-get install -y chromium): test/dashboard.e2e-spec.ts needs it.');
    process.exit(1);
  }
}
