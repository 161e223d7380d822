import { resolve } from 'node:path';
import { Command } from 'commander';
import { describeFailure, formatStatusTable } from './cli-messages.js';
import { readCliSettings } from './cli-settings.js';
import { migrateToLatest } from './migrate-to-latest.js';
import { migrationStatus } from './migration-status.js';
import { type DatabaseTarget, openDatabase } from './open-database.js';
import { defaultSchemaDir } from './schema-files.js';

interface CliOptions {
  readonly dryRun?: boolean;
  readonly schemaDir?: string;
}

const settings = readCliSettings(process.env, process.cwd());

async function withDatabase(work: (target: DatabaseTarget) => Promise<void>): Promise<void> {
  let target: DatabaseTarget | undefined;
  try {
    target = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
    await work(target);
  } catch (error) {
    process.stderr.write(`${describeFailure(error, settings.databaseUrl !== undefined)}\n`);
    process.exitCode = 1;
  } finally {
    await target?.close();
  }
}

function schemaDirOf(options: CliOptions): string {
  return options.schemaDir ? resolve(settings.baseDir, options.schemaDir) : defaultSchemaDir;
}

const program = new Command('migrate')
  .description(
    'Applies database/schemas/*.sql in order to DATABASE_URL, or to the embedded database in PAYMETRICS_DATA_DIR',
  )
  .option('--dry-run', 'list the files that would be applied; apply nothing')
  .option('--schema-dir <dir>', 'folder of *.sql schema files (default: database/schemas)')
  .action((options: CliOptions) =>
    withDatabase(async (target) => {
      const schemaDir = schemaDirOf(options);
      if (options.dryRun) {
        const report = await migrateToLatest(target.db, { schemaDir, dryRun: true });
        for (const file of report.pending) console.log(`would apply ${file}`);
        console.log(
          `dry run: ${report.pending.length} of ${report.results.length} files would be applied to ${target.description}; nothing was changed`,
        );
        return;
      }
      const report = await migrateToLatest(target.db, {
        schemaDir,
        onFileApplied: (file) => console.log(`applied ${file}`),
      });
      console.log(
        report.applied.length === 0
          ? `nothing to apply: all ${report.results.length} files already applied to ${target.description}`
          : `${report.applied.length} of ${report.results.length} files applied to ${target.description}; the schema is up to date`,
      );
    }),
  );

program
  .command('status')
  .description('list each schema file, applied or pending')
  .action((_options: unknown, command: Command) =>
    withDatabase(async (target) => {
      const files = await migrationStatus(target.db, { schemaDir: schemaDirOf(command.optsWithGlobals()) });
      console.log(`database: ${target.description}`);
      console.log(formatStatusTable(files));
    }),
  );

await program.parseAsync(process.argv);
