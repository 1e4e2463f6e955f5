import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request the server refuses before reading it through: the status to answer and why. */
export class RequestBodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RequestBodyError';
  }
}

/**
 * A request's body, refused with a 413 as soon as it is known to be over `maxBytes` (by its
 * declared length, or while it streams in): an oversized request costs no more than the limit.
 */
export const readBody = (request: IncomingMessage, maxBytes: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      reject(new RequestBodyError(413, `request body of ${declared} bytes is over the ${maxBytes}-byte limit`));
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Keep nothing more but drain what comes (bounded by the server's request timeout), so the
        // client, still sending, hears why instead of a reset.
        request.removeAllListeners('data');
        request.resume();
        reject(new RequestBodyError(413, `request body over the ${maxBytes}-byte limit`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

export const sendJson = (response: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
};
