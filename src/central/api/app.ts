import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import { scanManifests, snapshotFromObjects, type PolicySet } from '../../app/index.js';
import { createHttpServer, type TlsOptions } from '../../http-server/index.js';
import { ingestSnapshot } from '../ingest.js';
import { StoreError, timeOrderedId, type CentralStore, type Role, type Scope } from '../store/index.js';
import { hashSecret, newTokenSecret, PERMISSIONS, RateLimiter, type Permission, type Principal } from './auth.js';
import { ApiError, isUnavailable } from './errors.js';
import {
  ApiErrorSchema,
  AuditEntrySchema,
  ClusterSchema,
  IngestReportSchema,
  NewTokenBody,
  page,
  PageQuery,
  ScanBody,
  SnapshotBody,
  TokenSchema,
  ViolationActionBody,
  ViolationListQuery,
  ViolationSchema,
  WorkloadListQuery,
  WorkloadSchema,
} from './schemas.js';

export interface ApiOptions {
  readonly store: CentralStore;
  readonly set: PolicySet;
  readonly version: string;
  readonly now: () => Date;
  readonly tls?: TlsOptions | undefined;
  /** pino options, or false for no log. */
  readonly log: boolean | { readonly level: string; readonly stream?: NodeJS.WritableStream };
  /** Requests a second per token, and the burst allowed. */
  readonly rateLimit?: { readonly rate: number; readonly burst: number };
  readonly bodyLimitBytes?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const ERRORS = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
  413: ApiErrorSchema,
  429: ApiErrorSchema,
  503: ApiErrorSchema,
};

/** The most a list export holds: beyond it, page through the JSON. */
const CSV_MAX_ROWS = 100_000;

const csvCell = (value: unknown): string => {
  let text = value === undefined || value === null ? '' : String(value);
  // A cell a spreadsheet would run as a formula is written as text.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The scope a query runs in: the token's scope; a filter can only narrow it (the store applies both). */
const within = (request: FastifyRequest): Scope => request.principal?.token.scope ?? {};

/**
 * Central's HTTP API over one store: every route declared with zod schemas (validated on the way
 * in, serialised on the way out, and the OpenAPI 3.1 document made from them), tokens checked
 * on every `/api/v1` route, errors as `{code, message, field?}`.
 */
export const buildApi = async (options: ApiOptions): Promise<FastifyInstance> => {
  const { store } = options;
  const app = Fastify({
    serverFactory: (handler) => createHttpServer({ ...(options.tls ? { tls: options.tls } : {}), onError: (message) => app.log.warn(message) }, handler),
    logger:
      options.log === false
        ? false
        : { level: options.log === true ? 'info' : options.log.level, ...(options.log !== true && options.log.stream ? { stream: options.log.stream } : {}) },
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: options.bodyLimitBytes ?? 64 * 1024 * 1024,
  });
  // JSON only: a text body is refused with 415, not read as a string.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });

  // Metrics: HTTP latency, ingest, and the state of the store on every scrape.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kubeward_central_' });
  const httpDuration = new Histogram({
    name: 'kubeward_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const ingests = new Counter({
    name: 'kubeward_ingest_snapshots_total',
    help: 'Snapshots received, by cluster and outcome',
    labelNames: ['cluster', 'outcome'],
    registers: [registry],
  });
  const ingestDuration = new Histogram({
    name: 'kubeward_ingest_duration_seconds',
    help: 'Time from a snapshot’s arrival to its state being queryable',
    labelNames: ['cluster'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'kubeward_violations_active',
    help: 'Active violations by cluster, namespace and severity',
    labelNames: ['cluster', 'namespace', 'severity'],
    registers: [registry],
    collect: async function (this: Gauge) {
      this.reset();
      for (const row of await store.countViolations({})) this.set({ cluster: row.cluster, namespace: row.namespace, severity: row.severity }, row.count);
    },
  });
  new Gauge({
    name: 'kubeward_cluster_last_contact_seconds',
    help: 'Seconds since each cluster last sent a snapshot (ingest lag)',
    labelNames: ['cluster'],
    registers: [registry],
    collect: async function (this: Gauge) {
      this.reset();
      const now = options.now().getTime();
      for (const cluster of await store.listClusters({}))
        if (cluster.lastContactAt) this.set({ cluster: cluster.name }, (now - Date.parse(cluster.lastContactAt)) / 1000);
    },
  });
  app.addHook('onResponse', (request, reply, done) => {
    httpDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const first = error.validation[0];
      const field = [error.validationContext, ...(first?.instancePath ?? '').split('/').filter(Boolean)].filter(Boolean).join('.');
      return reply
        .status(400)
        .send({ code: 'invalid-request', message: `${field || 'request'}: ${first?.message ?? error.message}`, ...(field ? { field } : {}) });
    }
    if (error instanceof ApiError)
      return reply.status(error.status).send({ code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) });
    if (error instanceof StoreError && error.code === 'invalid-cursor')
      return reply.status(400).send({ code: 'invalid-cursor', message: error.message, field: 'query.cursor' });
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send({ code: 'too-large', message: error.message });
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.status(415).send({ code: 'unsupported-media-type', message: error.message });
    if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error instanceof SyntaxError || error.statusCode === 400)
      return reply.status(400).send({ code: 'invalid-request', message: error.message });
    if (isUnavailable(error)) {
      request.log.error({ err: error }, 'the database is unavailable');
      return reply.status(503).header('retry-after', '5').send({ code: 'unavailable', message: 'the database is unavailable; try again shortly' });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ code: 'internal', message: `internal error (request ${request.id})` });
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ code: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}` }));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Kubeward central API',
        version: options.version,
        description: 'Clusters, workloads, violations over time, ingest and tokens. Errors are `{code, message, field?}`.',
      },
      components: { securitySchemes: { token: { type: 'http', scheme: 'bearer', description: 'An API token (`kw_…`)' } } },
      security: [{ token: [] }],
    },
    transform: jsonSchemaTransform,
  });

  const limiter = new RateLimiter(options.rateLimit?.rate ?? 100, options.rateLimit?.burst ?? 200);
  const authorise =
    (permission: Permission) =>
    async (request: FastifyRequest): Promise<void> => {
      const header = request.headers.authorization ?? '';
      const secret = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      if (!secret) throw new ApiError(401, 'unauthorized', 'send an API token: Authorization: Bearer <token>');
      const now = options.now();
      const token = await store.findToken(hashSecret(secret), now.toISOString());
      if (!token) throw new ApiError(401, 'unauthorized', 'the token is unknown, revoked or expired');
      if (!(PERMISSIONS[permission] as readonly Role[]).includes(token.role))
        throw new ApiError(403, 'forbidden', `a ${token.role} token may not ${permission}; it needs one of: ${PERMISSIONS[permission].join(', ')}`);
      if (!limiter.take(token.id, now.getTime())) throw new ApiError(429, 'rate-limited', 'too many requests for this token; slow down');
      request.principal = { token, actor: `token:${token.name}` };
    };

  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get('/healthz', { schema: { hide: true } }, async () => 'ok');
  api.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await store.ping();
      return 'ok';
    } catch {
      return reply.status(503).send('the database is unavailable');
    }
  });
  api.get('/metrics', { schema: { hide: true } }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  api.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  api.get(
    '/api/v1/clusters',
    {
      schema: { summary: 'Clusters central knows, with sensor contact and counts', response: { 200: z.object({ items: z.array(ClusterSchema) }), ...ERRORS } },
      onRequest: authorise('read'),
    },
    async (request) => ({ items: await store.listClusters(within(request)) }),
  );

  api.post(
    '/api/v1/clusters/:cluster/snapshots',
    {
      schema: {
        summary: 'A full snapshot of a cluster’s objects (what a sensor sends after each list): judged, then applied whole',
        params: z.object({ cluster: z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, 'a DNS label: lower-case letters, digits, dots and dashes') }),
        body: SnapshotBody,
        response: { 200: IngestReportSchema, ...ERRORS },
      },
      onRequest: authorise('ingest'),
    },
    async (request) => {
      const scope = within(request);
      const { cluster } = request.params;
      if (scope.cluster !== undefined && scope.cluster !== cluster)
        throw new ApiError(403, 'forbidden', `this token reports for cluster ${scope.cluster} only`);
      const started = performance.now();
      const { snapshot, problems } = snapshotFromObjects(request.body.objects, { source: `snapshot ${request.body.snapshotId}` });
      const report = await ingestSnapshot({
        store,
        set: options.set,
        cluster,
        snapshotId: request.body.snapshotId,
        snapshot,
        problems,
        now: options.now(),
        kubeVersion: request.body.kubeVersion,
        sensorVersion: request.body.sensorVersion,
      });
      ingests.inc({ cluster, outcome: report.duplicate ? 'duplicate' : 'applied' });
      ingestDuration.observe({ cluster }, (performance.now() - started) / 1000);
      return report;
    },
  );

  api.get(
    '/api/v1/violations',
    {
      schema: {
        summary: 'Violations, filtered, searched by substring, sorted and paged; `format=csv` exports every match',
        querystring: ViolationListQuery,
        response: { 200: page(ViolationSchema), ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request, reply) => {
      const { format, limit, cursor, ...filters } = request.query;
      const query = { ...filters, state: filters.state ?? ['active' as const], scope: within(request), now: options.now().toISOString() };
      if (format === 'json') return store.listViolations({ ...query, limit, cursor });
      const header = ['id', 'cluster', 'namespace', 'kind', 'name', 'container', 'policy', 'severity', 'state', 'firstSeen', 'lastSeen', 'message'];
      const lines = [header.join(',')];
      let next: string | undefined = cursor;
      do {
        const chunk = await store.listViolations({ ...query, limit: 500, cursor: next });
        for (const item of chunk.items)
          lines.push(
            [
              item.id,
              item.cluster,
              item.namespace,
              item.object.kind,
              item.object.name,
              item.container,
              item.policy.id,
              item.severity,
              item.state,
              item.firstSeen,
              item.lastSeen,
              item.message,
            ]
              .map(csvCell)
              .join(','),
          );
        next = chunk.next;
      } while (next && lines.length <= CSV_MAX_ROWS);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="violations.csv"')
        .serializer((body: string) => body)
        .send(`${lines.join('\r\n')}\r\n` as never);
    },
  );

  api.get(
    '/api/v1/violations/:id',
    {
      schema: { summary: 'One violation', params: z.object({ id: z.string().max(64) }), response: { 200: ViolationSchema, ...ERRORS } },
      onRequest: authorise('read'),
    },
    async (request) => {
      const found = await store.getViolation(request.params.id, within(request), options.now().toISOString());
      if (!found) throw new ApiError(404, 'not-found', `no violation ${request.params.id}`);
      return found;
    },
  );

  api.post(
    '/api/v1/violations/actions',
    {
      schema: {
        summary: 'Resolve, snooze or reactivate violations in bulk (audited)',
        body: ViolationActionBody,
        response: { 200: z.object({ changed: z.number() }), ...ERRORS },
      },
      onRequest: authorise('triage'),
    },
    async (request) => {
      const { ids, action, until } = request.body;
      const now = options.now();
      if (action === 'snooze' && (!until || Date.parse(until) <= now.getTime()))
        throw new ApiError(400, 'invalid-request', 'a snooze needs `until`, a time in the future', 'body.until');
      const change =
        action === 'resolve'
          ? { resolve: true as const }
          : action === 'snooze'
            ? { snoozeUntil: new Date(until!).toISOString() }
            : { reactivate: true as const };
      return { changed: await store.changeViolations(ids, change, request.principal!.actor, now.toISOString(), within(request)) };
    },
  );

  api.get(
    '/api/v1/workloads',
    {
      schema: { summary: 'Workloads, most at risk first', querystring: WorkloadListQuery, response: { 200: page(WorkloadSchema), ...ERRORS } },
      onRequest: authorise('read'),
    },
    async (request) => store.listWorkloads({ ...request.query, scope: within(request) }),
  );

  api.post(
    '/api/v1/scan',
    {
      schema: {
        summary: 'Manifests in, the scan report out: what `kubeward scan --format json` prints',
        body: ScanBody,
        response: { 200: z.record(z.string(), z.unknown()), ...ERRORS },
      },
      onRequest: authorise('scan'),
    },
    async (request) => {
      const result = await scanManifests({
        set: options.set,
        inputs: ['-'],
        cwd: process.cwd(),
        stdin: () => [request.body.manifests],
        now: options.now(),
        version: options.version,
        namespace: request.body.namespace,
        threads: 1,
      });
      return JSON.parse(JSON.stringify(result.report)) as Record<string, unknown>;
    },
  );

  api.get(
    '/api/v1/tokens',
    {
      schema: { summary: 'API tokens (never their secrets)', response: { 200: z.object({ items: z.array(TokenSchema) }), ...ERRORS } },
      onRequest: authorise('admin'),
    },
    async () => ({
      items: await store.listTokens(),
    }),
  );
  api.post(
    '/api/v1/tokens',
    {
      schema: {
        summary: 'A new token; its secret is in this answer and nowhere else',
        body: NewTokenBody,
        response: { 201: z.object({ token: TokenSchema, secret: z.string() }), ...ERRORS },
      },
      onRequest: authorise('admin'),
    },
    async (request, reply) => {
      const now = options.now();
      const secret = newTokenSecret();
      const token = await store.createToken({
        id: timeOrderedId(now.toISOString()),
        name: request.body.name,
        role: request.body.role,
        scope: { ...(request.body.cluster ? { cluster: request.body.cluster } : {}), ...(request.body.namespace ? { namespace: request.body.namespace } : {}) },
        secretHash: hashSecret(secret),
        createdAt: now.toISOString(),
        createdBy: request.principal!.actor,
        expiresAt: request.body.expiresInDays ? new Date(now.getTime() + request.body.expiresInDays * 86_400_000).toISOString() : undefined,
      });
      await store.appendAudit({
        id: timeOrderedId(now.toISOString()),
        at: now.toISOString(),
        actor: request.principal!.actor,
        action: 'token.create',
        target: `token ${token.id}`,
        detail: { name: token.name, role: token.role, scope: token.scope },
      });
      return reply.status(201).send({ token, secret });
    },
  );
  api.delete(
    '/api/v1/tokens/:id',
    {
      schema: { summary: 'Revoke a token', params: z.object({ id: z.string().max(64) }), response: { 200: z.object({ revoked: z.boolean() }), ...ERRORS } },
      onRequest: authorise('admin'),
    },
    async (request) => {
      const revoked = await store.revokeToken(request.params.id, request.principal!.actor, options.now().toISOString());
      if (!revoked) throw new ApiError(404, 'not-found', `no live token ${request.params.id}`);
      return { revoked };
    },
  );

  api.get(
    '/api/v1/audit',
    {
      schema: {
        summary: 'Every change, newest first',
        querystring: z.object({ actor: z.string().max(200).optional(), action: z.string().max(100).optional(), ...PageQuery }).strict(),
        response: { 200: page(AuditEntrySchema), ...ERRORS },
      },
      onRequest: authorise('admin'),
    },
    async (request) => store.listAudit(request.query),
  );

  return app;
};

/** The tokens' bootstrap: with none in the store, one admin token, whose secret the caller prints once. */
export const bootstrapAdminToken = async (store: CentralStore, now: Date): Promise<string | undefined> => {
  if ((await store.listTokens()).some((token) => token.role === 'admin' && !token.revokedAt)) return undefined;
  const secret = newTokenSecret();
  await store.createToken({
    id: timeOrderedId(now.toISOString()),
    name: 'bootstrap-admin',
    role: 'admin',
    scope: {},
    secretHash: hashSecret(secret),
    createdAt: now.toISOString(),
    createdBy: 'kubeward server',
  });
  return secret;
};
