import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from '@cdktf/hcl2json';

/**
 * One Terraform file as @cdktf/hcl2json renders it: blocks become objects keyed by their labels
 * (every labelled block is an array, since a label may repeat), literal values stay values, and
 * any expression is kept as its source text wrapped in `${...}`.
 */
export type HclJson = { readonly [key: string]: unknown };

export interface TerraformFile {
  /** Path relative to infra/terraform, e.g. `modules/monitoring/alerts.tf`. */
  readonly path: string;
  readonly json: HclJson;
}

/** Every `.tf` file under `dir`, parsed offline (no provider, no `terraform init`). */
export async function loadTerraformFiles(dir: string): Promise<TerraformFile[]> {
  const paths = listFiles(dir).filter((path) => path.endsWith('.tf'));
  return Promise.all(
    paths.map(async (path) => ({
      path: relative(dir, path),
      json: (await parse(path, readFileSync(path, 'utf8'))) as HclJson,
    })),
  );
}

/** A `.tfvars` (or `.tfvars.example`) file parsed like a `.tf` file. */
export async function loadTfvars(path: string): Promise<HclJson> {
  return (await parse(path, readFileSync(path, 'utf8'))) as HclJson;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.'))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? listFiles(path) : [path];
    })
    .sort();
}

export interface ResourceBlock {
  readonly file: string;
  readonly type: string;
  readonly name: string;
  readonly body: Record<string, unknown>;
}

/** Every `resource "<type>" "<name>"` block, optionally of one type. */
export function resources(files: readonly TerraformFile[], type?: string): ResourceBlock[] {
  return files.flatMap((file) =>
    Object.entries(asRecord(file.json.resource)).flatMap(([resourceType, byName]) =>
      type !== undefined && resourceType !== type
        ? []
        : Object.entries(asRecord(byName)).flatMap(([name, bodies]) =>
            asArray(bodies).map((body) => ({
              file: file.path,
              type: resourceType,
              name,
              body: asRecord(body),
            })),
          ),
    ),
  );
}

export interface VariableBlock {
  readonly file: string;
  readonly name: string;
  readonly body: Record<string, unknown>;
}

/** Every `variable` block of the files whose path starts with `prefix` (`variables.tf`, `modules/x/`). */
export function variables(files: readonly TerraformFile[], prefix = ''): VariableBlock[] {
  return blocksByName(files, 'variable', prefix);
}

export function outputs(files: readonly TerraformFile[], prefix = ''): VariableBlock[] {
  return blocksByName(files, 'output', prefix);
}

export function modules(files: readonly TerraformFile[], prefix = ''): VariableBlock[] {
  return blocksByName(files, 'module', prefix);
}

/** The merged `locals` of one file. */
export function locals(files: readonly TerraformFile[], path: string): Record<string, unknown> {
  const file = files.find((candidate) => candidate.path === path);
  if (!file) throw new Error(`no Terraform file ${path}`);
  return Object.assign({}, ...asArray(file.json.locals).map(asRecord));
}

function blocksByName(files: readonly TerraformFile[], kind: string, prefix: string): VariableBlock[] {
  return files
    .filter((file) => isUnder(file.path, prefix))
    .flatMap((file) =>
      Object.entries(asRecord(file.json[kind])).flatMap(([name, bodies]) =>
        asArray(bodies).map((body) => ({ file: file.path, name, body: asRecord(body) })),
      ),
    );
}

/** `''` means the root module only (not modules/...). */
function isUnder(path: string, prefix: string): boolean {
  return prefix === '' ? !path.includes('/') : path.startsWith(prefix);
}

/** The first (usually only) body of a nested block such as `criteria { ... }`. */
export function block(body: Record<string, unknown>, name: string): Record<string, unknown> {
  const [first] = asArray(body[name]);
  if (first === undefined) throw new Error(`no ${name} block`);
  return asRecord(first);
}

/** Every string anywhere in a parsed value, with the dotted path to it. */
export function strings(value: unknown, path = ''): Array<{ path: string; value: string }> {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => strings(item, `${path}[${index}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => strings(item, path ? `${path}.${key}` : key));
  }
  return [];
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** How hcl2json renders an expression: `hcl('var.x')` is `${var.x}`. */
export const hcl = (expression: string): string => `\${${expression}}`;
