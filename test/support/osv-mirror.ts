import { createHash } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** How the mirror answers a request for `<Ecosystem>/all.zip`. */
export type MirrorBehaviour = 'serve' | 'fail' | 'truncate' | 'hang-up' | 'fail-once';

export interface OsvMirror {
  readonly url: string;
  /** Requests seen, as `METHOD path`. */
  readonly requests: string[];
  behaviour: MirrorBehaviour;
  close(): Promise<void>;
}

/**
 * A local HTTP server on 127.0.0.1 serving a folder in the OSV bucket layout, with ETags, and
 * able to misbehave: answer 500, send half a zip (with a matching length), or hang up halfway.
 */
export const startOsvMirror = async (root: string): Promise<OsvMirror> => {
  const requests: string[] = [];
  const failedOnce = new Set<string>();
  const state = { behaviour: 'serve' as MirrorBehaviour };
  const send = (response: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string> = {}): void => {
    response.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
    response.end(body);
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      requests.push(`${request.method} ${request.url}`);
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://mirror').pathname);
      if (path.split('/').includes('..')) return send(response, 400, 'bad path');
      let body: Buffer;
      try {
        body = await readFile(join(root, path));
      } catch {
        return send(response, 404, 'not found');
      }
      const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
      switch (state.behaviour) {
        case 'fail':
          return send(response, 500, 'internal error');
        case 'fail-once':
          if (!failedOnce.has(path)) {
            failedOnce.add(path);
            return send(response, 503, 'try again');
          }
          break;
        case 'truncate':
          return send(response, 200, body.subarray(0, Math.floor(body.length / 2)));
        case 'hang-up':
          response.writeHead(200, { 'content-length': String(body.length) });
          response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.destroy());
          return;
        case 'serve':
          break;
      }
      if (request.headers['if-none-match'] === etag) {
        response.writeHead(304, { etag });
        return response.end();
      }
      send(response, 200, body, { etag, 'content-type': 'application/zip' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(value: MirrorBehaviour) {
      state.behaviour = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
