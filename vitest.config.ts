import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'api',
          include: ['{shared,functions,orchestrations,devhost,tests}/**/*.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          setupFiles: ['tests/support/setup.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          restoreMocks: true,
        },
      },
      // The web app's component tests (web/vitest.config.ts), in jsdom.
      'web/vitest.config.ts',
    ],
  },
});
