import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'contracts/out/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': ['error', { patterns: [{ group: ['@sealane/*/*'], message: 'Import a lib through its index only.' }] }],
    },
  },
  {
    files: [
      'libs/protocol/**',
      'libs/batch/**',
      'libs/auction/**',
      'libs/mempool/**',
      'libs/simulator/**',
      'libs/governance/**',
      'libs/params/src/params.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@nestjs/*'] }] },
  },
);
