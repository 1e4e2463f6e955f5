import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { repoPath } from '../../test/support/repo.js';
import { compilePolicy } from './compile.js';
import { parsePolicyDocument } from './schema.js';
import { convertStackRoxExport } from './stackrox.js';

describe('convertStackRoxExport', async () => {
  const exported: unknown = JSON.parse(await readFile(repoPath('test/fixtures/stackrox-export.json'), 'utf8'));
  const result = convertStackRoxExport(exported);

  it('converts what manifests can answer and lists the rest with reasons', () => {
    assert.deepEqual(result.converted.map((entry) => entry.document.metadata.name), [
      'privileged-container',
      'docker-cis-5-7-ensure-privileged-ports-are-not-mapped-within',
      'seccomp-disabled-in-production',
    ]);
    assert.deepEqual(result.skipped.map((entry) => `${entry.name}: ${entry.reason.split(',')[0]}`), [
      'Fixable CVSS >= 7: field "Fixed By" needs image scanning',
      'Ubuntu Package Manager Execution: runtime-only policy (process',
      'Custom field from a newer StackRox: field "Quantum Entanglement" has no Kubeward equivalent',
    ]);
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

  it('accepts a bare list or a single policy and refuses non-objects', () => {
    assert.equal(convertStackRoxExport([{ name: 'One', lifecycleStages: ['DEPLOY'], policySections: [{ policyGroups: [{ fieldName: 'Host PID', values: [{ value: 'true' }] }] }] }]).converted.length, 1);
    assert.equal(convertStackRoxExport([42]).skipped[0]?.reason, 'export entries must be policy objects');
  });
});
