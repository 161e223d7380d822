import { defaultSchemaDir, migrateToLatest, migrationStatus } from '@paymetrics/migrations';
import {
  type OpenedDatabase,
  openDatabase,
  readSettings,
  resolveUserPath,
  type Settings,
} from '@paymetrics/runtime';
import { Command } from 'commander';
import { failureLine, formatStatusTable } from './cli-messages.js';

interface CliOptions {
  readonly dryRun?: boolean;
  readonly schemaDir?: string;
}

async function withDatabase(
  work: (target: OpenedDatabase, settings: Settings) => Promise<void>,
): Promise<void> {
  let target: OpenedDatabase | undefined;
  try {
    const settings = readSettings(process.env, { cwd: process.cwd() });
    target = await openDatabase({
      databaseUrl: settings.databaseUrl,
      databaseAuth: settings.databaseAuth,
      dataDir: settings.dataDir,
      pool: settings.pool,
    });
    await work(target, settings);
  } catch (error) {
    process.stderr.write(`${failureLine(error)}\n`);
    process.exitCode = 1;
  } finally {
    await target?.close();
  }
}

function schemaDirOf(options: CliOptions, settings: Settings): string {
  return options.schemaDir ? resolveUserPath(settings, options.schemaDir) : defaultSchemaDir;
}

const program = new Command('migrate')
  .description(
    'Applies database/schemas/*.sql in order to DATABASE_URL, or to the embedded database in PAYMETRICS_DATA_DIR',
  )
  .option('--dry-run', 'list the files that would be applied; apply nothing')
  .option('--schema-dir <dir>', 'folder of *.sql schema files (default: database/schemas)')
  .action((options: CliOptions) =>
    withDatabase(async (target, settings) => {
      const schemaDir = schemaDirOf(options, settings);
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
    withDatabase(async (target, settings) => {
      const schemaDir = schemaDirOf(command.optsWithGlobals(), settings);
      const files = await migrationStatus(target.db, { schemaDir });
      console.log(`database: ${target.description}`);
      console.log(formatStatusTable(files));
    }),
  );

await program.parseAsync(process.argv);
