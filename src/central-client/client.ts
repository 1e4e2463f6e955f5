import { readFileSync } from 'node:fs';
import { Agent, fetch } from 'undici';
import { CentralError } from './error.js';

export { CentralError };

export interface CentralConnection {
  /** `https://central.example:8443` */
  readonly url: string;
  readonly token: string;
  /** A CA bundle (PEM) that central's certificate chains to, when it is not a public one. */
  readonly caFile?: string | undefined;
  readonly timeoutMs?: number | undefined;
  readonly userAgent?: string | undefined;
}

export interface CentralClient {
  readonly url: string;
  /** A JSON request to central's API; a non-2xx answer throws a CentralError, a network failure its cause. */
  readonly request: <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) => Promise<T>;
  readonly close: () => Promise<void>;
}

/** One client for every front end that talks to central: sensor, CI push, admission webhook. */
export const connectToCentral = (connection: CentralConnection): CentralClient => {
  const base = connection.url.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(base)) throw new Error(`the central URL must start with http:// or https://: ${connection.url}`);
  const dispatcher = new Agent({
    connect: connection.caFile ? { ca: readFileSync(connection.caFile) } : {},
    keepAliveTimeout: 30_000,
    bodyTimeout: connection.timeoutMs ?? 60_000,
    headersTimeout: connection.timeoutMs ?? 60_000,
  });
  return {
    url: base,
    request: async <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${base}${path}`, {
        method,
        dispatcher,
        headers: {
          authorization: `Bearer ${connection.token}`,
          accept: 'application/json',
          'user-agent': connection.userAgent ?? 'kubeward',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(connection.timeoutMs ?? 60_000),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (!response.ok) {
        const error = (parsed ?? {}) as { code?: unknown; message?: unknown; field?: unknown };
        throw new CentralError(
          response.status,
          typeof error.code === 'string' ? error.code : `http-${response.status}`,
          typeof error.message === 'string' ? error.message : `central answered HTTP ${response.status}: ${text.slice(0, 200)}`,
          typeof error.field === 'string' ? error.field : undefined,
        );
      }
      return parsed as T;
    },
    close: () => dispatcher.close(),
  };
};
