import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['spec/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The leak tests measure the heap after an explicit collection.
    execArgv: ['--expose-gc'],
  },
});
