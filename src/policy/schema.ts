import { z } from 'zod';
import { LIFECYCLE_STAGES, SEVERITIES, formatPath, type PathSegment } from '../model/index.js';
import { TARGETS, type Condition, type Policy } from './types.js';

const text = z.string().trim().min(1);
const list = <T extends z.ZodType>(item: T) => z.array(item).default([]);
/** Accepts `true`, `3` or `"x"` alike: policy values are strings, as in StackRox exports. */
const value = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const selector = z
  .object({
    namespace: z.string().optional(),
    kind: z.string().optional(),
    name: z.string().optional(),
    label: z.object({ key: z.string(), value: z.string().optional() }).strict().optional(),
  })
  .strict();

const exclusion = selector
  .extend({
    reason: z.string().optional(),
    image: z.string().optional(),
    expires: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  })
  .strict();

const fieldCondition = z
  .object({
    field: text,
    values: z.array(value).default([]),
    except: z.array(value).default([]),
    operator: z.enum(['OR', 'AND', 'NOT_IN']).default('OR'),
    negate: z.boolean().default(false),
  })
  .strict();

const celCondition = z
  .object({
    cel: text,
    level: z.enum(['object', 'container']).default('object'),
    message: z.string().optional(),
  })
  .strict();

const section = z
  .object({
    name: z.string().optional(),
    conditions: z.array(z.union([fieldCondition, celCondition])).min(1),
  })
  .strict();

const references = z
  .object({
    cisKubernetes: list(z.string()),
    nist800190: list(z.string()),
    pciDss: list(z.string()),
    hipaa: list(z.string()),
    mitreAttack: list(z.string()),
    podSecurityStandards: z
      .object({ level: z.enum(['baseline', 'restricted']), control: z.string() })
      .strict()
      .optional(),
    kubeLinter: list(z.string()),
    stackrox: list(z.string()),
  })
  .strict();

const ID = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A Policy document: shaped as a Kubernetes custom resource so the same file can be applied to a cluster. */
export const policyDocumentSchema = z
  .object({
    apiVersion: z.literal('kubeward.io/v1'),
    kind: z.literal('Policy'),
    metadata: z
      .object({
        name: z.string().regex(ID, 'policy ids are lower-case DNS labels (a-z, 0-9, -)'),
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .loose(),
    spec: z
      .object({
        name: text,
        description: text,
        rationale: text,
        remediation: text,
        severity: z.enum(SEVERITIES),
        categories: list(z.string()),
        lifecycleStages: z.array(z.enum(LIFECYCLE_STAGES)).min(1),
        disabled: z.boolean().default(false),
        target: z.enum(TARGETS).default('Workload'),
        kinds: list(z.string()),
        scope: list(selector),
        exclusions: list(exclusion),
        enforcement: list(z.enum(LIFECYCLE_STAGES)),
        references: references.default({
          cisKubernetes: [],
          nist800190: [],
          pciDss: [],
          hipaa: [],
          mitreAttack: [],
          kubeLinter: [],
          stackrox: [],
        }),
        criteria: z.array(section).min(1),
      })
      .strict(),
  })
  .strict();

export type PolicyDocument = z.input<typeof policyDocumentSchema>;

/** A policy that could not be read, as data: formatted only at the edge. */
export interface PolicyProblem {
  readonly origin: string;
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export type PolicyParseResult = { readonly policy: Policy } | { readonly problems: PolicyProblem[] };

export const toPath = (segments: readonly PropertyKey[]): string =>
  formatPath(segments.filter((segment): segment is PathSegment => typeof segment !== 'symbol'));

/** Validates one Policy document's shape (criteria fields are checked by `compilePolicy`). */
export const parsePolicyDocument = (document: unknown, origin: string): PolicyParseResult => {
  const parsed = policyDocumentSchema.safeParse(document);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => ({
        origin,
        path: toPath(issue.path),
        code: issue.code,
        message: issue.message,
      })),
    };
  }
  const { metadata, spec } = parsed.data;
  const criteria = spec.criteria.map((entry) => ({
    ...(entry.name === undefined ? {} : { name: entry.name }),
    conditions: entry.conditions.map((condition): Condition =>
      'cel' in condition ? { cel: condition.cel, level: condition.level, ...(condition.message ? { message: condition.message } : {}) } : condition,
    ),
  }));
  const stripUndefined = <T extends object>(item: T): T => Object.fromEntries(Object.entries(item).filter(([, entry]) => entry !== undefined)) as T;
  return {
    policy: {
      id: metadata.name,
      name: spec.name,
      description: spec.description,
      rationale: spec.rationale,
      remediation: spec.remediation,
      severity: spec.severity,
      categories: spec.categories,
      lifecycleStages: spec.lifecycleStages,
      enabledByDefault: !spec.disabled,
      target: spec.target,
      kinds: spec.kinds,
      scope: spec.scope.map(stripUndefined),
      exclusions: spec.exclusions.map(stripUndefined),
      enforcement: spec.enforcement,
      references: stripUndefined(spec.references),
      criteria,
      origin,
    } as Policy,
  };
};
