import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** Every lib is imported through its index: `@sealane/<lib>`, never `@sealane/<lib>/<file>`. */
const DEEP_IMPORT = { group: ['@sealane/*/*'], message: 'Import a lib through its index only.' };
/** Pure libs hold no Nest module, controller or provider. */
const NEST_IMPORT = { group: ['@nestjs/*'], message: 'A pure lib must not import Nest.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'contracts/out/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': ['error', { patterns: [DEEP_IMPORT] }],
    },
  },
  {
    // A files-override replaces the rule's options, so the deep-import ban is repeated here.
    files: [
      'libs/protocol/**',
      'libs/batch/**',
      'libs/auction/**',
      'libs/mempool/**',
      'libs/simulator/**',
      'libs/governance/**',
      'libs/params/src/params.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { patterns: [DEEP_IMPORT, NEST_IMPORT] }] },
  },
  {
    // Runtime import cycles, inside a lib and across libs through the `@sealane/*` paths of
    // tsconfig.json. Type-only imports are erased at build time and do not count. Specs are left
    // out: nothing imports them, so no cycle runs through one.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
);
