import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    // Generous deadlines: a test fails for a hang, never for a machine that is merely loaded.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The fake platform servers bind loopback ports; files run in parallel on separate ports.
    pool: 'forks',
    // Most of the suite's time is spent waiting (child bots starting, paced sends, timers), not
    // computing: vitest's default (cores − 1, so one file at a time on 2 cores) leaves the CPU idle.
    // VITEST_MAX_WORKERS overrides it (1 runs files one at a time).
    maxWorkers: Number(process.env['VITEST_MAX_WORKERS']) || Math.max(3, availableParallelism()),
  },
});
