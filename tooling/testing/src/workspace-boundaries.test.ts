import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The shape the architecture promises: an app only translates, and what two apps share lives in
 * a package. So no app depends on another app, by package name or by a relative path into it.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const appsDir = join(root, 'apps');

interface Workspace {
  readonly dir: string;
  readonly name: string;
  readonly manifest: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
}

function workspacesIn(group: string): Workspace[] {
  const groupDir = join(root, group);
  return readdirSync(groupDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(groupDir, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(groupDir, entry.name);
      const manifest = JSON.parse(
        readFileSync(join(dir, 'package.json'), 'utf8'),
      ) as Workspace['manifest'] & {
        name: string;
      };
      return { dir, name: manifest.name, manifest };
    });
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mts|js|mjs)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.split(sep).includes('node_modules') && !file.split(sep).includes('dist'));
}

/** Every module specifier of a file: static and dynamic imports, re-exports, require. */
export function importSpecifiers(text: string): string[] {
  const patterns = [
    /\b(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]!));
}

const apps = workspacesIn('apps');
const appNames = new Set(apps.map((app) => app.name));

/** The app a specifier reaches from `file`, when it is not the file's own app (`own` may be no app). */
function otherAppReached(file: string, specifier: string, own: Workspace): string | undefined {
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(file), specifier);
    const inApps = relative(appsDir, target);
    if (inApps.startsWith('..')) return undefined;
    const app = apps.find((candidate) => target === candidate.dir || target.startsWith(candidate.dir + sep));
    return app && app !== own ? app.name : undefined;
  }
  const name = specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : specifier.split('/')[0]!;
  return appNames.has(name) && name !== own.name ? name : undefined;
}

describe('no app depends on another app', () => {
  it('finds the apps and their sources (so the checks below can fail)', () => {
    expect(apps.map((app) => app.name)).toEqual(
      expect.arrayContaining(['@paymetrics/function', '@paymetrics/migrate', '@paymetrics/simulator']),
    );
    expect(apps.every((app) => sourceFiles(join(app.dir, 'src')).length > 0)).toBe(true);
  });

  it('recognises an import of another app by name or by relative path', () => {
    const simulator = apps.find((app) => app.name === '@paymetrics/simulator')!;
    const file = join(simulator.dir, 'src', 'cli.ts');
    expect(otherAppReached(file, '@paymetrics/migrate', simulator)).toBe('@paymetrics/migrate');
    expect(otherAppReached(file, '../../migrate/src/index.js', simulator)).toBe('@paymetrics/migrate');
    expect(otherAppReached(file, './pacing.js', simulator)).toBeUndefined();
    expect(otherAppReached(file, '@paymetrics/runtime', simulator)).toBeUndefined();
    expect(
      importSpecifiers(
        "import { a } from '@paymetrics/ops';\nexport * from \"../x.js\";\nawait import('y');\nimport 'z';",
      ),
    ).toEqual(['@paymetrics/ops', '../x.js', 'z', 'y']);
  });

  it.each(apps.map((app) => [app.name, app] as const))('%s lists no other app as a dependency', (_, app) => {
    const dependencies = Object.keys({ ...app.manifest.dependencies, ...app.manifest.devDependencies });
    expect(dependencies.filter((name) => appNames.has(name) && name !== app.name)).toEqual([]);
  });

  it.each(apps.map((app) => [app.name, app] as const))('%s imports no other app', (_, app) => {
    const offending = ['src', 'test'].flatMap((folder) =>
      sourceFiles(join(app.dir, folder)).flatMap((file) =>
        importSpecifiers(readFileSync(file, 'utf8'))
          .map((specifier) => ({ specifier, reached: otherAppReached(file, specifier, app) }))
          .filter(({ reached }) => reached !== undefined)
          .map(({ specifier }) => `${relative(root, file)} imports ${specifier}`),
      ),
    );
    expect(offending).toEqual([]);
  });
});

/** Benchmarks and suites use what the apps use, the packages; an app is run as a process, never imported. */
describe('no tooling depends on an app', () => {
  const tooling = workspacesIn('tooling');

  it.each(tooling.map((tool) => [tool.name, tool] as const))('%s lists no app as a dependency', (_, tool) => {
    const dependencies = Object.keys({ ...tool.manifest.dependencies, ...tool.manifest.devDependencies });
    expect(dependencies.filter((name) => appNames.has(name))).toEqual([]);
  });

  it.each(tooling.map((tool) => [tool.name, tool] as const))('%s imports no app', (_, tool) => {
    const offending = ['src', 'test'].flatMap((folder) =>
      sourceFiles(join(tool.dir, folder))
        .filter((file) => !file.endsWith('workspace-boundaries.test.ts'))
        .flatMap((file) =>
          importSpecifiers(readFileSync(file, 'utf8'))
            .filter((specifier) => otherAppReached(file, specifier, tool) !== undefined)
            .map((specifier) => `${relative(root, file)} imports ${specifier}`),
        ),
    );
    expect(offending).toEqual([]);
  });
});
