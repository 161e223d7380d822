import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationNameOf, parseMigrationName } from './migration-name.js';
import { defaultSchemaDir, readSchemaFiles, schemaChecksum } from './schema-files.js';

describe('readSchemaFiles', () => {
  it('finds the repository schema folder', () => {
    expect(defaultSchemaDir.endsWith(join('database', 'schemas'))).toBe(true);
    expect(existsSync(join(defaultSchemaDir, '01_payment_metrics_5m.sql'))).toBe(true);
  });

  it('reads only *.sql files, sorted by name, each with its checksum', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paymetrics-schema-files-'));
    try {
      await writeFile(join(dir, '10_b.sql'), 'select 2;');
      await writeFile(join(dir, '02_a.sql'), 'select 1;');
      await writeFile(join(dir, 'README.md'), 'not sql');
      const files = await readSchemaFiles(dir);
      expect(files.map((f) => f.name)).toEqual(['02_a.sql', '10_b.sql']);
      expect(files[0]).toEqual({ name: '02_a.sql', sql: 'select 1;', checksum: schemaChecksum('select 1;') });
      expect(files[0]?.checksum).toMatch(/^[0-9a-f]{16}$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('schemaChecksum', () => {
  it('changes with the content but not with CRLF line endings', () => {
    expect(schemaChecksum('a;\nb;\n')).toBe(schemaChecksum('a;\r\nb;\r\n'));
    expect(schemaChecksum('a;\nb;\n')).not.toBe(schemaChecksum('a;\nb; \n'));
  });
});

describe('migration names', () => {
  it('carry the checksum and parse back', () => {
    const name = migrationNameOf({ name: '01_x@y.sql', checksum: '0123456789abcdef' });
    expect(name).toBe('01_x@y.sql@0123456789abcdef');
    expect(parseMigrationName(name)).toEqual({ file: '01_x@y.sql', checksum: '0123456789abcdef' });
    expect(parseMigrationName('legacy')).toEqual({ file: 'legacy', checksum: undefined });
  });
});
