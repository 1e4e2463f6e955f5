import { z } from 'zod';
import { normaliseDocument } from '../k8s/index.js';
import { buildSnapshot } from '../k8s/index.js';
import {
  VULNERABILITY_SEVERITIES,
  WORKLOAD_KINDS,
  type Finding,
  type ImageScan,
  type InstalledPackage,
  type KubeObject,
  type VulnerabilitySeverity,
  type WorkloadKind,
} from '../model/index.js';
import { compilePolicy } from './compile.js';
import { evaluatePolicies, type EvaluateOptions } from './evaluate.js';
import type { Policy } from './types.js';

/**
 * A test case for a policy, as written in `tests/<policy-id>.yaml` next to the policies:
 * `pod` is a pod spec wrapped into a Deployment named `subject` in namespace `test` (or into
 * `kind`), `objects` are whole manifests added to the snapshot, and `expect` is the number of
 * findings the policy must raise (0 for a case that must stay silent).
 */
export interface PolicyCase {
  readonly name: string;
  readonly expect: number;
  /** Containers the findings must name, when given. */
  readonly containers?: readonly string[];
  readonly pod?: Record<string, unknown>;
  readonly kind?: string;
  readonly replicas?: number;
  readonly podAnnotations?: Record<string, string>;
  readonly objects?: readonly Record<string, unknown>[];
  /** What a scan of the case's images found, for image fields (every container runs this image). */
  readonly image?: CaseImage;
}

export interface CaseImage {
  readonly user?: string;
  readonly created?: string;
  readonly exposedPorts?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  /** History steps as the image config records them (`/bin/sh -c #(nop)  EXPOSE 22/tcp`). */
  readonly history?: readonly string[];
  readonly os?: { readonly id: string; readonly versionId?: string };
  readonly packages?: readonly { readonly name: string; readonly version: string }[];
  readonly vulnerabilities?: readonly {
    readonly id: string;
    readonly package: string;
    readonly severity: VulnerabilitySeverity;
    readonly score?: number;
    readonly fixedVersions?: readonly string[];
    readonly aliases?: readonly string[];
    readonly knownExploited?: boolean;
  }[];
}

/** A case's image as the scanner would have reported it. */
export const caseImageScan = (image: CaseImage): ImageScan => {
  const packages: InstalledPackage[] = (image.packages ?? []).map((pkg) => ({
    ecosystem: 'Debian',
    name: pkg.name,
    version: pkg.version,
    cataloger: 'case',
    purl: `pkg:generic/${pkg.name}@${pkg.version}`,
    path: '/var/lib/dpkg/status',
  }));
  return {
    image: {
      source: 'case',
      digest: 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      ...(image.created ? { created: image.created } : {}),
      ...(image.user === undefined ? {} : { user: image.user }),
      exposedPorts: [...(image.exposedPorts ?? [])],
      env: [],
      labels: { ...image.labels },
      layers: [],
      history: (image.history ?? []).map((createdBy) => ({ createdBy, emptyLayer: false })),
    },
    ...(image.os ? { os: { ...image.os, source: '/etc/os-release' } } : {}),
    packages,
    vulnerabilities: (image.vulnerabilities ?? []).map((vulnerability) => ({
      id: vulnerability.id,
      ids: [vulnerability.id, ...(vulnerability.aliases ?? [])].sort(),
      records: [vulnerability.id],
      package: packages.find((pkg) => pkg.name === vulnerability.package) ?? { ecosystem: 'Debian', name: vulnerability.package, version: '0' },
      severity: vulnerability.severity,
      ...(vulnerability.score === undefined ? {} : { score: vulnerability.score }),
      severitySource: { kind: 'label', detail: 'test case' },
      cvss: [],
      severityLabels: [],
      fixedVersions: [...(vulnerability.fixedVersions ?? [])],
      modified: '2024-01-01T00:00:00Z',
      references: [],
      ...(vulnerability.knownExploited ? { kev: { cve: vulnerability.id, dateAdded: '2024-01-01' } } : {}),
    })),
    problems: [],
  };
};

export interface CaseResult {
  readonly name: string;
  readonly passed: boolean;
  /** Why it failed, in a sentence. */
  readonly failure?: string;
  readonly findings: readonly Finding[];
}

/** The case as the manifest a user would apply: its pod wrapped in the kind it names (a Deployment by default). */
export const caseManifests = (testCase: PolicyCase): Record<string, unknown>[] => {
  if (!testCase.pod) return [];
  const kind = testCase.kind ?? 'Deployment';
  const metadata = { name: 'subject', namespace: 'test', labels: { app: 'subject' } };
  const annotations = testCase.podAnnotations ? { annotations: testCase.podAnnotations } : {};
  const template = { metadata: { labels: { app: 'subject' }, ...annotations }, spec: testCase.pod };
  if (kind === 'Pod') return [{ apiVersion: 'v1', kind, metadata: { ...metadata, ...annotations }, spec: testCase.pod }];
  if (kind === 'CronJob') return [{ apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } } }];
  if (kind === 'Job') return [{ apiVersion: 'batch/v1', kind, metadata, spec: { template } }];
  return [{ apiVersion: 'apps/v1', kind, metadata, spec: { replicas: testCase.replicas ?? 1, selector: { matchLabels: { app: 'subject' } }, template } }];
};

/** YAML 1.1 booleans (yes, on) as kubectl turns them into JSON booleans before the API server sees them. */
const yaml11Booleans = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(yaml11Booleans);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, yaml11Booleans(entry)]));
  if (typeof value === 'string' && /^(yes|on|y)$/i.test(value)) return true;
  if (typeof value === 'string' && /^(no|off|n)$/i.test(value)) return false;
  return value;
};

/**
 * The case's workload as `kubectl apply` would send it to an API server: YAML 1.1 booleans
 * converted, and what validation demands beyond the case filled in (a Job's pods restart Never,
 * a DaemonSet has no replicas).
 */
export const appliedManifest = (testCase: PolicyCase): Record<string, unknown> | undefined => {
  const [manifest] = caseManifests(testCase);
  if (!manifest) return undefined;
  const copy = yaml11Booleans(manifest) as Record<string, unknown> & {
    kind: string;
    spec: Record<string, unknown> & { template?: { spec: Record<string, unknown> }; jobTemplate?: { spec: { template: { spec: Record<string, unknown> } } } };
  };
  if (copy.kind === 'DaemonSet') delete copy.spec.replicas;
  const pod = copy.kind === 'Job' ? copy.spec.template?.spec : copy.kind === 'CronJob' ? copy.spec.jobTemplate?.spec.template.spec : undefined;
  if (pod && pod.restartPolicy === undefined) pod.restartPolicy = 'Never';
  return copy;
};

const objectsOf = (testCase: PolicyCase): KubeObject[] =>
  [...caseManifests(testCase), ...(testCase.objects ?? [])].flatMap(
    (value, documentIndex) => normaliseDocument(value, { file: 'case.yaml', documentIndex, defaultNamespace: 'default' }).objects,
  );

const record = z.record(z.string(), z.unknown());
const caseSchema = z
  .object({
    name: z.string().min(1),
    expect: z.number().int().min(0),
    containers: z.array(z.string()).optional(),
    pod: record.optional(),
    kind: z.enum(WORKLOAD_KINDS as readonly [WorkloadKind, ...WorkloadKind[]]).optional(),
    replicas: z.number().int().min(0).optional(),
    podAnnotations: z.record(z.string(), z.string()).optional(),
    objects: z.array(record).optional(),
    image: z
      .object({
        user: z.string().optional(),
        created: z.string().optional(),
        exposedPorts: z.array(z.string()).optional(),
        labels: z.record(z.string(), z.string()).optional(),
        history: z.array(z.string()).optional(),
        os: z.object({ id: z.string(), versionId: z.string().optional() }).strict().optional(),
        packages: z.array(z.object({ name: z.string(), version: z.string() }).strict()).optional(),
        vulnerabilities: z
          .array(
            z
              .object({
                id: z.string(),
                package: z.string(),
                severity: z.enum(VULNERABILITY_SEVERITIES),
                score: z.number().optional(),
                fixedVersions: z.array(z.string()).optional(),
                aliases: z.array(z.string()).optional(),
                knownExploited: z.boolean().optional(),
              })
              .strict(),
          )
          .optional(),
      })
      .strict()
      .optional(),
  })
  // A misspelt key would leave a case with nothing to judge, and `expect: 0` would pass untested.
  .strict()
  .refine((testCase) => testCase.pod !== undefined || (testCase.objects?.length ?? 0) > 0, { message: 'a case needs `pod` or `objects` to judge' });

/** Checks that a list of cases is well formed; the answer names the first bad case and key. */
export const parseCases = (value: unknown): PolicyCase[] | string => {
  if (!Array.isArray(value)) return 'a case file is a list of cases';
  const cases: PolicyCase[] = [];
  for (const [index, entry] of value.entries()) {
    const parsed = caseSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const name = typeof (entry as { name?: unknown } | null)?.name === 'string' ? ` (${(entry as { name: string }).name})` : '';
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      const message =
        issue?.code === 'unrecognized_keys'
          ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`
          : (issue?.message ?? 'invalid');
      return `case ${index + 1}${name}: ${where}${message}`;
    }
    cases.push(parsed.data as PolicyCase);
  }
  return cases;
};

/** Runs a policy's cases; `now` judges exclusion expiry; `validateSchema` serves schema policies. */
export const runPolicyCases = (policy: Policy, cases: readonly PolicyCase[], now: Date, validateSchema?: EvaluateOptions['validateSchema']): CaseResult[] => {
  const compiled = compilePolicy(policy);
  if ('problems' in compiled) {
    const failure = compiled.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
    return cases.map((testCase) => ({ name: testCase.name, passed: false, failure, findings: [] }));
  }
  return cases.map((testCase): CaseResult => {
    const snapshot = buildSnapshot(objectsOf(testCase));
    const scan = testCase.image ? caseImageScan(testCase.image) : undefined;
    const { findings } = evaluatePolicies(snapshot, [compiled.compiled], {
      now,
      stages: policy.lifecycleStages,
      ...(validateSchema ? { validateSchema } : {}),
      ...(scan ? { imageScan: () => scan } : {}),
    });
    if (findings.length !== testCase.expect) {
      return {
        name: testCase.name,
        passed: false,
        failure: `expected ${testCase.expect} findings, got ${findings.length}${findings.length ? `: ${findings.map((finding) => finding.message).join(' | ')}` : ''}`,
        findings,
      };
    }
    if (testCase.containers) {
      const actual = findings.map((finding) => finding.container ?? '').sort();
      const expected = [...testCase.containers].sort();
      if (actual.join(',') !== expected.join(',')) {
        return {
          name: testCase.name,
          passed: false,
          failure: `expected findings on containers [${expected.join(', ')}], got [${actual.join(', ')}]`,
          findings,
        };
      }
    }
    return { name: testCase.name, passed: true, findings };
  });
};
