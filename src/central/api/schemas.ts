import { z } from 'zod';
import { SEVERITIES } from '../../model/index.js';
import { CI_KINDS, EXCEPTION_STATES, POLICY_CHANGES, ROLES, VIOLATION_SORTS, VIOLATION_STATES, WORKLOAD_SORTS } from '../store/index.js';

/** Every error the API answers: data first (a code a client can switch on), words second. */
export const ApiErrorSchema = z
  .object({
    code: z.string().describe('Stable machine-readable code, e.g. `invalid-request`, `unauthorized`, `not-found`.'),
    message: z.string(),
    field: z.string().optional().describe('The request field at fault, as a dotted path (`query.limit`).'),
  })
  .meta({ id: 'ApiError' });

/** `a,b,c` in a query string, each item one of `values` (after `normalise`). */
const commaList = <T extends string>(values: readonly [T, ...T[]], normalise: (item: string) => string = (item) => item) =>
  z
    .string()
    .transform((text) => text.split(',').map((item) => normalise(item.trim())))
    .pipe(z.array(z.enum(values)));

export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(2000).optional(),
};

export const ViolationListQuery = z
  .object({
    cluster: z.string().max(253).optional(),
    namespace: z.string().max(253).optional(),
    policy: z.string().max(200).optional(),
    severity: commaList(SEVERITIES, (item) => item.toUpperCase())
      .optional()
      .describe('Comma-separated: `CRITICAL,HIGH`.'),
    workload: z.string().max(1100).optional().describe('One workload’s violations, by its id: `cluster/namespace/Kind/name`.'),
    state: commaList(VIOLATION_STATES).optional().describe('Comma-separated: `active,snoozed`. Default: active.'),
    search: z.string().max(200).optional().describe('Substring, any case, of the policy, object, namespace, container or message.'),
    sort: z.enum(VIOLATION_SORTS).default('severity'),
    format: z.enum(['json', 'csv']).default('json'),
    ...PageQuery,
  })
  .strict();

export const ViolationSchema = z
  .object({
    id: z.string(),
    cluster: z.string(),
    namespace: z.string(),
    object: z.object({ kind: z.string(), name: z.string() }),
    container: z.string(),
    policy: z.object({ id: z.string(), name: z.string() }),
    severity: z.enum(SEVERITIES),
    categories: z.array(z.string()).readonly(),
    message: z.string(),
    remediation: z.string(),
    path: z.string(),
    enforced: z.boolean(),
    state: z.enum(VIOLATION_STATES),
    firstSeen: z.string(),
    lastSeen: z.string(),
    resolvedAt: z.string().optional(),
    resolvedBy: z.string().optional(),
    snoozedUntil: z.string().optional(),
    exceptionId: z.string().optional().describe('The approved exception that covers it (state `excepted`).'),
  })
  .meta({ id: 'Violation' });

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item).readonly(), next: z.string().optional().describe('Cursor of the next page.') });

const SeverityCounts = z.object({ CRITICAL: z.number(), HIGH: z.number(), MEDIUM: z.number(), LOW: z.number() });

export const ViolationSummarySchema = z
  .object({
    total: z.number(),
    bySeverity: SeverityCounts,
    byCategory: z.array(z.object({ category: z.string(), count: z.number() })).readonly(),
    byPolicy: z.array(z.object({ id: z.string(), name: z.string(), severity: z.enum(SEVERITIES), count: z.number() })).readonly(),
  })
  .meta({ id: 'ViolationSummary' });

export const ViolationActionBody = z
  .object({
    ids: z.array(z.string().max(64)).min(1).max(10_000),
    action: z.enum(['resolve', 'snooze', 'reactivate', 'except']),
    until: z.iso.datetime().optional().describe('For `snooze`: when the snooze ends; for `except`: when the exception ends.'),
    reason: z.string().max(2000).optional().describe('For `except`: why.'),
  })
  .strict();

export const WorkloadListQuery = z
  .object({
    cluster: z.string().max(253).optional(),
    namespace: z.string().max(253).optional(),
    search: z.string().max(200).optional(),
    includeRemoved: z
      .enum(['true', 'false'])
      .transform((value) => value === 'true')
      .optional(),
    sort: z.enum(WORKLOAD_SORTS).default('risk'),
    evidence: z
      .enum(['true', 'false'])
      .transform((value) => value === 'true')
      .optional()
      .describe('Each risk factor with its evidence in words (as `GET /api/v1/workloads/{id}` gives); without, what each factor is and weighs.'),
    ...PageQuery,
  })
  .strict();

export const RiskFactorSchema = z.object({
  id: z.string(),
  name: z.string(),
  multiplier: z.number(),
  evidence: z.array(z.string()).readonly().optional().describe('Why the factor applies, in words; a list gives it with `evidence=true`.'),
});

export const WorkloadSchema = z
  .object({
    id: z.string(),
    cluster: z.string(),
    namespace: z.string(),
    kind: z.string(),
    name: z.string(),
    uid: z.string().optional(),
    images: z.array(z.string()).readonly(),
    replicas: z.number().optional(),
    serviceAccount: z.string().optional(),
    specHash: z.string(),
    risk: z.object({ score: z.number(), priority: z.number(), factors: z.array(RiskFactorSchema).readonly() }).optional(),
    firstSeen: z.string(),
    lastSeen: z.string(),
    removedAt: z.string().optional(),
  })
  .meta({ id: 'Workload' });

export const WorkloadDetailSchema = WorkloadSchema.extend({
  history: z
    .array(z.object({ at: z.string(), change: z.enum(['created', 'updated', 'removed']), specHash: z.string() }))
    .readonly()
    .describe('What happened to the workload, newest first (the latest 100).'),
  violations: z
    .object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number() })
    .describe('Its open violations (active, not snoozed) by severity.'),
}).meta({ id: 'WorkloadDetail' });

export const ClusterSchema = z
  .object({
    name: z.string(),
    createdAt: z.string(),
    lastContactAt: z.string().optional(),
    generation: z.number(),
    kubeVersion: z.string().optional(),
    sensorVersion: z.string().optional(),
    workloads: z.number(),
    activeViolations: z.number(),
  })
  .meta({ id: 'Cluster' });

export const NamespaceSchema = z
  .object({
    cluster: z.string(),
    name: z.string(),
    labels: z.record(z.string(), z.string()),
    workloads: z.number(),
    activeViolations: z.number(),
    bySeverity: z.record(z.string(), z.number()),
  })
  .meta({ id: 'Namespace' });

export const SnapshotBody = z
  .object({
    snapshotId: z.string().min(1).max(200).describe('The sender’s id for this snapshot: posting the same id twice changes nothing.'),
    kubeVersion: z.string().max(100).optional(),
    sensorVersion: z.string().max(100).optional(),
    objects: z.array(z.unknown()).max(500_000).describe('Kubernetes objects as the API server returns them; Secret values are dropped on arrival.'),
  })
  .strict();

export const ChangesBody = z
  .object({
    snapshotId: z.string().min(1).max(200).describe('The full snapshot these changes follow.'),
    sequence: z.number().int().min(1).describe('1 for the first batch after the snapshot, then one more each time.'),
    kubeVersion: z.string().max(100).optional(),
    sensorVersion: z.string().max(100).optional(),
    upserts: z.array(z.unknown()).max(500_000).describe('Objects added or changed, whole, as the API server returns them.'),
    deletes: z
      .array(z.object({ kind: z.string().min(1).max(100), namespace: z.string().max(253).optional(), name: z.string().min(1).max(253) }).strict())
      .max(500_000),
  })
  .strict();

const Tally = <K extends string>(keys: readonly K[]) => z.object(Object.fromEntries(keys.map((key) => [key, z.number()])) as Record<K, z.ZodNumber>);

export const IngestReportSchema = z
  .object({
    cluster: z.string(),
    generation: z.number(),
    duplicate: z.boolean(),
    workloads: Tally(['created', 'updated', 'removed', 'unchanged']),
    violations: Tally(['opened', 'reopened', 'continuing', 'resolved']),
    problems: z
      .array(
        z.object({
          file: z.string(),
          line: z.number().optional(),
          column: z.number().optional(),
          message: z.string(),
          level: z.string(),
          code: z.string().optional(),
        }),
      )
      .readonly(),
  })
  .meta({ id: 'IngestReport' });

export const ScanBody = z
  .object({
    manifests: z
      .string()
      .max(32 * 1024 * 1024)
      .describe('YAML or JSON manifests, several documents allowed.'),
    namespace: z.string().max(253).optional().describe('The namespace of objects that name none.'),
  })
  .strict();

export const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    scope: z.object({ cluster: z.string().optional(), namespace: z.string().optional() }),
    createdAt: z.string(),
    createdBy: z.string(),
    expiresAt: z.string().optional(),
    revokedAt: z.string().optional(),
    lastUsedAt: z.string().optional(),
  })
  .meta({ id: 'Token' });

export const NewTokenBody = z
  .object({
    name: z.string().min(1).max(100),
    role: z.enum(ROLES),
    cluster: z.string().max(253).optional(),
    namespace: z.string().max(253).optional(),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict()
  .refine((body) => body.namespace === undefined || body.cluster !== undefined, { message: 'a namespace scope needs a cluster scope', path: ['namespace'] });

export const AuditEntrySchema = z
  .object({ id: z.string(), at: z.string(), actor: z.string(), action: z.string(), target: z.string(), detail: z.record(z.string(), z.unknown()) })
  .meta({ id: 'AuditEntry' });

export const CiPushBody = z
  .object({
    kind: z.enum(CI_KINDS).describe('`manifests` (kubeward scan), `image-scan` (kubeward image scan) or `image-check` (kubeward image check).'),
    repository: z.string().min(1).max(300).describe('e.g. `github.com/acme/shop`'),
    commit: z.string().min(1).max(100),
    branch: z.string().max(300).optional(),
    pipeline: z.string().max(300).optional().describe('The CI run: its id or name.'),
    url: z.url().max(2000).optional().describe('A link to the CI run.'),
    report: z.unknown().describe('The report as `--format json` writes it.'),
  })
  .strict();

export const CiResultSchema = z
  .object({
    id: z.string(),
    repository: z.string(),
    commit: z.string(),
    branch: z.string().optional(),
    pipeline: z.string().optional(),
    url: z.string().optional(),
    kind: z.enum(CI_KINDS),
    subject: z.string(),
    toolVersion: z.string().optional(),
    receivedAt: z.string(),
    actor: z.string(),
    counts: z.object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number(), total: z.number() }),
  })
  .meta({ id: 'CiResult' });

export const CiListQuery = z
  .object({
    repository: z.string().max(300).optional(),
    commit: z.string().max(100).optional(),
    kind: z.enum(CI_KINDS).optional(),
    ...PageQuery,
  })
  .strict();

export const ImageSchema = z
  .object({
    digest: z.string(),
    name: z.string(),
    names: z.array(z.string()).readonly(),
    os: z.string().optional(),
    source: z.enum(['ci', 'server', 'demo']),
    scannedAt: z.string(),
    packages: z.number(),
    vulnerabilities: z.object({ total: z.number(), critical: z.number(), high: z.number(), medium: z.number(), low: z.number(), fixable: z.number() }),
  })
  .meta({ id: 'Image' });

export const ExceptionSchema = z
  .object({
    id: z.string(),
    policy: z.string(),
    scope: z.object({
      cluster: z.string().optional(),
      namespace: z.string().optional(),
      kind: z.string().optional(),
      name: z.string().optional(),
      image: z.string().optional(),
    }),
    reason: z.string(),
    requestedBy: z.string(),
    requestedAt: z.string(),
    expiresAt: z.string().optional(),
    state: z.enum(EXCEPTION_STATES),
    decidedBy: z.string().optional(),
    decidedAt: z.string().optional(),
    comment: z.string().optional(),
    revokedBy: z.string().optional(),
    revokedAt: z.string().optional(),
  })
  .meta({ id: 'Exception' });

export const PolicySummary = z
  .object({
    id: z.string(),
    name: z.string(),
    severity: z.enum(SEVERITIES),
    categories: z.array(z.string()).readonly(),
    lifecycleStages: z.array(z.string()).readonly(),
    enforcement: z.array(z.string()).readonly(),
    target: z.string(),
    enabled: z.boolean(),
    builtin: z.boolean(),
    version: z.number(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .meta({ id: 'Policy' });

export const PolicyDetail = PolicySummary.extend({ document: z.record(z.string(), z.unknown()) }).meta({ id: 'PolicyDetail' });

export const PolicyVersion = z
  .object({
    version: z.number(),
    change: z.enum(POLICY_CHANGES),
    enabled: z.boolean(),
    document: z.record(z.string(), z.unknown()),
    at: z.string(),
    actor: z.string(),
  })
  .meta({ id: 'PolicyVersion' });

export const ImportOutcome = z.object({
  created: z.array(z.string()),
  updated: z.array(z.string()),
  unchanged: z.array(z.string()),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
  notes: z.array(z.object({ id: z.string(), notes: z.array(z.string()) })),
});
