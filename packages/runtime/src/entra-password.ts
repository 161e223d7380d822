import type { AccessToken, TokenCredential } from '@azure/identity';

/** The scope of Microsoft Entra tokens for Azure Database for PostgreSQL. */
export const POSTGRES_ENTRA_SCOPE = 'https://ossrdbms-aad.database.windows.net/.default';

export interface EntraPasswordOptions {
  /**
   * Where tokens come from. Default: `DefaultAzureCredential`: the managed identity in Azure (the
   * one `AZURE_CLIENT_ID` names, for a user-assigned identity), the Azure CLI's sign-in on a
   * workstation and in the deploy workflow after `azure/login`.
   */
  readonly credential?: TokenCredential | undefined;
  /** A token this close to expiry is replaced before it is handed out. */
  readonly refreshBeforeExpiryInMs?: number | undefined;
  readonly now?: (() => number) | undefined;
}

/**
 * A password callback for pg (`createPool(url, { password })`): each new connection gets a valid
 * Entra access token as its password. Tokens last about an hour and PostgreSQL checks one only
 * when a connection opens, so open connections outlive it. The token is cached until shortly
 * before it expires, and connections opening together share one request, so a burst of new
 * connections (every partition at start) asks Entra ID once.
 */
export function entraPassword(options: EntraPasswordOptions = {}): () => Promise<string> {
  const refreshBeforeExpiryInMs = options.refreshBeforeExpiryInMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let credential = options.credential;
  let cached: AccessToken | undefined;
  let pending: Promise<AccessToken> | undefined;

  const request = async (): Promise<AccessToken> => {
    // Loaded on first use: @azure/identity costs ~40 MB and seconds of start-up to every process.
    credential ??= new (await import('@azure/identity')).DefaultAzureCredential();
    const token = await credential.getToken(POSTGRES_ENTRA_SCOPE);
    if (!token) throw new Error(`no Entra ID token for ${POSTGRES_ENTRA_SCOPE}`);
    cached = token;
    return token;
  };

  return async () => {
    if (cached && cached.expiresOnTimestamp - refreshBeforeExpiryInMs > now()) return cached.token;
    pending ??= request().finally(() => {
      pending = undefined;
    });
    return (await pending).token;
  };
}
