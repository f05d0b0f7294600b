#!/usr/bin/env node
// `npm test`: lint, build (TypeScript + contracts), then every jest suite (unit and e2e),
// serially because e2e suites start their own redis-server and anvil nodes on 2 cores.
// The jest JSON report lands in .data/jest-results.json for .ci/run to count.
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdirSync } = require('node:fs');
const { join } = require('node:path');
const root = join(__dirname, '..');
const step = (name, cmd, args) => {
  process.stderr.write(`\n== ${name} ==\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`\n${name} failed\n`);
    process.exit(r.status ?? 1);
  }
};
mkdirSync(join(root, '.data'), { recursive: true });
step('lint', 'npm', ['run', '--silent', 'lint']);
step('build', 'npm', ['run', '--silent', 'build']);
const extra = process.argv.slice(2);
step('tests', 'npx', ['jest', '--runInBand', '--json', '--outputFile=.data/jest-results.json', ...extra]);
