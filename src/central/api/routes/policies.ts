import jsYaml from 'js-yaml';
import { z } from 'zod';
import { checkPolicyDocument, convertStackRoxExport, policyDocument, type Policy, type PolicyProblem } from '../../../policy/index.js';
import { readPolicyText } from '../../../policy/files/index.js';
import { exportedDocument } from '../../policies.js';
import { StoreError, type PolicyChange, type PolicyRecord } from '../../store/index.js';
import { actorOf, ERRORS, type RouteContext } from '../context.js';
import { ImportOutcome, PolicyDetail, PolicySummary, PolicyVersion } from '../schemas.js';
import { ApiError } from '../errors.js';

const PolicyId = z.string().min(1).max(63);

const PolicyBody = z
  .object({
    document: z.record(z.string(), z.unknown()).optional().describe('The Policy document (`apiVersion: kubeward.io/v1`, `kind: Policy`) as JSON'),
    yaml: z.string().max(1_000_000).optional().describe('Or the same document as YAML text'),
    enabled: z.boolean().optional().describe('Whether central runs it; absent, as the document says (`spec.disabled`)'),
  })
  .strict();

const ImportBody = z
  .object({
    yaml: z.string().max(20_000_000).optional().describe('Policy documents, as `GET /api/v1/policies?format=yaml` exports them'),
    stackrox: z.unknown().optional().describe('A StackRox policy export (`{"policies": [...]}`, as roxctl or the StackRox UI export it)'),
  })
  .strict();

const summary = (record: PolicyRecord, policy: Policy | undefined) => ({
  id: record.id,
  name: policy?.name ?? record.id,
  severity: policy?.severity ?? 'LOW',
  categories: policy?.categories ?? [],
  lifecycleStages: policy?.lifecycleStages ?? [],
  enforcement: policy?.enforcement ?? [],
  target: policy?.target ?? 'Workload',
  enabled: record.enabled,
  builtin: record.builtin,
  version: record.version,
  updatedAt: record.updatedAt,
  updatedBy: record.updatedBy,
});

const parsedOf = (record: PolicyRecord): Policy | undefined => {
  const checked = checkPolicyDocument(record.document, record.id);
  return 'policy' in checked ? checked.policy : undefined;
};

const invalid = (problems: readonly PolicyProblem[], field: string): ApiError => {
  const [first] = problems;
  const where = (problem: PolicyProblem) => `${problem.origin}${problem.path ? ` ${problem.path}` : ''}: ${problem.message}`;
  return new ApiError(
    400,
    'invalid-policy',
    `${first ? where(first) : 'not a policy'}${problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1, 4).map(where).join('; ')})` : ''}`,
    first?.path && field === 'body.document' ? `${field}.${first.path}` : field,
  );
};

/** One policy from a body: a JSON document or YAML text holding exactly one. */
const policyFromBody = (body: z.infer<typeof PolicyBody>): { policy: Policy; document: Record<string, unknown> } => {
  if ((body.document === undefined) === (body.yaml === undefined))
    throw new ApiError(400, 'invalid-request', 'send the policy as `document` or as `yaml`, one of them', 'body');
  if (body.document !== undefined) {
    const checked = checkPolicyDocument(body.document, 'body.document');
    if ('problems' in checked) throw invalid(checked.problems, 'body.document');
    return { policy: checked.policy, document: policyDocument(checked.policy) };
  }
  const read = readPolicyText(body.yaml ?? '', 'yaml');
  if (read.problems.length > 0) throw invalid(read.problems, 'body.yaml');
  const [policy, ...more] = read.policies;
  if (!policy || more.length > 0)
    throw new ApiError(400, 'invalid-policy', `the yaml holds ${read.policies.length} policies; send one (or use /api/v1/policies/import)`, 'body.yaml');
  return { policy, document: policyDocument(policy) };
};

/**
 * Central's policies: the shipped ones and users' own, each change a new version, audited. Every
 * change is judged at once on every cluster central keeps, and webhooks pick it up at their next
 * refresh (`/api/v1/admission/policies` follows the set).
 */
export const policyRoutes = ({ api, store, authorise, policies, ingestor, options }: RouteContext): void => {
  const applied = async (): Promise<void> => {
    if (await policies.refresh())
      ingestor.rejudgeSoon(
        (await store.listClusters({})).map((cluster) => cluster.name),
        200,
      );
  };
  const write = async (request: PolicyChange): Promise<PolicyRecord | undefined> => {
    try {
      return await store.changePolicy(request);
    } catch (error) {
      if (error instanceof StoreError && error.code === 'conflict') throw new ApiError(409, 'conflict', error.message);
      throw error;
    }
  };
  /** One write, then the set built again and the clusters judged with it. */
  const change = async (request: PolicyChange): Promise<PolicyRecord | undefined> => {
    try {
      return await write(request);
    } finally {
      await applied();
    }
  };
  const found = async (id: string): Promise<PolicyRecord> => {
    const record = await store.getPolicy(id);
    if (!record) throw new ApiError(404, 'not-found', `no policy ${id}; GET /api/v1/policies lists them`);
    return record;
  };

  api.get(
    '/api/v1/policies',
    {
      schema: {
        summary: 'Central’s policies: shipped and custom, enabled or not; `format=yaml` exports them as Policy documents',
        querystring: z
          .object({
            search: z.string().max(200).optional().describe('Substring, any case, of the id, name, description and categories'),
            enabled: z.enum(['true', 'false']).optional(),
            builtin: z.enum(['true', 'false']).optional(),
            severity: z
              .string()
              .max(100)
              .optional()
              .transform((text) => text?.split(',').filter(Boolean)),
            category: z.string().max(200).optional(),
            stage: z.enum(['BUILD', 'DEPLOY', 'RUNTIME']).optional(),
            format: z.enum(['json', 'yaml']).default('json'),
          })
          .strict(),
        response: { 200: z.union([z.object({ items: z.array(PolicySummary) }), z.string()]), ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request, reply) => {
      const query = request.query;
      const needle = query.search?.toLowerCase();
      // The set already holds every kept policy parsed: no need to check each document again per request.
      await policies.refresh();
      const parsed = new Map(policies.current().policies.all.map((policy) => [policy.id, policy]));
      const rows = (await store.listPolicies())
        .map((record) => ({ record, policy: parsed.get(record.id) ?? parsedOf(record) }))
        .filter(({ record, policy }) => {
          if (query.enabled !== undefined && record.enabled !== (query.enabled === 'true')) return false;
          if (query.builtin !== undefined && record.builtin !== (query.builtin === 'true')) return false;
          if (query.severity?.length && !query.severity.includes(policy?.severity ?? '')) return false;
          if (query.category && !policy?.categories.some((category) => category.toLowerCase() === query.category?.toLowerCase())) return false;
          if (query.stage && !policy?.lifecycleStages.includes(query.stage)) return false;
          if (needle && ![record.id, policy?.name, policy?.description, ...(policy?.categories ?? [])].join('\n').toLowerCase().includes(needle)) return false;
          return true;
        });
      if (query.format === 'yaml') {
        const text = rows.map(({ record }) => jsYaml.dump(exportedDocument(record), { lineWidth: 120, noRefs: true })).join('---\n');
        return reply
          .type('application/yaml; charset=utf-8')
          .header('content-disposition', 'attachment; filename="kubeward-policies.yaml"')
          .serializer((payload: unknown) => String(payload))
          .send(text);
      }
      return { items: rows.map(({ record, policy }) => summary(record, policy)) };
    },
  );

  api.get(
    '/api/v1/policies/:id',
    {
      schema: {
        summary: 'One policy with its document; `format=yaml` as the Policy document to edit and send back',
        params: z.object({ id: PolicyId }),
        querystring: z.object({ format: z.enum(['json', 'yaml']).default('json') }).strict(),
        response: { 200: z.union([PolicyDetail, z.string()]), ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request, reply) => {
      const record = await found(request.params.id);
      if (request.query.format === 'yaml')
        return reply
          .type('application/yaml; charset=utf-8')
          .serializer((payload: unknown) => String(payload))
          .send(jsYaml.dump(exportedDocument(record), { lineWidth: 120, noRefs: true }));
      return { ...summary(record, parsedOf(record)), document: exportedDocument(record) };
    },
  );

  api.get(
    '/api/v1/policies/:id/versions',
    {
      schema: {
        summary: 'Every version of a policy, newest first: who changed what and when (deletions included)',
        params: z.object({ id: PolicyId }),
        response: { 200: z.object({ items: z.array(PolicyVersion) }), ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request) => {
      const items = await store.listPolicyVersions(request.params.id);
      if (items.length === 0) throw new ApiError(404, 'not-found', `no policy ${request.params.id} was ever kept`);
      return { items: items.map(({ policyId: _policyId, ...version }) => version) };
    },
  );

  api.post(
    '/api/v1/policies',
    {
      schema: {
        summary: 'A new custom policy, checked as a policy file is (fields, regexes, CEL); 409 when the id exists',
        body: PolicyBody,
        response: { 201: PolicyDetail, ...ERRORS },
      },
      onRequest: authorise('policy'),
    },
    async (request, reply) => {
      const { policy, document } = policyFromBody(request.body);
      const record = await change({
        kind: 'create',
        id: policy.id,
        document,
        enabled: request.body.enabled ?? policy.enabledByDefault,
        actor: actorOf(request),
        at: options.now().toISOString(),
      });
      if (!record) throw new ApiError(500, 'internal', 'the policy was not kept');
      return reply.status(201).send({ ...summary(record, policy), document: exportedDocument(record) });
    },
  );

  api.put(
    '/api/v1/policies/:id',
    {
      schema: {
        summary: 'Replaces a policy’s document (shipped ones too: it stays yours across upgrades); `version` guards against lost updates',
        params: z.object({ id: PolicyId }),
        body: PolicyBody.extend({ version: z.number().int().min(1).optional().describe('The version you read: 409 if someone changed it since') }).strict(),
        response: { 200: PolicyDetail, ...ERRORS },
      },
      onRequest: authorise('policy'),
    },
    async (request) => {
      const { version, ...body } = request.body;
      const { policy, document } = policyFromBody(body);
      if (policy.id !== request.params.id)
        throw new ApiError(400, 'invalid-request', `the document names policy ${policy.id}, not ${request.params.id}`, 'body.document.metadata.name');
      await found(policy.id);
      const record = await change({
        kind: 'update',
        id: policy.id,
        document,
        ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
        expectedVersion: version,
        actor: actorOf(request),
        at: options.now().toISOString(),
      });
      if (!record) throw new ApiError(404, 'not-found', `no policy ${policy.id}`);
      return { ...summary(record, policy), document: exportedDocument(record) };
    },
  );

  for (const action of ['enable', 'disable'] as const)
    api.post(
      `/api/v1/policies/:id/${action}`,
      {
        schema: {
          summary: action === 'enable' ? 'Runs a policy from now on, on every cluster' : 'Stops running a policy: its violations resolve on every cluster',
          params: z.object({ id: PolicyId }),
          response: { 200: PolicySummary, ...ERRORS },
        },
        onRequest: authorise('policy'),
      },
      async (request) => {
        await found(request.params.id);
        const record = await change({
          kind: 'update',
          id: request.params.id,
          enabled: action === 'enable',
          actor: actorOf(request),
          at: options.now().toISOString(),
        });
        if (!record) throw new ApiError(404, 'not-found', `no policy ${request.params.id}`);
        return summary(record, parsedOf(record));
      },
    );

  api.delete(
    '/api/v1/policies/:id',
    {
      schema: {
        summary: 'Deletes a custom policy (its versions are kept); shipped policies are disabled instead',
        params: z.object({ id: PolicyId }),
        response: { 200: z.object({ deleted: z.string(), version: z.number() }), ...ERRORS },
      },
      onRequest: authorise('policy'),
    },
    async (request) => {
      await found(request.params.id);
      const record = await change({ kind: 'delete', id: request.params.id, actor: actorOf(request), at: options.now().toISOString() });
      if (!record) throw new ApiError(404, 'not-found', `no policy ${request.params.id}`);
      return { deleted: record.id, version: record.version };
    },
  );

  api.post(
    '/api/v1/policies/import',
    {
      schema: {
        summary: 'Imports Policy documents (YAML) or a StackRox export: new ids are created, changed ones updated, the same ones left alone',
        description: 'All or nothing: one invalid document and nothing is imported.',
        body: ImportBody,
        response: { 200: ImportOutcome, ...ERRORS },
      },
      onRequest: authorise('policy'),
    },
    async (request) => {
      const { yaml, stackrox } = request.body;
      if ((yaml === undefined) === (stackrox === undefined)) throw new ApiError(400, 'invalid-request', 'send `yaml` or `stackrox`, one of them', 'body');
      const incoming: { policy: Policy; notes: readonly string[] }[] = [];
      const skipped: { name: string; reason: string }[] = [];
      if (yaml !== undefined) {
        const read = readPolicyText(yaml, 'yaml');
        if (read.problems.length > 0) throw invalid(read.problems, 'body.yaml');
        incoming.push(...read.policies.map((policy) => ({ policy, notes: [] })));
      } else {
        const conversion = convertStackRoxExport(stackrox);
        skipped.push(...conversion.skipped);
        for (const converted of conversion.converted) {
          const checked = checkPolicyDocument(converted.document, `stackrox:${converted.document.metadata.name}`);
          if ('problems' in checked)
            skipped.push({ name: converted.document.metadata.name, reason: checked.problems.map((problem) => problem.message).join('; ') });
          else incoming.push({ policy: checked.policy, notes: converted.notes });
        }
      }
      const ids = incoming.map((entry) => entry.policy.id);
      const twice = ids.find((id, index) => ids.indexOf(id) !== index);
      if (twice) throw new ApiError(400, 'invalid-policy', `policy ${twice} is in the import twice`, 'body');
      const outcome = { created: [] as string[], updated: [] as string[], unchanged: [] as string[], skipped, notes: [] as { id: string; notes: string[] }[] };
      const at = options.now().toISOString();
      try {
        for (const { policy, notes } of incoming) {
          const existing = await store.getPolicy(policy.id);
          const record = await write({
            kind: existing ? 'update' : 'create',
            id: policy.id,
            document: policyDocument(policy),
            enabled: policy.enabledByDefault,
            actor: actorOf(request),
            at,
          });
          if (!existing) outcome.created.push(policy.id);
          else if (record && record.version !== existing.version) outcome.updated.push(policy.id);
          else outcome.unchanged.push(policy.id);
          if (notes.length > 0) outcome.notes.push({ id: policy.id, notes: [...notes] });
        }
      } finally {
        // The set is built and the clusters judged once for the whole import.
        await applied();
      }
      return outcome;
    },
  );
};
