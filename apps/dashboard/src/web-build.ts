import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = fileURLToPath(new URL('../', import.meta.url));
export const webSourceDir = join(appDir, 'src/web');
export const webOutDir = join(appDir, 'dist/web');

function newestMtimeMs(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce(
    (newest, name) => Math.max(newest, newestMtimeMs(join(path, name))),
    stats.mtimeMs,
  );
}

/** True when dist/web is missing or older than the page's sources (a fresh clone, or an edit). */
export function webBuildIsStale(): boolean {
  let built: number;
  try {
    built = statSync(join(webOutDir, 'index.html')).mtimeMs;
  } catch {
    return true;
  }
  return Math.max(newestMtimeMs(webSourceDir), newestMtimeMs(join(appDir, 'vite.config.ts'))) > built;
}

/** Bundles the page with Vite when needed, so `pnpm dashboard` works on a fresh clone. */
export async function ensureWebBuild(options: { readonly force?: boolean } = {}): Promise<boolean> {
  if (!options.force && !webBuildIsStale()) return false;
  const { build } = await import('vite');
  await build({ configFile: join(appDir, 'vite.config.ts'), logLevel: 'warn' });
  return true;
}
