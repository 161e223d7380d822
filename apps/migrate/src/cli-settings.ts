import { resolve } from 'node:path';

export interface CliSettings {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Where relative paths on the command line and in settings resolve from. */
  readonly baseDir: string;
}

/**
 * Reads DATABASE_URL and PAYMETRICS_DATA_DIR. `pnpm migrate` runs this inside apps/migrate,
 * so relative paths resolve against INIT_CWD, the directory pnpm was started in: from the
 * repo root the default data folder is `<repo>/.data`, where the other apps look for it.
 */
export function readCliSettings(env: NodeJS.ProcessEnv, cwd: string): CliSettings {
  const baseDir = env.INIT_CWD || cwd;
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(baseDir, env.PAYMETRICS_DATA_DIR || '.data'),
    baseDir,
  };
}
