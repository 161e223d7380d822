import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// One project per workspace package; every @paymetrics/* import resolves to its src,
// so tests never need a build step.
const workspaceDirs = ['packages', 'apps', 'tooling'].flatMap((group) =>
  readdirSync(`${root}${group}`, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${root}${group}/${entry.name}/package.json`))
    .map((entry) => ({ group, name: entry.name })),
);

const alias = Object.fromEntries(
  workspaceDirs.map(({ group, name }) => [`@paymetrics/${name}`, `${root}${group}/${name}/src/index.ts`]),
);

export default defineConfig({
  resolve: { alias },
  test: {
    globalSetup: [`${root}tooling/testing/src/global-setup.ts`],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: workspaceDirs.map(({ group, name }) => ({
      extends: true,
      test: {
        name,
        root: `${root}${group}/${name}`,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      },
    })),
  },
});
