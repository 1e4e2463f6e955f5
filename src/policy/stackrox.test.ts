import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { repoPath } from '../../test/support/repo.js';
import { normaliseDocument } from '../k8s/normalise.js';
import { buildSnapshot } from '../k8s/snapshot.js';
import { compilePolicy } from './compile.js';
import { evaluatePolicies } from './evaluate.js';
import { parsePolicyDocument } from './schema.js';
import { convertStackRoxExport } from './stackrox.js';

describe('convertStackRoxExport', async () => {
  const exported: unknown = JSON.parse(await readFile(repoPath('test/fixtures/stackrox-export.json'), 'utf8'));
  const result = convertStackRoxExport(exported);

  it('converts what manifests can answer and lists the rest with reasons', () => {
    assert.deepEqual(
      result.converted.map((entry) => entry.document.metadata.name),
      [
        'stackrox-privileged-container',
        'stackrox-docker-cis-5-7-ensure-privileged-ports-are-not-mapped',
        'stackrox-seccomp-disabled-in-production',
        'stackrox-fixable-cvss-7',
      ],
    );
    assert.deepEqual(
      result.skipped.map((entry) => `${entry.name}: ${entry.reason.split(',')[0]}`),
      [
        'Ubuntu Package Manager Execution: runtime-only policy (process',
        'Custom field from a newer StackRox: field "Quantum Entanglement" has no Kubeward equivalent',
      ],
    );
  });

  it('converts image policies: Fixed By with CVSS becomes Fixable CVSS, as StackRox matches them on one vulnerability', () => {
    const fixable = result.converted.find((entry) => entry.document.metadata.name === 'stackrox-fixable-cvss-7');
    assert.deepEqual(fixable?.document.spec.criteria, [{ conditions: [{ field: 'Fixable CVSS', values: ['>= 7.000000'] }] }]);
    assert.ok(
      fixable?.notes.some((note) => note.includes('combined into Fixable CVSS')),
      fixable?.notes.join('\n'),
    );
  });

  it("maps StackRox severities and image age onto Kubeward's", () => {
    const converted = convertStackRoxExport({
      policies: [
        {
          name: 'Important fixable',
          severity: 'HIGH_SEVERITY',
          lifecycleStages: ['BUILD'],
          policySections: [
            {
              policyGroups: [
                { fieldName: 'Fixed By', values: [{ value: '.*' }] },
                { fieldName: 'Severity', values: [{ value: '>= IMPORTANT' }] },
              ],
            },
          ],
        },
        {
          name: 'Old image',
          severity: 'LOW_SEVERITY',
          lifecycleStages: ['BUILD', 'DEPLOY'],
          policySections: [{ policyGroups: [{ fieldName: 'Image Age', values: [{ value: '90' }] }] }],
        },
        {
          name: 'Scan age',
          severity: 'LOW_SEVERITY',
          lifecycleStages: ['DEPLOY'],
          policySections: [{ policyGroups: [{ fieldName: 'Image Scan Age', values: [{ value: '30' }] }] }],
        },
      ],
    });
    assert.deepEqual(
      converted.converted.map((entry) => entry.document.spec.criteria),
      [[{ conditions: [{ field: 'Fixable Severity', values: ['HIGH', 'CRITICAL'] }] }], [{ conditions: [{ field: 'Image Age', values: ['> 90'] }] }]],
    );
    assert.match(converted.skipped[0]?.reason ?? '', /Image Scan Age.*scan history/);
  });

  it('maps severity, enforcement, scopes, exclusions, MITRE ids and StackRox value spellings', () => {
    const [privileged, ports, seccomp] = result.converted.map((entry) => entry.document);
    assert.deepEqual(privileged?.spec, {
      name: 'Privileged Container',
      description: 'Alert on deployments with containers running in privileged mode',
      rationale: 'Privileged containers have access to all devices on a host.',
      remediation: 'Validate that the container requires privileged mode.',
      severity: 'MEDIUM',
      categories: ['Privileges', 'Docker CIS'],
      lifecycleStages: ['DEPLOY'],
      scope: [],
      exclusions: [
        { reason: "Don't alert on kube-system namespace", namespace: 'kube-system' },
        { reason: 'Calico node', name: 'calico-node', namespace: 'calico-system', expires: '2027-01-01T00:00:00Z' },
      ],
      enforcement: ['DEPLOY'],
      references: { stackrox: ['Privileged Container'], mitreAttack: ['T1611'] },
      criteria: [{ name: 'Policy Section 1', conditions: [{ field: 'Privileged Container', values: ['true'] }] }],
    });
    assert.deepEqual(ports?.spec.criteria, [{ conditions: [{ field: 'Exposed Node Port', values: ['<= 1024', '> 0'], operator: 'AND' }] }]);
    assert.deepEqual(seccomp?.spec.criteria, [{ conditions: [{ field: 'Seccomp Profile Type', values: ['Unconfined'] }] }]);
    assert.deepEqual(seccomp?.spec.enforcement, ['BUILD', 'DEPLOY']);
    assert.deepEqual(seccomp?.spec.scope, [{ namespace: 'prod-.*' }]);
    assert.ok(result.converted[0]?.notes.some((note) => note.includes('cluster scope "prod-eu" dropped')));
  });

  it('produces policies that validate and compile', () => {
    for (const { document } of result.converted) {
      const parsed = parsePolicyDocument(document, document.metadata.name);
      assert.ok('policy' in parsed, JSON.stringify(parsed));
      assert.ok('compiled' in compilePolicy(parsed.policy));
    }
  });

  it('notes enforcement it drops, and excludes images however they are spelled', async () => {
    const [converted] = convertStackRoxExport({
      name: 'Latest tag',
      lifecycleStages: ['DEPLOY'],
      enforcementActions: ['FAIL_BUILD_ENFORCEMENT', 'SCALE_TO_ZERO_ENFORCEMENT'],
      exclusions: [{ name: 'upstream nginx', image: { name: 'docker.io/library/nginx' } }],
      policySections: [{ policyGroups: [{ fieldName: 'Image Tag', values: [{ value: 'latest' }] }] }],
    }).converted;
    assert.ok(converted);
    assert.deepEqual(converted.document.spec.enforcement, ['DEPLOY']);
    assert.ok(converted.notes.includes("BUILD enforcement dropped: the policy's lifecycle stages (DEPLOY) do not include BUILD"), converted.notes.join('\n'));
    const parsed = parsePolicyDocument(converted.document, 'test');
    assert.ok('policy' in parsed);
    const compiled = compilePolicy(parsed.policy);
    assert.ok('compiled' in compiled);
    const snapshot = buildSnapshot(
      ['nginx:latest', 'docker.io/library/nginx:latest', 'index.docker.io/library/nginx:latest', 'registry.example.com/nginx:latest'].flatMap(
        (image, documentIndex) =>
          normaliseDocument(
            { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${documentIndex}` }, spec: { containers: [{ name: 'c', image }] } },
            { file: 'x.yaml', documentIndex, defaultNamespace: 'default' },
          ).objects,
      ),
    );
    const { findings } = evaluatePolicies(snapshot, [compiled.compiled], { now: new Date('2026-01-01'), stages: ['DEPLOY'] });
    assert.deepEqual(
      findings.map((finding) => finding.object.name),
      ['p3'],
    );
  });

  it('accepts a bare list or a single policy and refuses non-objects', () => {
    assert.equal(
      convertStackRoxExport([
        { name: 'One', lifecycleStages: ['DEPLOY'], policySections: [{ policyGroups: [{ fieldName: 'Host PID', values: [{ value: 'true' }] }] }] },
      ]).converted.length,
      1,
    );
    assert.equal(convertStackRoxExport([42]).skipped[0]?.reason, 'export entries must be policy objects');
  });
});
