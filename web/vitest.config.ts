import { defineProject } from 'vitest/config';

/**
 * The web app's component tests. They run with the repository's Vitest (the root `npm test` runs
 * them as the `web` project), in jsdom.
 */
export default defineProject({
  oxc: { jsx: { runtime: 'automatic' } },
  test: {
    name: 'web',
    root: import.meta.dirname,
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    testTimeout: 30_000,
  },
});
