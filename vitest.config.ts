import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['{apps,libs,services,clients,tests,bench}/**/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['{apps,libs,services,clients,tests,bench}/**/src/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', 'tests/src/chaos/**'],
          globalSetup: ['./libs/testkit/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
          maxWorkers: 2,
        },
      },
      {
        // The crash test runs alone, last: its eight processes would starve the other tests of CPU.
        test: {
          name: 'crash',
          sequence: { groupOrder: 2 },
          include: ['tests/src/chaos/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 240_000,
          pool: 'forks',
          maxWorkers: 1,
        },
      },
    ],
  },
});
