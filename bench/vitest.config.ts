import { defineConfig } from 'vitest/config';

// Unit tests of the benchmark harness (no services). The root configuration's `unit` project does
// not include `bench/`, so these run with `npx vitest run -c bench/vitest.config.ts`.
export default defineConfig({
  test: {
    name: 'bench-unit',
    root: import.meta.dirname,
    include: ['**/*.test.ts'],
    exclude: ['**/*.int.test.ts', '**/node_modules/**'],
  },
});
