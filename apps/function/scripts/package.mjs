// Zips the bundled folder (scripts/bundle.mjs) into dist/function.zip, the artifact for
// `az functionapp deployment source config-zip`. Entries sit at the zip's root, as the host expects.
//
//   node scripts/package.mjs [--dir DIR] [--out FILE]
import { createWriteStream } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import yazl from 'yazl';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: join(appDir, 'dist') },
    out: { type: 'string' },
  },
});
const dir = resolve(values.dir);
const out = resolve(values.out ?? join(dir, 'function.zip'));

async function filesUnder(folder) {
  const entries = await readdir(folder, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(folder, entry.name);
      return entry.isDirectory() ? filesUnder(path) : [path];
    }),
  );
  return nested.flat();
}

for (const required of ['host.json', 'package.json']) {
  await stat(join(dir, required)).catch(() => {
    throw new Error(
      `${join(dir, required)} is missing: run the bundle first (pnpm --filter @paymetrics/function bundle)`,
    );
  });
}
await rm(out, { force: true });
const files = (await filesUnder(dir)).filter((path) => path !== out).sort();
const zip = new yazl.ZipFile();
// A fixed time keeps the zip byte-identical for identical input.
const mtime = new Date('2000-01-01T00:00:00Z');
for (const path of files)
  zip.addFile(path, relative(dir, path).split('\\').join('/'), { mtime, mode: 0o100644 });
zip.end();
await pipeline(zip.outputStream, createWriteStream(out));
console.log(`packaged ${files.length} files into ${out}`);
