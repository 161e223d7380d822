import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The page is served by the dashboard server from dist/web; everything is bundled, nothing from a CDN.
export default defineConfig({
  root: here('./src/web'),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: here('./dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 400,
  },
});
