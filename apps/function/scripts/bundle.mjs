// Builds the deployable folder: host.json, a package.json whose `main` is the bundle, and the
// bundle itself. It runs without node_modules: pnpm's symlinked node_modules do not survive a
// zip deployment, so every dependency, @azure/functions included, is inside index.js.
//
//   node scripts/bundle.mjs [--outdir DIR]     (default: dist)
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { outdir: { type: 'string', default: join(appDir, 'dist') } } });
const outDir = resolve(values.outdir);
const main = 'index.js';

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });

const result = await build({
  entryPoints: [join(appDir, 'src/index.ts')],
  outfile: join(outDir, main),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // Workspace packages resolve to their TypeScript sources, as in tests.
  conditions: ['@paymetrics/source'],
  // Provided by the Functions worker at run time, never installed. pg-native is pg's optional
  // native driver, required only when asked for.
  external: ['@azure/functions-core', 'pg-native'],
  // CommonJS dependencies (pg, @azure/functions) call require(); ESM output needs one.
  banner: {
    js: "import { createRequire as __paymetricsCreateRequire } from 'node:module'; const require = __paymetricsCreateRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

const appPackage = JSON.parse(await readFile(join(appDir, 'package.json'), 'utf8'));
const deployPackage = {
  name: 'paymetrics-function',
  version: appPackage.version,
  private: true,
  type: 'module',
  main,
  engines: { node: '>=22' },
};
await writeFile(join(outDir, 'package.json'), `${JSON.stringify(deployPackage, null, 2)}\n`);
await copyFile(join(appDir, 'host.json'), join(outDir, 'host.json'));

const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(`bundled ${main} into ${outDir} (${(bytes / 1024 / 1024).toFixed(1)} MiB with source map)`);
