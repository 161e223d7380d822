#!/usr/bin/env node
// Keeps the TypeScript project references in step with the workspace, so `tsc -b` type-checks
// every package once. Each package's tsconfig.json references the tsconfig.json of each
// @paymetrics/* package it depends on (package.json dependencies, devDependencies,
// peerDependencies); the root tsconfig.json references every project of the workspace.
//
//   node scripts/project-references.mjs           write the references (after adding a package or a dependency)
//   node scripts/project-references.mjs --check   exit 1, one line per problem, if they are out of step
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const GROUPS = ['packages', 'apps', 'tooling'];

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const posix = (path) => path.split('\\').join('/');

/** Every workspace package: its folder, name and the @paymetrics/* packages it depends on. */
function workspacePackages() {
  const found = [];
  for (const group of GROUPS) {
    for (const entry of readdirSync(join(root, group), { withFileTypes: true })) {
      const dir = join(root, group, entry.name);
      if (!entry.isDirectory() || !existsSync(join(dir, 'package.json'))) continue;
      const manifest = readJson(join(dir, 'package.json'));
      const deps = { ...manifest.dependencies, ...manifest.devDependencies, ...manifest.peerDependencies };
      found.push({
        dir,
        name: manifest.name,
        deps: Object.keys(deps).filter((dep) => dep.startsWith('@paymetrics/')),
      });
    }
  }
  return found.sort((a, b) => (a.dir < b.dir ? -1 : 1));
}

/** Further projects of a package beside tsconfig.json (e.g. a browser build), the build configs aside. */
function extraProjects(dir) {
  return readdirSync(dir)
    .filter((file) => /^tsconfig\..+\.json$/.test(file) && file !== 'tsconfig.build.json')
    .sort();
}

function expectedReferences() {
  const packages = workspacePackages();
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
  const problems = [];
  const files = new Map();
  const rootRefs = [];
  for (const pkg of packages) {
    const where = posix(relative(root, pkg.dir));
    if (!existsSync(join(pkg.dir, 'tsconfig.json'))) {
      problems.push(`${where} has no tsconfig.json`);
      continue;
    }
    const refs = [];
    for (const dep of pkg.deps) {
      const target = byName.get(dep);
      if (!target) problems.push(`${where} depends on ${dep}, which is not a workspace package`);
      else refs.push({ path: posix(relative(pkg.dir, target.dir)) });
    }
    refs.sort((a, b) => (a.path < b.path ? -1 : 1));
    files.set(join(pkg.dir, 'tsconfig.json'), refs);
    rootRefs.push({ path: where });
    for (const extra of extraProjects(pkg.dir)) {
      files.set(join(pkg.dir, extra), refs);
      rootRefs.push({ path: `${where}/${extra}` });
    }
  }
  return { files, rootRefs, problems };
}

const same = (a, b) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

function main() {
  const check = process.argv.includes('--check');
  const { files, rootRefs, problems } = expectedReferences();
  const rootPath = join(root, 'tsconfig.json');
  const rootConfig = existsSync(rootPath) ? readJson(rootPath) : {};
  const wanted = new Map([[rootPath, { ...rootConfig, files: [], references: rootRefs }]]);
  for (const [path, refs] of files) {
    const config = readJson(path);
    const { references: _old, ...rest } = config;
    wanted.set(path, refs.length > 0 ? { ...rest, references: refs } : rest);
  }
  const changed = [];
  for (const [path, config] of wanted) {
    const current = existsSync(path) ? readJson(path) : undefined;
    const label = posix(relative(root, path));
    if (path === rootPath) {
      if (!current || !same(current.references, config.references) || !same(current.files, [])) {
        if (check) {
          const listed = new Set((current?.references ?? []).map((ref) => ref.path));
          const missing = config.references.filter((ref) => !listed.has(ref.path)).map((ref) => ref.path);
          problems.push(
            `tsconfig.json: references must list every workspace project${missing.length ? `; missing ${missing.join(', ')}` : ' (extra or out of order)'}`,
          );
        }
        changed.push(path);
      }
    } else if (!same(current.references, config.references)) {
      if (check) problems.push(`${label}: references must be ${JSON.stringify(config.references ?? [])}`);
      changed.push(path);
    }
  }
  if (check) {
    if (problems.length > 0) {
      for (const problem of problems) process.stderr.write(`${problem}\n`);
      process.stderr.write('run `node scripts/project-references.mjs` to write the references\n');
      process.exit(1);
    }
    return;
  }
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
  for (const path of changed) writeFileSync(path, `${JSON.stringify(wanted.get(path), null, 2)}\n`);
  if (changed.length > 0) {
    execFileSync('pnpm', ['exec', 'biome', 'format', '--write', ...changed], { cwd: root, stdio: 'ignore' });
    process.stdout.write(
      `references written: ${changed.map((path) => posix(relative(root, path))).join(', ')}\n`,
    );
  }
}

main();
