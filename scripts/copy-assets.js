// Build step: copy non-TypeScript assets (Lua scripts) from libs/*/src into dist/.
'use strict';
const { cpSync, readdirSync, statSync, mkdirSync } = require('node:fs');
const { join, relative, dirname } = require('node:path');
const root = join(__dirname, '..');
function walk(dir) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.lua')) {
      const dest = join(root, 'dist', relative(root, p));
      mkdirSync(dirname(dest), { recursive: true });
      cpSync(p, dest);
    }
  }
}
walk(join(root, 'libs'));
