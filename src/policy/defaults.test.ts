import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildSnapshot, normaliseDocument, parseYamlStream } from '../k8s/index.js';
import type { KubeObject } from '../model/index.js';
import { compilePolicy, evaluatePolicies, type Policy } from './index.js';
import { builtInPolicyDirectory, loadPolicyPath } from './files.js';

/**
 * Every built-in policy ships with cases in policies/tests/<id>.yaml: a list of
 * `{name, expect, containers?, pod? | objects?, kind?, annotations?}` where `pod` is a pod
 * spec wrapped into a Deployment (or `kind`), `objects` are whole manifests, and `expect` is
 * the number of findings this policy must raise (0 for a negative case).
 */
interface Case {
  readonly name: string;
  readonly expect: number;
  readonly containers?: readonly string[];
  readonly pod?: Record<string, unknown>;
  readonly kind?: string;
  readonly replicas?: number;
  readonly podAnnotations?: Record<string, string>;
  readonly objects?: readonly Record<string, unknown>[];
}

const wrap = (testCase: Case): Record<string, unknown>[] => {
  if (!testCase.pod) return [];
  const kind = testCase.kind ?? 'Deployment';
  const metadata = { name: 'subject', namespace: 'test', labels: { app: 'subject' } };
  const template = { metadata: { labels: { app: 'subject' }, ...(testCase.podAnnotations ? { annotations: testCase.podAnnotations } : {}) }, spec: testCase.pod };
  const apiVersion = kind === 'Pod' ? 'v1' : kind === 'CronJob' || kind === 'Job' ? 'batch/v1' : 'apps/v1';
  if (kind === 'Pod') return [{ apiVersion, kind, metadata: { ...metadata, ...(testCase.podAnnotations ? { annotations: testCase.podAnnotations } : {}) }, spec: testCase.pod }];
  if (kind === 'CronJob') return [{ apiVersion, kind, metadata, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } } }];
  if (kind === 'Job') return [{ apiVersion, kind, metadata, spec: { template } }];
  return [{ apiVersion, kind, metadata, spec: { replicas: testCase.replicas ?? 1, selector: { matchLabels: { app: 'subject' } }, template } }];
};

const objectsOf = (testCase: Case): KubeObject[] =>
  [...wrap(testCase), ...(testCase.objects ?? [])].flatMap(
    (value, documentIndex) => normaliseDocument(value, { file: 'case.yaml', documentIndex, defaultNamespace: 'default' }).objects,
  );

const directory = builtInPolicyDirectory();
const { policies, problems } = await loadPolicyPath(directory, directory);

const casesFor = async (policy: Policy): Promise<Case[]> => {
  const text = await readFile(join(directory, 'tests', `${policy.id}.yaml`), 'utf8');
  const [document] = parseYamlStream(text);
  assert.ok(document && !document.error, `policies/tests/${policy.id}.yaml does not parse: ${document?.error?.message}`);
  assert.ok(Array.isArray(document.value), `policies/tests/${policy.id}.yaml must be a list of cases`);
  return document.value as Case[];
};

describe('built-in policies', () => {
  it('all parse and compile', () => {
    assert.deepEqual(problems, []);
    for (const policy of policies) {
      const result = compilePolicy(policy);
      assert.ok('compiled' in result, `${policy.id}: ${JSON.stringify('problems' in result ? result.problems : [])}`);
    }
  });

  it('number at least 80, with unique ids matching their file names', async () => {
    assert.ok(policies.length >= 80, `only ${policies.length} built-in policies`);
    assert.equal(new Set(policies.map((policy) => policy.id)).size, policies.length);
    for (const policy of policies) assert.match(policy.origin, new RegExp(`^${policy.id}\\.yaml:`));
    const testFiles = (await readdir(join(directory, 'tests'))).map((file) => file.replace(/\.yaml$/, ''));
    assert.deepEqual(testFiles.filter((id) => !policies.some((policy) => policy.id === id)), [], 'test files without a policy');
  });

  for (const policy of policies) {
    it(`${policy.id} fires on its positive cases and stays silent on its negatives`, async () => {
      const cases = await casesFor(policy);
      assert.ok(cases.some((testCase) => testCase.expect > 0), 'needs at least one positive case');
      assert.ok(cases.some((testCase) => testCase.expect === 0), 'needs at least one negative case');
      const result = compilePolicy(policy);
      assert.ok('compiled' in result);
      for (const testCase of cases) {
        const snapshot = buildSnapshot(objectsOf(testCase));
        const { findings } = evaluatePolicies(snapshot, [result.compiled], { now: new Date('2026-01-01T00:00:00Z'), stages: policy.lifecycleStages });
        assert.equal(
          findings.length,
          testCase.expect,
          `case "${testCase.name}": expected ${testCase.expect} findings, got ${findings.length}: ${findings.map((finding) => finding.message).join(' | ')}`,
        );
        if (testCase.containers) {
          assert.deepEqual(findings.map((finding) => finding.container).sort(), [...testCase.containers].sort(), `case "${testCase.name}": containers`);
        }
        for (const finding of findings) {
          assert.ok(finding.message.length > 10, `case "${testCase.name}": message too thin: ${finding.message}`);
          assert.equal(finding.policyId, policy.id);
        }
      }
    });
  }
});
