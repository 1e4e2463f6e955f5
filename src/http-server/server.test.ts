import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { clientCertificateVerified, createHttpServer, listen, readBody, RequestBodyError, sendJson } from './index.js';

const post = (port: number, body: Buffer, headers: Record<string, string | number> = {}): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/octet-stream', ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });

/** A server that echoes the size of a body of at most 1 KiB. */
const echoServer = async (errors: string[], limits: { maxConnectionsPerSource?: number } = {}) => {
  const server = createHttpServer({ onError: (message) => errors.push(message), ...limits }, (request, response) => {
    readBody(request, 1024).then(
      (body) => sendJson(response, 200, { bytes: body.length, verified: clientCertificateVerified(request) }),
      (error: unknown) => sendJson(response, error instanceof RequestBodyError ? error.status : 500, { error: (error as Error).message }),
    );
  });
  const port = await listen(server, 0, '127.0.0.1');
  return { server, port };
};

describe('the HTTP server adapter', () => {
  it('answers within the body limit, and refuses a body over it by its declared length and while it streams', async () => {
    const { server, port } = await echoServer([]);
    try {
      assert.deepEqual(JSON.parse((await post(port, Buffer.alloc(1000))).text), { bytes: 1000, verified: false });
      const declared = await post(port, Buffer.alloc(2048));
      assert.equal(declared.status, 413);
      assert.match(declared.text, /request body of 2048 bytes is over the 1024-byte limit/);
      // Chunked: no declared length, so the limit is met while reading.
      const streamed = await post(port, Buffer.alloc(4096), { 'transfer-encoding': 'chunked' });
      assert.deepEqual(streamed, { status: 413, text: '{"error":"request body over the 1024-byte limit"}' });
    } finally {
      server.close();
    }
  });

  it('closes connections from one address past the cap, and says so once', async () => {
    const errors: string[] = [];
    const { server, port } = await echoServer(errors, { maxConnectionsPerSource: 2 });
    const sockets: Socket[] = [];
    try {
      const closed = await Promise.all(
        [0, 1, 2, 3].map(
          (index) =>
            new Promise<boolean>((resolve) => {
              const socket = connect(port, '127.0.0.1');
              sockets.push(socket);
              socket.once('close', () => resolve(true));
              // Held connections stay open; a refused one is closed at once.
              setTimeout(() => resolve(false), 300 + index);
            }),
        ),
      );
      assert.equal(closed.filter(Boolean).length, 2);
      assert.deepEqual(errors, ['more than 2 connections from 127.0.0.1; new ones are closed until some end']);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it('reports a port in use as an error, not a crash', async () => {
    const { server, port } = await echoServer([]);
    try {
      const second = createHttpServer({ onError: () => undefined }, () => undefined);
      await assert.rejects(listen(second, port, '127.0.0.1'), /EADDRINUSE/);
    } finally {
      server.close();
    }
  });
});
