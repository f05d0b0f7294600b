// Build step: copy non-TypeScript assets (Lua scripts from libs/*/src, and every file of a lib's
// assets/ folder, such as the gateway's dashboard) into dist/. Copies in dist that no longer exist
// in the sources are removed, so a renamed script (its name carries its key count) never leaves a
// stale twin behind to be loaded too.
'use strict';
const { cpSync, existsSync, readdirSync, rmSync, statSync, mkdirSync } = require('node:fs');
const { join, relative, dirname } = require('node:path');
const root = join(__dirname, '..');
const copied = new Set();
/** A file under libs/<lib>/assets/ (in the sources or in dist). */
const isAsset = (p) => /^(dist[\\/])?libs[\\/][^\\/]+[\\/]assets[\\/]/.test(relative(root, p));
function walk(dir) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.lua') || isAsset(p)) {
      const dest = join(root, 'dist', relative(root, p));
      mkdirSync(dirname(dest), { recursive: true });
      cpSync(p, dest);
      copied.add(dest);
    }
  }
}
function prune(dir) {
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) prune(p);
    else if ((p.endsWith('.lua') || isAsset(p)) && !copied.has(p)) rmSync(p);
  }
}
walk(join(root, 'libs'));
prune(join(root, 'dist', 'libs'));
