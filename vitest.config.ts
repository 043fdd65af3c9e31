import { defineConfig } from 'vitest/config';
import SlowFirst from './test/helpers/sequencer.ts';

/**
 * The slow project: tests of real programs and real processes (chromium, the pip AWS CLI, jobs
 * run by `carbon run` on real git and bash, processes killed or racing, and Carbon's own cache,
 * which only the launcher's build turns on). Seconds a test, and the first to feel a loaded
 * machine. `npm run test:fast` leaves them out while iterating; `npm test` runs both projects.
 */
const SLOW = [
  'test/e2e/**/*.test.ts',
  'test/faults/**/*.test.ts',
  'test/site/browser.test.ts',
  'test/orb/real-aws-cli.test.ts',
  'test/cache/cache.test.ts',
  'test/output/lock.test.ts',
];

export default defineConfig({
  test: {
    // CircleCI's schema, fetched on a fresh clone (or one line saying what is missing).
    globalSetup: ['./test/helpers/global-setup.ts'],
    setupFiles: ['./test/helpers/setup.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // Tests spawn git, bash and the CLI: give slow CI machines room, but never retry.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // A test file a core: the files that wait on processes leave the other core to the next file.
    maxWorkers: 2,
    sequence: { sequencer: SlowFirst },
    projects: [
      {
        extends: true,
        test: {
          name: 'fast',
          // A worker's files share Carbon's modules instead of importing them again for each file
          // (nearly half the project's time): these tests leave no state in modules behind them.
          isolate: false,
          include: ['test/**/*.test.ts'],
          exclude: SLOW,
          typecheck: {
            enabled: true,
            include: ['test/**/*.test-d.ts'],
            tsconfig: './tsconfig.json',
          },
        },
      },
      { extends: true, test: { name: 'slow', include: SLOW } },
    ],
  },
});
