import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Tests and test helpers may be long; the size rules apply to product code only. */
const TEST_CODE = ['**/*.test.ts', 'tests/**', '**/testing/**'];

/** What a library must never import: services and the app that composes them sit above every library. */
const ABOVE_LIBRARIES = ['@lfsync/gateway', '@lfsync/sequencer', '@lfsync/persister', '@lfsync/server'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.tsbuild/**',
      '**/.cache/**',
      '**/.data/**',
      '**/coverage/**',
      'bench/results/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.ts'],
    ignores: TEST_CODE,
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 50, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // vitest's asymmetric matchers (`expect.any(String)`) are typed `any` by design.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ABOVE_LIBRARIES.map((name) => ({
            name,
            message: 'A library must not import a service or the server app.',
          })),
          patterns: [
            {
              group: ABOVE_LIBRARIES.map((name) => `${name}/*`),
              message: 'A library must not import a service or the server app.',
            },
          ],
        },
      ],
    },
  },
);
