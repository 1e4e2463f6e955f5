import { z } from 'zod';
import { rejudgeForException } from '../../exceptions.js';
import { EXCEPTION_STATES, timeOrderedId, type ExceptionRecord, type Scope } from '../../store/index.js';
import { actorOf, ERRORS, within, type RouteContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ExceptionSchema, page, PageQuery } from '../schemas.js';

const NewExceptionBody = z
  .object({
    policy: z.string().min(1).max(200).describe('A policy id, or a glob (`*` for every policy).'),
    cluster: z.string().max(253).optional(),
    namespace: z.string().max(253).optional(),
    kind: z.string().max(100).optional(),
    name: z.string().max(253).optional().describe('The workload or object name (glob).'),
    image: z.string().max(1000).optional().describe('Glob over the workload’s images.'),
    reason: z.string().min(10, 'say why, in at least 10 characters').max(2000),
    expiresAt: z.iso.datetime().optional().describe('When the exception ends; none: until revoked.'),
  })
  .strict();

const Decision = z.object({ comment: z.string().max(2000).optional() }).strict();

/** The scope a new exception takes: a scoped token may except within its own scope only. */
export const exceptionScope = (
  body: { cluster?: string | undefined; namespace?: string | undefined },
  scope: Scope,
): { cluster?: string; namespace?: string } => {
  if (scope.cluster !== undefined && body.cluster !== undefined && body.cluster !== scope.cluster)
    throw new ApiError(403, 'forbidden', `this token may except within cluster ${scope.cluster} only`, 'body.cluster');
  if (scope.namespace !== undefined && body.namespace !== undefined && body.namespace !== scope.namespace)
    throw new ApiError(403, 'forbidden', `this token may except within namespace ${scope.namespace} only`, 'body.namespace');
  const cluster = scope.cluster ?? body.cluster;
  const namespace = scope.namespace ?? body.namespace;
  return { ...(cluster ? { cluster } : {}), ...(namespace ? { namespace } : {}) };
};

/**
 * Exceptions with approval: an analyst asks (policy × scope, reason, expiry), an admin who is not
 * the requester approves or denies, and anyone who may triage revokes. Approved, unexpired ones
 * turn the violations they cover `excepted` (kept, adding no risk) at once.
 */
export const exceptionRoutes = ({ api, store, options, authorise, ingestor }: RouteContext): void => {
  const found = async (id: string, scope: Scope): Promise<ExceptionRecord> => {
    const exception = await store.getException(id, scope);
    if (!exception) throw new ApiError(404, 'not-found', `no exception ${id}`);
    return exception;
  };

  api.post(
    '/api/v1/exceptions',
    {
      schema: {
        summary: 'Ask for an exception: a policy in a scope, with a reason and an end',
        body: NewExceptionBody,
        response: { 201: ExceptionSchema, ...ERRORS },
      },
      onRequest: authorise('triage'),
    },
    async (request, reply) => {
      const now = options.now();
      const { policy, kind, name, image, reason, expiresAt } = request.body;
      if (expiresAt && Date.parse(expiresAt) <= now.getTime()) throw new ApiError(400, 'invalid-request', 'expiresAt must be in the future', 'body.expiresAt');
      const created = await store.requestException({
        id: timeOrderedId(now.toISOString()),
        policy,
        scope: { ...exceptionScope(request.body, within(request)), ...(kind ? { kind } : {}), ...(name ? { name } : {}), ...(image ? { image } : {}) },
        reason,
        requestedBy: actorOf(request),
        requestedAt: now.toISOString(),
        expiresAt: expiresAt ? new Date(expiresAt).toISOString() : undefined,
      });
      return reply.status(201).send(created);
    },
  );

  for (const decision of ['approve', 'deny'] as const)
    api.post(
      `/api/v1/exceptions/:id/${decision}`,
      {
        schema: {
          summary: decision === 'approve' ? 'Approve a requested exception (not your own)' : 'Deny a requested exception',
          params: z.object({ id: z.string().max(64) }),
          body: Decision,
          response: { 200: ExceptionSchema, ...ERRORS },
        },
        onRequest: authorise('approve'),
      },
      async (request) => {
        const scope = within(request);
        const exception = await found(request.params.id, scope);
        const actor = actorOf(request);
        if (decision === 'approve' && exception.requestedBy === actor)
          throw new ApiError(403, 'four-eyes', 'an exception is approved by someone other than who asked for it');
        if (exception.state !== 'requested') throw new ApiError(409, 'conflict', `exception ${exception.id} is ${exception.state}, not requested`);
        const decided = await store.decideException(
          exception.id,
          decision === 'approve' ? 'approved' : 'denied',
          actor,
          options.now().toISOString(),
          request.body.comment,
          scope,
        );
        if (!decided) throw new ApiError(409, 'conflict', `exception ${exception.id} was decided meanwhile`);
        if (decided.state === 'approved') await rejudgeForException(store, ingestor, decided);
        return decided;
      },
    );

  api.delete(
    '/api/v1/exceptions/:id',
    {
      schema: {
        summary: 'Revoke an exception: its violations are active again',
        params: z.object({ id: z.string().max(64) }),
        response: { 200: ExceptionSchema, ...ERRORS },
      },
      onRequest: authorise('triage'),
    },
    async (request) => {
      const scope = within(request);
      const before = await found(request.params.id, scope);
      const revoked = await store.revokeException(before.id, actorOf(request), options.now().toISOString(), scope);
      if (!revoked) throw new ApiError(409, 'conflict', `exception ${before.id} is ${before.state}; only requested or approved ones are revoked`);
      if (before.state === 'approved') await rejudgeForException(store, ingestor, revoked);
      return revoked;
    },
  );

  api.get(
    '/api/v1/exceptions',
    {
      schema: {
        summary: 'Exceptions, newest first',
        querystring: z
          .object({
            state: z
              .string()
              .transform((text) => text.split(',').map((item) => item.trim()))
              .pipe(z.array(z.enum(EXCEPTION_STATES)))
              .optional(),
            policy: z.string().max(200).optional(),
            ...PageQuery,
          })
          .strict(),
        response: { 200: page(ExceptionSchema), ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request) => store.listExceptions({ ...request.query, scope: within(request) }),
  );

  api.get(
    '/api/v1/exceptions/:id',
    {
      schema: { summary: 'One exception', params: z.object({ id: z.string().max(64) }), response: { 200: ExceptionSchema, ...ERRORS } },
      onRequest: authorise('read'),
    },
    async (request) => found(request.params.id, within(request)),
  );
};
