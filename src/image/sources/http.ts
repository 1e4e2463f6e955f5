import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { ImageSourceError } from './types.js';

export interface HttpOptions {
  /** Extra CA certificates (PEM) trusted besides the system ones. */
  readonly ca?: string | Buffer;
  /** Hosts (`host:port`) whose certificates are not checked (`--insecure-registry`: the registry's own host only). */
  readonly insecureHosts?: ReadonlySet<string>;
  /** Per-request time without progress before giving up. */
  readonly timeoutMs?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  /** The final URL after redirects. */
  readonly url: string;
  readonly body: IncomingMessage;
}

const MAX_REDIRECTS = 5;

/** A URL from a server (a redirect, a token realm): http or https only, or an error naming where it came from. */
export const serverUrl = (text: string, base: URL | undefined, what: string): URL => {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new ImageSourceError(`${what} ${JSON.stringify(text.slice(0, 200))} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ImageSourceError(`${what} ${JSON.stringify(url.toString().slice(0, 200))} is not an http or https URL; refused`);
  return url;
};

/**
 * One GET (or POST), following redirects (registries send blobs to object storage). Credentials are
 * sent only to the host they were meant for: a redirect elsewhere drops the Authorization header,
 * and a POST (which carries a token in its body) is never sent on to another host.
 */
export const send = async (
  url: string,
  init: { readonly method?: 'GET' | 'HEAD' | 'POST'; readonly headers?: Readonly<Record<string, string>>; readonly body?: string },
  options: HttpOptions,
): Promise<HttpResponse> => {
  let current = serverUrl(url, undefined, 'URL');
  let headers: Record<string, string> = { 'user-agent': 'kubeward', ...init.headers };
  const origin = current.host;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await once(current, init.method ?? 'GET', headers, init.body, options);
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location) {
      response.body.destroy();
      const next = serverUrl(location, current, `${current.host} redirected to`);
      if (next.protocol === 'http:' && current.protocol === 'https:')
        throw new ImageSourceError(`${current.host} redirected to plain HTTP (${next.host}); refused`);
      if (next.host !== origin) {
        if (init.body !== undefined) throw new ImageSourceError(`${current.host} redirected a token request to another host (${next.host}); refused`);
        headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'authorization'));
      }
      current = next;
      continue;
    }
    return { ...response, url: current.toString() };
  }
  throw new ImageSourceError(`${url}: more than ${MAX_REDIRECTS} redirects`);
};

/** The system's CA certificates plus the extra ones: node's `ca` option replaces the defaults otherwise. */
const trusted = (extra: string | Buffer): (string | Buffer)[] => [...rootCertificates, extra];

const once = (url: URL, method: string, headers: Record<string, string>, body: string | undefined, options: HttpOptions): Promise<Omit<HttpResponse, 'url'>> =>
  new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const requestOptions = {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      ...(secure ? { rejectUnauthorized: !(options.insecureHosts?.has(url.host) ?? false), ...(options.ca ? { ca: trusted(options.ca) } : {}) } : {}),
    };
    const request = (secure ? httpsRequest : httpRequest)(url, requestOptions, (response) => {
      response.setTimeout(options.timeoutMs ?? 60_000, () =>
        response.destroy(new ImageSourceError(`${url.host}: no data for ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s`)),
      );
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body: response });
    });
    request.setTimeout(options.timeoutMs ?? 60_000, () =>
      request.destroy(new ImageSourceError(`${url.host}: no answer within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s`)),
    );
    request.on('error', (error: NodeJS.ErrnoException) => reject(error instanceof ImageSourceError ? error : connectionError(url, error)));
    request.end(body);
  });

const connectionError = (url: URL, error: NodeJS.ErrnoException): ImageSourceError => {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return new ImageSourceError(`${url.host}: connection refused`, 'is the registry running and the host and port right?');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ImageSourceError(`${url.hostname}: host not found`);
  if (code === 'EPROTO' || /wrong version number|packet length too long/i.test(error.message)) {
    return new ImageSourceError(`${url.host}: not speaking TLS (a plain HTTP server?)`, 'for a registry on plain HTTP, add --insecure-registry');
  }
  if (/certificate|self.signed|CERT_|unable to verify/i.test(`${code} ${error.message}`)) {
    return new ImageSourceError(
      `${url.host}: TLS certificate not trusted (${error.message.split('\n')[0]})`,
      'give its CA with --registry-ca <file>, or --insecure-registry to skip verification',
    );
  }
  return new ImageSourceError(`${url.host}: ${error.message.split('\n')[0]}`);
};

/** Reads a response body whole, refusing more than `limit` bytes. */
export const readBody = async (response: HttpResponse, limit: number, what: string): Promise<Buffer> => {
  const declared = Number(response.headers['content-length'] ?? Number.NaN);
  if (declared > limit) {
    response.body.destroy();
    throw new ImageSourceError(`${what} is ${declared} bytes, over the ${limit}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      response.body.destroy();
      throw new ImageSourceError(`${what} is over the ${limit}-byte limit`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
};

/**
 * Why a registry refused, from its error body (`{"errors":[{"code":"DENIED","message":"..."}]}`),
 * read up to 64 KiB; the body is then dropped, so an endless one cannot keep the process alive.
 */
export const errorDetail = async (response: HttpResponse): Promise<string> => {
  try {
    const body = await readBody(response, 64 * 1024, 'error body');
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    const details = (parsed.errors ?? []).map((error) => [error.code, error.message].filter(Boolean).join(': ')).filter(Boolean);
    return details.length > 0 ? ` (${details.join('; ').replace(/\s+/g, ' ').slice(0, 300)})` : '';
  } catch {
    response.body.destroy();
    return '';
  }
};
