import { SettingError } from './setting-error.js';

/**
 * `postgres://user@host:5432/db` for messages: no password, no query string (it may hold
 * `password=` or key material). Throws a SettingError naming DATABASE_URL without echoing the
 * value, which may contain a password.
 */
export function describeDatabaseUrl(databaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw invalid('it is not a URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw invalid(`the scheme is ${url.protocol.replace(/:$/, '')}, not postgres or postgresql`);
  }
  const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
  const database = url.pathname === '/' ? '' : url.pathname;
  if (url.hostname) return `${url.protocol}//${user}${url.hostname}:${url.port || '5432'}${database}`;
  // No host: libpq's default socket, or the socket folder given as ?host=.
  const socket = url.searchParams.get('host');
  return `${url.protocol}//${user}${database}${socket ? `?host=${socket}` : ''}`;
}

/** The password in `databaseUrl`, decoded, so messages can be scrubbed of it. */
export function passwordOf(databaseUrl: string): string | undefined {
  try {
    const { password } = new URL(databaseUrl);
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

/** `databaseUrl` without its password, for a pool whose password comes from elsewhere. */
export function withoutPassword(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.password = '';
  return url.toString();
}

function invalid(why: string): SettingError {
  return new SettingError(
    'DATABASE_URL',
    `DATABASE_URL is not a PostgreSQL connection URL (${why}); expected postgres://user:password@host:port/database`,
  );
}
