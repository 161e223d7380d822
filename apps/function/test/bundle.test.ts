import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const appDir = fileURLToPath(new URL('..', import.meta.url));

describe('the deployable bundle', () => {
  let work: string;
  let deployed: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'paymetrics-function-bundle-'));
    await run(process.execPath, [join(appDir, 'scripts/bundle.mjs'), '--outdir', join(work, 'dist')]);
    // Somewhere no node_modules of the workspace can be found by walking up.
    deployed = join(work, 'wwwroot');
    await cp(join(work, 'dist'), deployed, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('holds host.json and a package.json whose main is the bundle', async () => {
    const manifest = JSON.parse(await readFile(join(deployed, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ type: 'module', main: 'index.js' });
    const host = JSON.parse(await readFile(join(deployed, 'host.json'), 'utf8'));
    expect(host.extensions.eventHubs).toMatchObject({ batchCheckpointFrequency: 5 });
  });

  it('loads in a plain Node process without node_modules and exports the handlers', async () => {
    const main = join(deployed, 'index.js');
    const script = `import(${JSON.stringify(main)}).then((m) => console.log(JSON.stringify(Object.keys(m).sort())))`;
    const { stdout } = await run(process.execPath, ['-e', script], {
      cwd: deployed,
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]')).toEqual(
      expect.arrayContaining(['processPayments', 'retryFailedItems', 'closeRuntime']),
    );
  });

  it('zips into an archive with the files at its root', async () => {
    const zipPath = join(work, 'function.zip');
    await run(process.execPath, [join(appDir, 'scripts/package.mjs'), '--dir', deployed, '--out', zipPath]);
    const zip = await readFile(zipPath);
    expect(zip.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    const names = centralDirectoryNames(zip);
    expect(names).toEqual(expect.arrayContaining(['host.json', 'package.json', 'index.js']));
    expect(names.every((name) => !name.includes('/'))).toBe(true);
  });
});

/** Entry names from the zip's central directory (signature 0x02014b50). */
function centralDirectoryNames(zip: Buffer): string[] {
  const names: string[] = [];
  for (let offset = 0; offset + 46 <= zip.length; offset++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) continue;
    const nameLength = zip.readUInt16LE(offset + 28);
    names.push(zip.subarray(offset + 46, offset + 46 + nameLength).toString('utf8'));
  }
  return names;
}
