#!/usr/bin/env node
// `npm run pack:sdk`: the installable @sealane/sdk. Compiles libs/sdk and the workspace libs it
// imports (tsc follows the import graph from libs/sdk/src/index.ts; libs/sdk/tsconfig.pack.json)
// with declarations into dist/packages/sdk/lib, rewrites the @sealane/* aliases to relative paths
// in the .js and the .d.ts (tsc-alias), writes the package's package.json with exactly the npm
// packages the compiled code requires, and packs dist/packages/sealane-sdk-<version>.tgz.
// Prints the tarball's path on stdout (the last line); everything else goes to stderr.
'use strict';
const { spawnSync } = require('node:child_process');
const { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { builtinModules } = require('node:module');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const pkgDir = join(root, 'dist', 'packages', 'sdk');
const outDir = join(root, 'dist', 'packages');
const tsconfig = join(root, 'libs', 'sdk', 'tsconfig.pack.json');
const ENTRY = 'lib/sdk/src/index';
// Server-side packages that must never reach a user's install: their presence means the SDK's
// import graph reached server code, to be cut with an SDK-only entry rather than shipped.
const SERVER_ONLY = ['@nestjs/', 'ioredis', 'bullmq', 'fastify', '@foundry-rs/', 'redis', 'solc', 'zod'];

const say = (m) => process.stderr.write(`[pack:sdk] ${m}\n`);
function run(cmd, args, cwd = root) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stdout ?? '');
    say(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
    process.exit(1);
  }
  return r.stdout;
}

function files(dir, ext, acc = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) files(p, ext, acc);
    else if (p.endsWith(ext)) acc.push(p);
  }
  return acc;
}

/** 'ethers' -> ethers, '@noble/hashes/sha3' -> @noble/hashes, 'secp256k1/bindings' -> secp256k1. */
const packageOf = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');
const isBuiltin = (spec) => spec.startsWith('node:') || builtinModules.includes(packageOf(spec));

/**
 * The npm packages the compiled code loads: a require at the top of a module (tsc's output for an
 * import) is needed at run time; one inside a function (a try { require(...) } of a native addon,
 * with a pure-JS fallback) or a require.resolve is optional.
 */
function scanRequires(jsFiles) {
  const required = new Map();
  const optional = new Map();
  const add = (m, spec, file) => {
    if (spec.startsWith('.') || isBuiltin(spec)) return;
    const name = packageOf(spec);
    if (!m.has(name)) m.set(name, new Set());
    m.get(name).add(relative(pkgDir, file));
  };
  for (const f of jsFiles) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      for (const m of line.matchAll(/require(\.resolve)?\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const topLevel =
          !m[1] && /^(const|var|let) [\w$]+ = (__importDefault\(|__importStar\()?require\(/.test(line);
        add(topLevel ? required : optional, m[2], f);
      }
    }
  }
  for (const name of required.keys()) optional.delete(name);
  return { required, optional };
}

const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = rootPkg.version;

say('compiling libs/sdk and the libs it imports');
rmSync(pkgDir, { recursive: true, force: true });
run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig]);
run(process.execPath, [join(root, 'node_modules', 'tsc-alias', 'dist', 'bin', 'index.js'), '-p', tsconfig]);

const js = files(join(pkgDir, 'lib'), '.js');
const dts = files(join(pkgDir, 'lib'), '.d.ts');
const aliased = [...js, ...dts].filter((f) =>
  /(require\(|from |import\()['"]@sealane\//.test(readFileSync(f, 'utf8')),
);
if (aliased.length) {
  say(`@sealane/* imports left after tsc-alias in: ${aliased.map((f) => relative(pkgDir, f)).join(', ')}`);
  process.exit(1);
}
const libs = readdirSync(join(pkgDir, 'lib')).sort();
say(`bundled libs: ${libs.join(', ')}`);

const { required, optional } = scanRequires(js);
const server = [...required.keys(), ...optional.keys()].filter((n) =>
  SERVER_ONLY.some((s) => n === s || n.startsWith(s)),
);
if (server.length) {
  say(`the SDK's import graph reaches server-only packages: ${server.join(', ')}`);
  for (const n of server) say(`  ${n} <- ${[...(required.get(n) ?? optional.get(n))].join(', ')}`);
  process.exit(1);
}
const versionOf = (name) => {
  const v = rootPkg.dependencies?.[name];
  if (!v) {
    say(`${name} is required by the SDK but is not in the root package.json's dependencies`);
    process.exit(1);
  }
  return v;
};
const pick = (m) => Object.fromEntries([...m.keys()].sort().map((n) => [n, versionOf(n)]));
const dependencies = pick(required);
const optionalDependencies = pick(optional);
say(`dependencies: ${JSON.stringify(dependencies)}`);
say(`optionalDependencies (native addons with a pure-JS fallback): ${JSON.stringify(optionalDependencies)}`);

const pkg = {
  name: '@sealane/sdk',
  version,
  description:
    'Client SDK for Sealane: private (commit-reveal) transactions, forced inclusion, searcher calls',
  license: rootPkg.license,
  engines: rootPkg.engines,
  main: `./${ENTRY}.js`,
  types: `./${ENTRY}.d.ts`,
  exports: {
    '.': { types: `./${ENTRY}.d.ts`, default: `./${ENTRY}.js` },
    './package.json': './package.json',
  },
  files: ['lib', 'README.md'],
  sideEffects: false,
  dependencies,
  optionalDependencies,
};
writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
cpSync(join(root, 'libs', 'sdk', 'README.md'), join(pkgDir, 'README.md'));

const tarball = join(outDir, `sealane-sdk-${version}.tgz`);
if (existsSync(tarball)) rmSync(tarball);
run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', outDir], pkgDir);
if (!existsSync(tarball)) {
  say(`npm pack did not write ${tarball}`);
  process.exit(1);
}
say(`packed ${relative(root, tarball)} (${libs.length} libs, ${js.length} modules)`);
process.stdout.write(tarball + '\n');
