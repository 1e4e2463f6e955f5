import { normaliseDocument } from '../k8s/normalise.js';
import { buildSnapshot } from '../k8s/snapshot.js';
import type { Finding, KubeObject } from '../model/index.js';
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
}

export interface CaseResult {
  readonly name: string;
  readonly passed: boolean;
  /** Why it failed, in a sentence. */
  readonly failure?: string;
  readonly findings: readonly Finding[];
}

const wrap = (testCase: PolicyCase): Record<string, unknown>[] => {
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

const objectsOf = (testCase: PolicyCase): KubeObject[] =>
  [...wrap(testCase), ...(testCase.objects ?? [])].flatMap(
    (value, documentIndex) => normaliseDocument(value, { file: 'case.yaml', documentIndex, defaultNamespace: 'default' }).objects,
  );

const isCase = (value: unknown): value is PolicyCase =>
  typeof value === 'object' && value !== null && typeof (value as PolicyCase).name === 'string' && typeof (value as PolicyCase).expect === 'number';

/** Checks that a list of cases is well formed: each has a name and a number of expected findings. */
export const parseCases = (value: unknown): PolicyCase[] | string => {
  if (!Array.isArray(value)) return 'a case file is a list of cases';
  const invalid = value.findIndex((entry) => !isCase(entry));
  return invalid >= 0 ? `case ${invalid + 1} needs a name and a number "expect"` : value;
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
    const { findings } = evaluatePolicies(snapshot, [compiled.compiled], { now, stages: policy.lifecycleStages, ...(validateSchema ? { validateSchema } : {}) });
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
        return { name: testCase.name, passed: false, failure: `expected findings on containers [${expected.join(', ')}], got [${actual.join(', ')}]`, findings };
      }
    }
    return { name: testCase.name, passed: true, findings };
  });
};
