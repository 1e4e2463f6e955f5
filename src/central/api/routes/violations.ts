import { z } from 'zod';
import { ApiError } from '../errors.js';
import { parseWorkloadKey } from '../../states.js';
import { timeOrderedId, type ViolationQuery } from '../../store/index.js';
import { actorOf, CSV_MAX_ROWS, csvCell, ERRORS, within, type RouteContext } from '../context.js';
import { page, ViolationActionBody, ViolationListQuery, ViolationSchema, ViolationSummarySchema } from '../schemas.js';

/** What a workload id names, or the reason it names nothing. */
const workloadFilter = (id: string): NonNullable<ViolationQuery['workload']> => {
  const target = parseWorkloadKey(id);
  if (!target) throw new ApiError(400, 'invalid-request', 'a workload id is cluster/namespace/Kind/name', 'query.workload');
  return target;
};

export const violationRoutes = ({ api, store, options, authorise }: RouteContext): void => {
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
      const { format, limit, cursor, workload, ...filters } = request.query;
      const query = {
        ...filters,
        ...(workload === undefined ? {} : { workload: workloadFilter(workload) }),
        state: filters.state ?? ['active' as const],
        scope: within(request),
        now: options.now().toISOString(),
      };
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
    '/api/v1/violations/summary',
    {
      schema: {
        summary: 'Open violations (active, not snoozed) counted by severity, category and policy, for a dashboard',
        querystring: z
          .object({
            cluster: z.string().max(253).optional(),
            namespace: z.string().max(253).optional(),
            policies: z.coerce.number().int().min(1).max(500).default(10).describe('How many policies `byPolicy` lists, most violations first.'),
          })
          .strict(),
        response: { 200: ViolationSummarySchema, ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request) => store.summariseViolations({ ...request.query, scope: within(request), now: options.now().toISOString() }),
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
        summary: 'Resolve, snooze, reactivate or ask for an exception for violations in bulk (audited)',
        description:
          '`except` asks for one exception per violation (its policy, cluster, namespace, kind and name), with `reason` and an optional `until`; an admin other than you approves it (`POST /api/v1/exceptions/{id}/approve`).',
        body: ViolationActionBody,
        response: { 200: z.object({ changed: z.number(), exceptions: z.array(z.string()).optional() }), ...ERRORS },
      },
      onRequest: authorise('triage'),
    },
    async (request) => {
      const { ids, action, until, reason } = request.body;
      const now = options.now();
      if (action === 'snooze' && (!until || Date.parse(until) <= now.getTime()))
        throw new ApiError(400, 'invalid-request', 'a snooze needs `until`, a time in the future', 'body.until');
      if (action === 'except') {
        if (!reason || reason.length < 10) throw new ApiError(400, 'invalid-request', 'an exception needs a `reason` of at least 10 characters', 'body.reason');
        if (until && Date.parse(until) <= now.getTime()) throw new ApiError(400, 'invalid-request', '`until` must be in the future', 'body.until');
        const scope = within(request);
        const exceptions: string[] = [];
        for (const id of [...new Set(ids)]) {
          const violation = await store.getViolation(id, scope, now.toISOString());
          if (!violation) continue;
          const created = await store.requestException({
            id: timeOrderedId(now.toISOString()),
            policy: violation.policy.id,
            scope: {
              cluster: violation.cluster,
              ...(violation.namespace ? { namespace: violation.namespace } : {}),
              kind: violation.object.kind,
              name: violation.object.name,
            },
            reason,
            requestedBy: actorOf(request),
            requestedAt: now.toISOString(),
            expiresAt: until ? new Date(until).toISOString() : undefined,
          });
          exceptions.push(created.id);
        }
        return { changed: 0, exceptions };
      }
      const change =
        action === 'resolve'
          ? { resolve: true as const }
          : action === 'snooze'
            ? { snoozeUntil: new Date(until!).toISOString() }
            : { reactivate: true as const };
      return { changed: await store.changeViolations(ids, change, request.principal!.actor, now.toISOString(), within(request)) };
    },
  );
};
