import { createRuntime, type Runtime, readSettings } from '@paymetrics/runtime';

type Log = (message: string) => void;

let current: Promise<Runtime> | undefined;

/**
 * The runtime, created on first use and reused by every later invocation in this process, so
 * a handler works the same when the Functions host, a test or another host calls it. A failed
 * creation (a bad setting) is not cached: the next invocation tries again and fails loudly again.
 */
export function getRuntime(log: Log = console.warn): Promise<Runtime> {
  if (!current) {
    const creating = Promise.resolve().then(() => openFunctionRuntime(process.env, log));
    current = creating;
    creating.catch(() => {
      if (current === creating) current = undefined;
    });
  }
  return current;
}

/**
 * The Function's reading of the shared runtime: DATABASE_URL is required (the app folder is
 * read-only, so no embedded database), the schema is the deployment's job, and a database that
 * is down at a cold start fails the batch as retryable instead of looking like a bad setting.
 */
export function openFunctionRuntime(env: NodeJS.ProcessEnv, log: Log): Promise<Runtime> {
  const settings = readSettings(env, { cwd: process.cwd(), embeddedDefault: false });
  return createRuntime(settings, {
    schema: 'trust',
    verifyConnection: false,
    pool: { onConnectionLost: (error) => log(`postgres pool: idle connection lost (${error.message})`) },
  });
}

/** Closes the shared runtime (the app's terminate hook; tests between databases). The next use creates a new one. */
export async function closeRuntime(): Promise<void> {
  const closing = current;
  current = undefined;
  if (!closing) return;
  const runtime = await closing.catch(() => undefined);
  await runtime?.close();
}
