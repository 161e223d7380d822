import { defaultEventTimeBounds } from '@paymetrics/metric-engine';
import {
  formatCount,
  formatFailedItemList,
  formatFailedItemView,
  formatOutcomes,
  formatReconciliation,
  pruneProcessedEvents,
  reconcile,
  retryFailedItems,
  summarizeOutcomes,
  viewFailedItem,
} from '@paymetrics/operations';
import type { Runtime } from '@paymetrics/runtime';
import { type FailedItemStatus, failedItemStatuses } from '@paymetrics/schemas';
import { discardFailedItems, type FailedItemFilter, listFailedItems } from '@paymetrics/storage-adapters';
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  instant,
  type OpsIo,
  operatorProgram,
  positiveInteger,
  runCommandLine,
  withRuntime,
} from './command-line.js';

export type { OpsIo } from './command-line.js';

/** Exit codes: 0 done (reconcile: OK), 1 error, 2 reconcile found a mismatch. */
export const ExitCode = { ok: 0, error: 1, mismatch: 2 } as const;

const DAY_MS = 86_400_000;

const LATENESS_BOUND_DAYS = defaultEventTimeBounds.maxLatenessMs / DAY_MS;

/** Forgetting eventIds younger than the lateness bound would let a repeat of them count twice. */
function retentionDays(value: string): number {
  const days = positiveInteger(value);
  if (days < LATENESS_BOUND_DAYS) {
    throw new InvalidArgumentError(
      `must be at least ${LATENESS_BOUND_DAYS} (the lateness bound): a repeated eventId younger than that would count twice`,
    );
  }
  return days;
}

function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').filter((code) => code !== '')];
}

interface SelectOptions {
  code?: string[];
  status?: FailedItemStatus;
  from?: Date;
  to?: Date;
  limit?: number;
  json?: boolean;
  dryRun?: boolean;
  reason?: string;
  now?: Date;
}

function filterOf(
  ids: readonly string[],
  options: SelectOptions,
  defaultStatus?: FailedItemStatus,
): FailedItemFilter {
  const status = options.status ?? (ids.length === 0 ? defaultStatus : undefined);
  return {
    ...(ids.length > 0 ? { ids } : {}),
    ...(options.code ? { codes: options.code } : {}),
    ...(status ? { status } : {}),
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
    ...(options.limit ? { limit: options.limit } : {}),
  };
}

function requireSelection(command: string, ids: readonly string[], options: SelectOptions): void {
  if (ids.length === 0 && !options.code && !options.from && !options.to) {
    throw new InvalidArgumentError(
      `${command} needs ids, --code or --from/--to: it never acts on every item`,
    );
  }
}

const selectOptions = (command: Command, withStatus: boolean) => {
  command
    .addOption(
      new Option('--code <code>', 'error code (repeat or comma-separate for several)').argParser(collect),
    )
    .addOption(new Option('--from <time>', 'failed at or after this ISO time').argParser(instant))
    .addOption(new Option('--to <time>', 'failed before this ISO time').argParser(instant))
    .addOption(
      new Option('--limit <n>', 'at most n items (default 100, at most 10,000)').argParser(positiveInteger),
    )
    .option('--json', 'one JSON document for machines');
  if (withStatus) {
    command.addOption(
      new Option('--status <status>', 'pending, retrying, resolved or discarded').choices(failedItemStatuses),
    );
  }
  return command;
};

/**
 * `pnpm reconcile` and `pnpm dlq ...`: parses argv (without node and script), runs against the
 * database the settings name, writes to the given streams and returns the exit code. Never throws.
 */
export async function runOps(argv: readonly string[], io: OpsIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const json = (value: unknown) => io.stdout(`${JSON.stringify(value, null, 2)}\n`);

  const withDatabase = (
    work: (database: Runtime) => Promise<void>,
    options?: { readonly archive?: boolean },
  ) => withRuntime(io, work, options);

  const program = operatorProgram('ops', io).description('paymetrics operator tools');

  program
    .command('reconcile')
    .description(
      'check that every event received was counted, dead-lettered or skipped as a duplicate, once, over a range of windows',
    )
    .addOption(
      new Option('--from <time>', 'first window checked (default: 7 days before --to)').argParser(instant),
    )
    .addOption(
      new Option(
        '--to <time>',
        'end of the windows checked (default: the latest window that can change now)',
      ).argParser(instant),
    )
    .option('--json', 'the full report as JSON')
    .addOption(new Option('--now <time>', 'the current time (tests)').argParser(instant).hideHelp())
    .action((options: { json?: boolean; now?: Date; from?: Date; to?: Date }) =>
      withDatabase(async ({ db }) => {
        const report = await reconcile(db, {
          ...(options.now ? { now: options.now } : {}),
          ...(options.from ? { from: options.from } : {}),
          ...(options.to ? { to: options.to } : {}),
        });
        if (options.json) json(report);
        else io.stdout(`${formatReconciliation(report)}\n`);
        exitCode = report.ok ? ExitCode.ok : ExitCode.mismatch;
      }),
    );

  program
    .command('prune-events')
    .description(
      'delete the eventIds of windows older than the retention (events that old are refused as too_late)',
    )
    .addOption(
      new Option('--retention-days <days>', 'keep at least the lateness bound')
        .argParser(retentionDays)
        .default(LATENESS_BOUND_DAYS),
    )
    .option('--dry-run', 'count what would be deleted')
    .option('--json', 'the report as JSON')
    .addOption(new Option('--now <time>', 'the current time (tests)').argParser(instant).hideHelp())
    .action((options: { retentionDays: number; dryRun?: boolean; json?: boolean; now?: Date }) =>
      withDatabase(async ({ db }) => {
        const report = await pruneProcessedEvents(db, {
          retentionMs: options.retentionDays * 24 * 60 * 60 * 1000,
          dryRun: options.dryRun === true,
          ...(options.now ? { now: options.now } : {}),
        });
        if (options.json) json(report);
        else {
          const verb = report.dryRun ? 'would delete' : 'deleted';
          io.stdout(
            `prune-events: ${verb} ${formatCount(report.deleted)} eventIds of windows before ${report.cutoff.toISOString()}\n`,
          );
        }
      }),
    );

  const dlq = program.command('dlq').description('dead-letter operations on failed_items');

  selectOptions(dlq.command('list').description('list failed items, oldest first'), true).action(
    (options: SelectOptions) =>
      withDatabase(async ({ db }) => {
        const items = await listFailedItems(db, filterOf([], options));
        if (options.json) json(items);
        else io.stdout(`${formatFailedItemList(items)}\n`);
      }),
  );

  dlq
    .command('show')
    .description('one failed item: the row, its payload as stored, and decoded when stored as base64')
    .argument('<id>')
    .option('--json', 'as JSON')
    .action((id: string, options: { json?: boolean }) =>
      withDatabase(async ({ db }) => {
        const [item] = /^[1-9][0-9]{0,18}$/.test(id) ? await listFailedItems(db, { ids: [id] }) : [];
        if (!item) throw new Error(`no failed item with id ${id}`);
        const view = viewFailedItem(item);
        if (options.json) json(view);
        else io.stdout(`${formatFailedItemView(view)}\n`);
      }),
    );

  selectOptions(
    dlq
      .command('retry')
      .description(
        're-run items through the pipeline now; report resolved, duplicate or still failing per item',
      )
      .argument('[ids...]'),
    false,
  )
    .option('--dry-run', 'run each item in a transaction that is rolled back; change nothing')
    .addOption(
      new Option('--now <time>', 'processing time of the re-run (tests)').argParser(instant).hideHelp(),
    )
    .action((ids: string[], options: SelectOptions) => {
      requireSelection('retry', ids, options);
      return withDatabase(
        async (database) => {
          const { store, engine, archive } = database;
          const now = options.now;
          const results = await retryFailedItems(
            { db: database.db, store, engine, archive, ...(now ? { clock: () => now.getTime() } : {}) },
            filterOf(ids, options, 'pending'),
            { dryRun: options.dryRun === true },
          );
          if (options.json) json(results);
          else
            io.stdout(
              `${formatOutcomes(results)}\n${options.dryRun ? 'dry run: ' : ''}${summarizeOutcomes(results)}\n`,
            );
          if (results.some((r) => r.outcome === 'error')) exitCode = ExitCode.error;
        },
        // Payloads over 64 KB are read back from the archive the settings name.
        { archive: true },
      );
    });

  selectOptions(
    dlq
      .command('discard')
      .description('mark pending items as discarded: they will never be counted')
      .argument('[ids...]'),
    false,
  )
    .option('--reason <text>', 'why, kept in last_error')
    .option('--dry-run', 'report what would be discarded; change nothing')
    .action((ids: string[], options: SelectOptions) => {
      requireSelection('discard', ids, options);
      return withDatabase(async ({ db }) => {
        const outcomes = await discardFailedItems(db, filterOf(ids, options, 'pending'), {
          dryRun: options.dryRun === true,
          ...(options.reason === undefined ? {} : { reason: options.reason }),
        });
        if (options.json) json(outcomes);
        else
          io.stdout(
            `${formatOutcomes(outcomes)}\n${options.dryRun ? 'dry run: ' : ''}${summarizeOutcomes(outcomes)}\n`,
          );
      });
    });

  const [first, second] = argv;
  const prefix = first === 'dlq' && second ? `dlq ${second}` : (first ?? 'ops');
  const ran = await runCommandLine(program, argv, io, prefix);
  return ran === 0 ? exitCode : ExitCode.error;
}
