import { createHash } from 'node:crypto';
import { z } from 'zod';
import { admissionPolicies } from '../../../app/index.js';
import { ADMISSION_OUTCOMES, type AdmissionDecisionRecord } from '../../store/index.js';
import { ERRORS, within, type RouteContext } from '../context.js';
import { ApiError } from '../errors.js';
import { page, PageQuery } from '../schemas.js';

const FindingSchema = z.object({
  policyId: z.string().max(200),
  severity: z.string().max(20),
  enforced: z.boolean(),
  container: z.string().max(253).optional(),
  message: z.string().max(4000),
});

const DecisionIn = z
  .object({
    uid: z.string().min(1).max(100).describe('The AdmissionReview request uid: a decision sent twice is kept once.'),
    at: z.iso.datetime(),
    namespace: z.string().max(253).optional(),
    object: z.string().max(600),
    operation: z.string().max(20),
    user: z.string().max(500).optional(),
    outcome: z.enum(ADMISSION_OUTCOMES),
    dryRun: z.boolean(),
    reason: z.string().max(2000).optional(),
    findings: z.array(FindingSchema).max(500),
  })
  .strict();

const DecisionSchema = z
  .object({
    id: z.string(),
    cluster: z.string(),
    at: z.string(),
    namespace: z.string(),
    object: z.string(),
    operation: z.string(),
    user: z.string().optional(),
    outcome: z.enum(ADMISSION_OUTCOMES),
    dryRun: z.boolean(),
    reason: z.string().optional(),
    findings: z.array(FindingSchema).readonly(),
  })
  .meta({ id: 'AdmissionDecision' });

/** Deterministic and time-ordered: the decision's time, then a hash of where it was made. */
const decisionId = (cluster: string, uid: string, at: string): string =>
  `${Date.parse(at).toString(16).padStart(12, '0')}${createHash('sha256').update(`${cluster}\u0000${uid}`).digest('hex').slice(0, 20)}`;

/** Admission webhooks' way in and out: their decisions reported, the enforced policy set fetched. */
export const admissionRoutes = ({ api, store, policies: central, authorise }: RouteContext): void => {
  api.post(
    '/api/v1/admission/decisions',
    {
      schema: {
        summary: 'Decisions an admission webhook made (denied, warned, break-glass), in batches',
        body: z.object({ cluster: z.string().min(1).max(253), decisions: z.array(DecisionIn).min(1).max(1000) }).strict(),
        response: { 200: z.object({ accepted: z.number(), stored: z.number() }), ...ERRORS },
      },
      onRequest: authorise('admission'),
    },
    async (request) => {
      const { cluster, decisions } = request.body;
      const scope = within(request);
      if (scope.cluster !== undefined && scope.cluster !== cluster)
        throw new ApiError(403, 'forbidden', `this token reports for cluster ${scope.cluster} only`);
      const records: AdmissionDecisionRecord[] = decisions.map(({ uid, namespace, ...decision }) => ({
        ...decision,
        id: decisionId(cluster, uid, decision.at),
        cluster,
        namespace: namespace ?? '',
        at: new Date(decision.at).toISOString(),
      }));
      return { accepted: records.length, stored: await store.addAdmissionDecisions(records) };
    },
  );

  api.get(
    '/api/v1/admission/decisions',
    {
      schema: {
        summary: 'Admission decisions, newest first',
        querystring: z
          .object({
            cluster: z.string().max(253).optional(),
            namespace: z.string().max(253).optional(),
            outcome: z
              .string()
              .transform((text) => text.split(',').map((item) => item.trim()))
              .pipe(z.array(z.enum(ADMISSION_OUTCOMES)))
              .optional()
              .describe('Comma-separated: `denied,break-glass`.'),
            ...PageQuery,
          })
          .strict(),
        response: { 200: page(DecisionSchema), ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request) => store.listAdmissionDecisions({ ...request.query, scope: within(request) }),
  );

  api.get(
    '/api/v1/admission/policies',
    {
      schema: {
        summary: 'The policies admission webhooks enforce: central’s active DEPLOY-stage policies that judge one object alone',
        description: 'Pass the `revision` you hold: when it is still current the answer has `unchanged: true` and no policies.',
        querystring: z.object({ revision: z.string().max(100).optional() }).strict(),
        response: {
          200: z.object({ revision: z.string(), unchanged: z.boolean(), policies: z.array(z.record(z.string(), z.unknown())), enforced: z.array(z.string()) }),
          ...ERRORS,
        },
      },
      onRequest: authorise('admission'),
    },
    async (request) => {
      const { policies } = admissionPolicies(central.current(), []);
      const data = policies.map((compiled) => compiled.policy as unknown as Record<string, unknown>);
      const enforced = policies.filter((compiled) => compiled.enforcedAt.includes('DEPLOY')).map((compiled) => compiled.policy.id);
      const revision = createHash('sha256').update(JSON.stringify({ data, enforced })).digest('hex').slice(0, 32);
      if (request.query.revision === revision) return { revision, unchanged: true, policies: [], enforced: [] };
      return { revision, unchanged: false, policies: data, enforced };
    },
  );
};
