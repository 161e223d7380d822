import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const schemaDir = fileURLToPath(new URL('../../../../database/schemas/', import.meta.url));

/** database/schemas/*.sql in apply order, each a whole script (until apps/migrate does this). */
export function schemaScripts(): string[] {
  return readdirSync(schemaDir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => readFileSync(`${schemaDir}${name}`, 'utf8'));
}
