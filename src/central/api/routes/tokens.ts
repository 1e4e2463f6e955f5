import { z } from 'zod';
import { timeOrderedId } from '../../store/index.js';
import { hashSecret, newTokenSecret } from '../auth.js';
import { ApiError } from '../errors.js';
import { ERRORS, type RouteContext } from '../context.js';
import { AuditEntrySchema, NewTokenBody, page, PageQuery, TokenSchema } from '../schemas.js';

export const tokenRoutes = ({ api, store, options, authorise }: RouteContext): void => {
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
};
