import type { ApiErrorBody } from '../../../src/central/api/contract.js';
import { CentralError } from '../../../src/central-client/error.js';
import { currentToken, forgetToken } from '../auth/token.js';

/** An answer other than 2xx, as the API states it: the same error the CLI's client raises. */
export { CentralError };

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** `/api/v1/x?a=1`: the query's defined values, in order. */
export const apiPath = (path: string, query: Query = {}): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
};

const errorOf = async (response: Response): Promise<CentralError> => {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<ApiErrorBody>;
    if (typeof body.code === 'string' && typeof body.message === 'string') return new CentralError(response.status, body.code, body.message, body.field);
  } catch {
    // Not the API's JSON (a proxy's page): the status speaks.
  }
  return new CentralError(response.status, `http-${response.status}`, text.slice(0, 200) || response.statusText);
};

/** A call with the session's token; a 401 forgets the token, so the console asks for one again. */
export const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const token = currentToken();
  const response = await fetch(path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401) forgetToken(error.message);
    throw error;
  }
  return (await response.json()) as T;
};

export const get = <T>(path: string, query?: Query): Promise<T> => call<T>('GET', apiPath(path, query));

/** An answer as text (a YAML export). */
export const getText = async (path: string, query?: Query): Promise<string> => {
  const token = currentToken();
  const response = await fetch(apiPath(path, query), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw await errorOf(response);
  return response.text();
};

/** A file the API makes (CSV, SBOM) saved by the browser under the name the server gives. */
export const download = async (path: string, query?: Query): Promise<void> => {
  const token = currentToken();
  const response = await fetch(apiPath(path, query), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw await errorOf(response);
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'export';
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
};
