import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

export default defineConfig(({ mode }) => ({
  plugins: [svelte(), svelteTesting()],
  // The app loads the built files from disk: relative paths, no remote assets.
  base: './',
  clearScreen: false,
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    // Generous for a loaded 2-core machine; no test waits this long when things work.
    testTimeout: 20000,
  },
  // Tests read the Rust sources (the error codes the commands send); the app never does.
  server: mode === 'test' ? { fs: { allow: ['..'] } } : undefined,
}));
