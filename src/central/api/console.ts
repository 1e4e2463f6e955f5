import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The console as the package builds it (`vite build` into dist/ui), beside the compiled server. */
export const PACKAGED_CONSOLE = new URL('../../../ui/', import.meta.url).pathname;

/**
 * What the console may load: its own scripts, styles (React sets style attributes) and API; no
 * framing. The token stays in the tab, so a script from elsewhere must not run beside it.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const secure = (reply: FastifyReply): FastifyReply =>
  reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');

/** Paths that are the API's, never the console's: an unknown one is the API's 404, as JSON. */
const API_PATH = /^\/(api|metrics|healthz|readyz)(\/|$)/;

/**
 * The web console: API routes first (they are declared before), then the built files (hashed
 * names, cached for good), then index.html for any other GET, so a client route (`/risk?workload=…`)
 * opened or reloaded works. Answers the page for the not-found handler to send; undefined without
 * a built console (the server is then the API alone).
 */
export const registerConsole = async (app: FastifyInstance, directory: string | false): Promise<((reply: FastifyReply) => FastifyReply) | undefined> => {
  if (directory === false || !existsSync(join(directory, 'index.html'))) return undefined;
  const index = await readFile(join(directory, 'index.html'));
  await app.register(fastifyStatic, {
    root: directory,
    prefix: '/',
    index: false,
    wildcard: false,
    setHeaders: (reply, path) => {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const page = (reply: FastifyReply): FastifyReply =>
    secure(reply).status(200).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  app.get('/', { schema: { hide: true } }, (_request, reply) => page(reply));
  return page;
};

/** A GET the console answers (a client route): not an API path, not a file. */
export const isConsoleRoute = (request: FastifyRequest): boolean => {
  const path = request.url.split('?')[0] ?? '';
  return (request.method === 'GET' || request.method === 'HEAD') && !API_PATH.test(path) && !/\.[a-z0-9]+$/i.test(path);
};
