import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kubeward } from './support/cli.js';

describe('kubeward rbac on the demo application', () => {
  it('who-can names every subject with the chain of bindings, cluster-wide grants included', async () => {
    const result = await kubeward(['rbac', 'who-can', 'get', 'secrets', '-n', 'shop', '-f', 'examples']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^2 subjects can get secrets in namespace shop:\n/);
    assert.match(
      result.stdout,
      /ServiceAccount shop\/legacy-admin\n {4}ClusterRoleBinding legacy-admin → ClusterRole cluster-admin \(built-in\) → \* \* \(API groups \*\) \[cluster-wide\]/,
    );
    const json = JSON.parse((await kubeward(['rbac', 'who-can', 'get', 'secrets', '-n', 'data', '-f', 'examples', '-o', 'json'])).stdout) as {
      subjects: { subject: { name: string } }[];
    };
    assert.deepEqual(
      json.subjects.map((entry) => entry.subject.name),
      ['legacy-admin'],
      'the ci-deployer Role is limited to namespace shop',
    );
  });

  it('review ranks subjects by permission level with the evidence of each dangerous permission', async () => {
    const result = await kubeward(['rbac', 'review', '-f', 'examples', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const review = JSON.parse(result.stdout) as {
      subjects: { subject: { name: string; namespace?: string }; level: string; flags: { id: string; scope: string }[] }[];
    };
    const byName = new Map(review.subjects.map((entry) => [`${entry.subject.namespace ?? ''}/${entry.subject.name}`, entry]));
    assert.equal(review.subjects[0]?.subject.name, 'legacy-admin');
    assert.equal(byName.get('shop/legacy-admin')?.level, 'cluster-admin');
    assert.deepEqual(
      byName.get('ops/ci-deployer')?.flags.map((flag) => `${flag.id}@${flag.scope}`),
      ['read-secrets@shop', 'create-workloads@shop'],
    );
    assert.equal(byName.get('ops/ci-deployer')?.level, 'elevated-in-namespace');
    assert.equal(byName.get('data/postgres')?.level, 'none', 'service accounts without bindings are listed too');
  });

  it('explain lists what a subject holds; a bad subject is a usage error', async () => {
    const result = await kubeward(['rbac', 'explain', 'sa:ops/ci-deployer', '-f', 'examples']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^ServiceAccount ops\/ci-deployer holds \d+ rules \(permission level: elevated-in-namespace\):\n {2}RoleBinding shop\/ci-deployer → Role deployer[\s\S]*Dangerous permissions:\n {2}read-secrets: read Secrets \[namespace shop\]/,
    );
    const bad = await kubeward(['rbac', 'explain', 'ops/ci-deployer', '-f', 'examples']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /cannot read subject "ops\/ci-deployer"\nhint: write sa:<namespace>\/<name>, user:<name> or group:<name>/);
  });
});
