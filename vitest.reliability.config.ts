import { defineConfig } from 'vitest/config';

/**
 * The reliability battery (`npm run test:reliability`): concurrency, crashes, redelivery, fuzzing
 * and the read replica, against the real PostgreSQL server (`DATABASE_URL`). Each file prints its
 * seed, so a failure can be replayed with `RELIABILITY_SEED=<seed>`.
 */
export default defineConfig({
  test: {
    name: 'reliability',
    include: ['tests/reliability/**/*.reliability.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
    restoreMocks: true,
  },
});
