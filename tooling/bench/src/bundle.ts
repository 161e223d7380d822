import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundles the measuring process (measure.ts and the packages it runs) into one ESM file, the
 * way apps/function/scripts/bundle.mjs bundles the Function: what runs in Azure is an esbuild
 * bundle, not TypeScript through tsx, which alone adds about 35 MB to a process's RSS.
 * Returns the bundle's path.
 */
export async function bundleMeasuringProcess(outDir: string): Promise<string> {
  const outfile = join(outDir, 'measure.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./measure.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    conditions: ['@paymetrics/source'],
    external: ['pg-native'],
    // CommonJS dependencies (pg) call require(); ESM output needs one.
    banner: {
      js: "import { createRequire as __paymetricsCreateRequire } from 'node:module'; const require = __paymetricsCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return outfile;
}
