import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { clientCertificateVerified, createHttpServer, listen, readBody, RequestBodyError, sendJson as send } from '../http-server/index.js';
import { DecisionPool } from './pool.js';
import { invalidReview, type AdmissionDecision, type AdmissionRequest, type AdmissionResponse, type AdmissionSettings } from './review.js';

export interface AdmissionServerOptions extends AdmissionSettings {
  readonly cert: Buffer | string;
  readonly key: Buffer | string;
  /** When set, POST /validate requires a client certificate signed by this CA (the API server's, from its admission configuration); probes stay open. */
  readonly clientCa?: Buffer | string;
  readonly port: number;
  readonly host: string;
  /** Milliseconds from a request's arrival: past half of it only enforced policies are judged; a decision not started within it gets the failure policy. */
  readonly timeBudgetMs: number;
  /** Milliseconds after which a decision still running is stopped and the failure policy answers (the API server's own timeout is 10 s by default). */
  readonly hardTimeoutMs?: number;
  /** Decision workers (threads); by default one per core, at most four. */
  readonly workers?: number;
  /** Connections open at once, in all and from one address: beyond them new ones are closed at once. */
  readonly maxConnections?: number;
  readonly maxConnectionsPerSource?: number;
  /** What to answer when a decision fails or runs out of time: allow (open) or deny (closed). */
  readonly failurePolicy: 'open' | 'closed';
  readonly now: () => Date;
  /** Every decision, for the log; break-glass decisions that are not dry runs are findings to raise. */
  readonly onDecision: (decision: AdmissionDecision, elapsedMs: number) => void;
  readonly onError: (message: string) => void;
}

export const DEFAULT_HARD_TIMEOUT_MS = 9000;

/**
 * etcd holds objects of up to 1.5 MiB in protobuf; a review carries the object and its old version
 * as JSON with every default filled in, several times that. Larger bodies get a 413, which the API
 * server answers with the webhook's failurePolicy (install with Fail to refuse them).
 */
export const MAX_REVIEW_BYTES = 16 * 1024 * 1024;

/** The failure policy's answer when a request could not be checked. */
const failureAnswer =
  (policy: 'open' | 'closed') =>
  (uid: string, why: string): AdmissionResponse =>
    policy === 'open'
      ? { uid, allowed: true, warnings: [`kubeward: not checked (${why}); allowed by the fail-open policy`] }
      : {
          uid,
          allowed: false,
          status: { code: 503, reason: 'ServiceUnavailable', message: `kubeward could not check this request (${why}); denied by the fail-closed policy` },
        };

/**
 * The budget runs from the request's arrival. Decisions run in worker threads: a slow one holds
 * neither the server nor the other requests. Enforced policies are always judged once the
 * decision starts, and their answer stands even past the budget (a slow decision must not let a
 * violation through), up to the hard deadline, where the decision is stopped; the others are
 * judged only while half the budget remains. The failure policy answers when the budget is gone
 * before the decision could start, the decision fails or is stopped, or an enforced policy's
 * CEL could not be judged.
 */
const decider = (options: AdmissionServerOptions, pool: DecisionPool) => {
  const hardTimeoutMs = options.hardTimeoutMs ?? Math.max(DEFAULT_HARD_TIMEOUT_MS, options.timeBudgetMs);
  const failed = failureAnswer(options.failurePolicy);
  return async (request: AdmissionRequest, arrival: number): Promise<AdmissionResponse> => {
    const what = `${request.kind.kind} ${request.namespace ?? ''}/${request.name ?? ''}`;
    const elapsedBefore = performance.now() - arrival;
    if (elapsedBefore >= options.timeBudgetMs) {
      options.onError(`${what}: the ${options.timeBudgetMs} ms time budget ran out before the decision; answered ${options.failurePolicy}`);
      return failed(request.uid, `the ${options.timeBudgetMs} ms time budget ran out`);
    }
    const outcome = await pool.decide(request, options.now(), options.timeBudgetMs / 2 - elapsedBefore, arrival + hardTimeoutMs);
    const elapsed = performance.now() - arrival;
    if ('timedOut' in outcome) {
      options.onError(`${what}: the decision was still running after ${hardTimeoutMs} ms and was stopped; answered ${options.failurePolicy}`);
      return failed(request.uid, `the decision took over ${hardTimeoutMs} ms`);
    }
    if ('failed' in outcome) {
      options.onError(`${what}: ${outcome.failed}`);
      return failed(request.uid, 'internal error');
    }
    const decision = outcome.decision;
    if (elapsed > options.timeBudgetMs)
      options.onError(`${what}: the decision took ${elapsed.toFixed(0)} ms, over the ${options.timeBudgetMs} ms budget; its answer stands`);
    options.onDecision(decision, elapsed);
    if (decision.enforcedErrors && decision.response.allowed && decision.outcome !== 'break-glass') {
      options.onError(`${what}: ${decision.enforcedErrors} CEL expressions of enforced policies could not be judged; answered ${options.failurePolicy}`);
      const answer = failed(
        request.uid,
        `${decision.enforcedErrors} CEL expressions of enforced policies could not be judged (failed, or over the cost budget)`,
      );
      return answer.allowed ? { ...answer, warnings: [...(decision.response.warnings ?? []), ...(answer.warnings ?? [])] } : answer;
    }
    return decision.response;
  };
};

/** One HTTP request: probes, the client certificate, the review's shape, then the decision. */
const reviewHandler =
  (options: AdmissionServerOptions, decide: (request: AdmissionRequest, arrival: number) => Promise<AdmissionResponse>) =>
  async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const arrival = performance.now();
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && (path === '/healthz' || path === '/readyz' || path === '/livez')) {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (options.clientCa && path === '/validate' && !clientCertificateVerified(request)) {
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
      body = JSON.parse((await readBody(request, MAX_REVIEW_BYTES)).toString('utf8'));
    } catch (error) {
      if (error instanceof RequestBodyError) send(response, error.status, { error: error.message });
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

/**
 * The validating admission webhook over HTTPS: `POST /validate` takes an AdmissionReview v1 and
 * answers one; `/healthz` and `/readyz` for probes. Malformed or oversized requests get a 4xx with
 * the reason; a decision that throws or exceeds its time budget gets the failure policy's answer,
 * never a hung request.
 */
export interface AdmissionServer extends Server {
  readonly port: number;
  /** Judges the requests from now on by these policies (a new set from central). */
  readonly reconfigure: (policies: AdmissionSettings['policies']) => void;
}

export const startAdmissionServer = async (options: AdmissionServerOptions): Promise<AdmissionServer> => {
  const pool = new DecisionPool(
    {
      policies: options.policies.map((compiled) => compiled.policy),
      enforced: options.policies.filter((compiled) => compiled.enforcedAt.includes('DEPLOY')).map((compiled) => compiled.policy.id),
      excludedNamespaces: options.excludedNamespaces,
      excludedUsers: options.excludedUsers,
      breakGlass: options.breakGlass,
      ignoreRules: options.ignoreRules ?? [],
    },
    options.workers,
  );
  await pool.ready();
  const handle = reviewHandler(options, decider(options, pool));

  // The API server holds connections open between reviews; the adapter's timeouts close idle and slow ones.
  const server = createHttpServer(
    {
      tls: { cert: options.cert, key: options.key, ...(options.clientCa ? { clientCa: options.clientCa } : {}) },
      ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
      ...(options.maxConnectionsPerSource !== undefined ? { maxConnectionsPerSource: options.maxConnectionsPerSource } : {}),
      onError: options.onError,
    },
    (request, response) => {
      handle(request, response).catch((error: unknown) => {
        options.onError(`request failed: ${(error as Error).message}`);
        if (!response.headersSent) send(response, 500, { error: 'internal error' });
      });
    },
  );
  server.on('close', () => void pool.close());
  const reconfigure = (policies: AdmissionSettings['policies']): void =>
    pool.reconfigure({
      policies: policies.map((compiled) => compiled.policy),
      enforced: policies.filter((compiled) => compiled.enforcedAt.includes('DEPLOY')).map((compiled) => compiled.policy.id),
    });
  return Object.assign(server, { port: await listen(server, options.port, options.host), reconfigure });
};
