import { clientCredentials, type GetToken } from 'cdf-loader';
import { UsageError } from './args.js';

/** Where and as whom the CLI talks to CDF. */
export interface Connection {
  baseUrl: string;
  project: string;
  getToken: GetToken;
}

const CLIENT_CREDENTIAL_VARS = ['CDF_TOKEN_URL', 'CDF_CLIENT_ID', 'CDF_CLIENT_SECRET', 'CDF_SCOPES'] as const;
const TOKEN_HINT = 'CDF_TOKEN, or CDF_TOKEN_URL, CDF_CLIENT_ID and CDF_CLIENT_SECRET';

/**
 * The connection from `CDF_BASE_URL`, `CDF_PROJECT` and either `CDF_TOKEN` or OAuth client
 * credentials (`CDF_TOKEN_URL`, `CDF_CLIENT_ID`, `CDF_CLIENT_SECRET`, `CDF_SCOPES`).
 * @throws {UsageError} naming what is missing or wrong; never a token or a secret.
 */
export function connectionFromEnv(env: Readonly<Record<string, string | undefined>>): Connection {
  const set = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const baseUrl = set('CDF_BASE_URL');
  const project = set('CDF_PROJECT');
  const token = set('CDF_TOKEN');
  const clientVars = CLIENT_CREDENTIAL_VARS.filter((name) => set(name) !== undefined);
  if (token !== undefined && clientVars.length > 0) {
    throw new UsageError(`CDF_TOKEN is set together with ${clientVars.join(', ')}: give either a token or OAuth client credentials, not both`);
  }
  const missing: string[] = [];
  if (baseUrl === undefined) missing.push('CDF_BASE_URL');
  if (project === undefined) missing.push('CDF_PROJECT');
  if (token === undefined && clientVars.length === 0) missing.push(TOKEN_HINT);
  if (token === undefined && clientVars.length > 0) missing.push(...['CDF_TOKEN_URL', 'CDF_CLIENT_ID', 'CDF_CLIENT_SECRET'].filter((name) => set(name) === undefined));
  if (missing.length > 0) throw new UsageError(`Set the environment variables CDF_BASE_URL, CDF_PROJECT and a token; missing: ${missing.join(', ')}`);
  const cluster = checkUrl('CDF_BASE_URL', baseUrl!, 'https://westeurope-1.cognitedata.com');
  if (token !== undefined) return { baseUrl: cluster, project: project!, getToken: () => token };
  try {
    const getToken = clientCredentials({
      tokenUrl: checkUrl('CDF_TOKEN_URL', set('CDF_TOKEN_URL')!, 'https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token'),
      clientId: set('CDF_CLIENT_ID')!,
      clientSecret: set('CDF_CLIENT_SECRET')!,
      scopes: set('CDF_SCOPES') ?? `${cluster}/.default`,
    });
    return { baseUrl: cluster, project: project!, getToken };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`The client credentials in CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET and CDF_SCOPES are not usable: ${(error as Error).message}`);
  }
}

/**
 * The URL without a trailing slash.
 * @throws {UsageError} for anything but an http(s) URL; the value is shown for CDF_BASE_URL only,
 *   since a token URL may hold credentials.
 */
function checkUrl(name: string, value: string, example: string): string {
  const protocol = URL.canParse(value) ? new URL(value).protocol : undefined;
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new UsageError(`${name} must be an http(s) URL such as ${example}${name === 'CDF_BASE_URL' ? `, got '${value}'` : ''}`);
  }
  return value.replace(/\/+$/, '');
}
