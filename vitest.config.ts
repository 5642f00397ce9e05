import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts', 'core/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**', 'out/**', 'dist/**'],
  },
});
