import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    // A hang guard, not a speed check: CLI tests spawn real processes, which on a loaded 2-core machine
    // take several seconds each (speed is measured by npm run bench).
    testTimeout: 60_000,
    include: ['test/**/*.test.ts', 'core/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**', 'out/**', 'dist/**'],
  },
});
