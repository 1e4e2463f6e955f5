import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { invalidReview, reviewAdmission, type AdmissionDecision, type AdmissionRequest, type AdmissionResponse, type AdmissionSettings } from './review.js';

export interface AdmissionServerOptions extends AdmissionSettings {
  readonly cert: Buffer | string;
  readonly key: Buffer | string;
  /** When set, POST /validate requires a client certificate signed by this CA (the API server's, from its admission configuration); probes stay open. */
  readonly clientCa?: Buffer | string;
  readonly port: number;
  readonly host: string;
  /** Milliseconds a decision may take; past it the failure policy answers. */
  readonly timeBudgetMs: number;
  /** What to answer when a decision fails or runs out of time: allow (open) or deny (closed). */
  readonly failurePolicy: 'open' | 'closed';
  readonly now: () => Date;
  /** Every decision, for the log; break-glass decisions that are not dry runs are findings to raise. */
  readonly onDecision: (decision: AdmissionDecision, elapsedMs: number) => void;
  readonly onError: (message: string) => void;
}

/**
 * etcd holds objects of up to 1.5 MiB in protobuf; a review carries the object and its old version
 * as JSON with every default filled in, several times that. Larger bodies get a 413, which the API
 * server answers with the webhook's failurePolicy (install with Fail to refuse them).
 */
export const MAX_REVIEW_BYTES = 16 * 1024 * 1024;

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_REVIEW_BYTES) {
      reject(new RequestError(413, `request body of ${declared} bytes is over the ${MAX_REVIEW_BYTES}-byte limit`));
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REVIEW_BYTES) {
        reject(new RequestError(413, `request body over the ${MAX_REVIEW_BYTES}-byte limit`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

const send = (response: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
};

/**
 * The validating admission webhook over HTTPS: `POST /validate` takes an AdmissionReview v1 and
 * answers one; `/healthz` and `/readyz` for probes. Malformed or oversized requests get a 4xx with
 * the reason; a decision that throws or exceeds its time budget gets the failure policy's answer,
 * never a hung request.
 */
export const startAdmissionServer = async (options: AdmissionServerOptions): Promise<Server & { readonly port: number }> => {
  const failed = (uid: string, why: string): AdmissionResponse =>
    options.failurePolicy === 'open'
      ? { uid, allowed: true, warnings: [`kubeward: not checked (${why}); allowed by the fail-open policy`] }
      : { uid, allowed: false, status: { code: 503, reason: 'ServiceUnavailable', message: `kubeward could not check this request (${why}); denied by the fail-closed policy` } };

  /**
   * The budget runs from the request's arrival. Enforced policies are always judged once the
   * decision starts, and their answer stands however long it took: a slow decision must not let a
   * violation through. The others are judged only while half the budget remains. The failure
   * policy answers when the budget is gone before the decision could start, or the decision fails.
   */
  const decide = async (request: AdmissionRequest, arrival: number): Promise<AdmissionResponse> => {
    const what = `${request.kind.kind} ${request.namespace ?? ''}/${request.name ?? ''}`;
    const remaining = options.timeBudgetMs - (performance.now() - arrival);
    if (remaining <= 0) {
      options.onError(`${what}: the ${options.timeBudgetMs} ms time budget ran out before the decision; answered ${options.failurePolicy}`);
      return failed(request.uid, `the ${options.timeBudgetMs} ms time budget ran out`);
    }
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), remaining);
    });
    try {
      const work = new Promise<AdmissionDecision>((resolve, reject) =>
        setImmediate(() => {
          try {
            resolve(reviewAdmission(request, options, options.now(), () => performance.now() - arrival < options.timeBudgetMs / 2));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        }),
      );
      const outcome = await Promise.race([work, budget]);
      const elapsed = performance.now() - arrival;
      if (outcome === 'timeout') {
        options.onError(`${what}: the decision had not started within ${options.timeBudgetMs} ms; answered ${options.failurePolicy}`);
        return failed(request.uid, `the ${options.timeBudgetMs} ms time budget ran out`);
      }
      if (elapsed > options.timeBudgetMs) options.onError(`${what}: the decision took ${elapsed.toFixed(0)} ms, over the ${options.timeBudgetMs} ms budget; its answer stands`);
      options.onDecision(outcome, elapsed);
      return outcome.response;
    } catch (error) {
      options.onError(`${what}: ${(error as Error).message}`);
      return failed(request.uid, 'internal error');
    } finally {
      clearTimeout(timer);
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const arrival = performance.now();
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && (path === '/healthz' || path === '/readyz' || path === '/livez')) {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (options.clientCa && path === '/validate' && !(request.socket as TLSSocket).authorized) {
      send(response, 401, { error: 'a client certificate signed by the --client-ca is required' });
      return;
    }
    if (path !== '/validate') {
      send(response, 404, { error: `no such endpoint ${path}; the webhook answers POST /validate` });
      return;
    }
    if (request.method !== 'POST') {
      send(response, 405, { error: 'POST an AdmissionReview to /validate' });
      return;
    }
    const type = String(request.headers['content-type'] ?? '');
    if (!type.startsWith('application/json')) {
      send(response, 415, { error: `content-type ${JSON.stringify(type)} is not application/json` });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request));
    } catch (error) {
      if (error instanceof RequestError) send(response, error.status, { error: error.message });
      else send(response, 400, { error: `the body is not JSON: ${(error as Error).message}` });
      return;
    }
    const invalid = invalidReview(body);
    if (invalid) {
      send(response, 400, { error: invalid });
      return;
    }
    const review = body as { apiVersion: string; kind: string; request: AdmissionRequest };
    send(response, 200, { apiVersion: review.apiVersion, kind: review.kind, response: await decide(review.request, arrival) });
  };

  // Client certificates are asked for but not demanded at the handshake: the kubelet's probes
  // present none, and only /validate needs one.
  const server = createServer({ cert: options.cert, key: options.key, minVersion: 'TLSv1.2', noDelay: true, keepAlive: true, ...(options.clientCa ? { ca: options.clientCa, requestCert: true, rejectUnauthorized: false } : {}) }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.onError(`request failed: ${(error as Error).message}`);
      if (!response.headersSent) send(response, 500, { error: 'internal error' });
    });
  });
  // The API server holds connections open between reviews; a slow client must not hold one forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  return Object.assign(server, { port: typeof address === 'object' && address ? address.port : options.port });
};
