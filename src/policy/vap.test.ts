import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse as parseCel } from '@marcbachmann/cel-js';
import { load } from 'js-yaml';
import { appliedManifest, parseCases, type PolicyCase } from './cases.js';
import { builtInPolicyDirectory, loadPolicyPath } from './files/index.js';
import type { Policy } from './types.js';
import { exportValidatingAdmissionPolicies, FIELD_TRANSLATIONS, VAP_VARIABLES, violationCel } from './vap.js';

type Program = (variables: Record<string, unknown>) => unknown;
const cel = (expression: string): Program => parseCel(expression) as unknown as Program;

/** Evaluates a VAP validation the way the API server binds it: `object`, and `variables` computed in order. */
const violates = (expression: string, object: unknown): boolean => {
  const variables: Record<string, unknown> = {};
  for (const variable of VAP_VARIABLES) variables[variable.name] = cel(variable.expression)({ object, variables });
  return cel(expression)({ object, variables }) === true;
};

describe('ValidatingAdmissionPolicy export: each compiled policy agrees with the policy engine on its own cases', () => {
  let policies: Policy[];
  before(async () => {
    policies = (await loadPolicyPath(builtInPolicyDirectory(), process.cwd())).policies;
  });

  it('compiles the pod-security policies, and says why the others do not compile', () => {
    const { compiled, skipped } = exportValidatingAdmissionPolicies(policies, { actions: ['Deny'], excludedNamespaces: [] });
    for (const id of ['privileged-container', 'host-network', 'host-pid', 'host-ipc', 'privilege-escalation', 'read-only-root-filesystem', 'host-port'])
      assert.ok(compiled.includes(id), `${id} compiles`);
    assert.ok(compiled.length >= 10, `${compiled.length} compiled`);
    assert.ok(skipped.every((entry) => entry.reason.length > 0));
    assert.ok(compiled.includes('latest-tag'), 'Image Tag compiles');
    assert.ok(compiled.includes('seccomp-unconfined'), 'Seccomp Profile Type compiles, legacy annotations included');
    assert.equal(skipped.find((entry) => entry.id === 'apparmor-unconfined')?.reason, 'field "AppArmor Profile" has no CEL translation');
  });

  it('every case of every compiled policy: the CEL validation fails exactly when the engine finds a violation', async () => {
    let checked = 0;
    for (const policy of policies) {
      const compiled = violationCel(policy, FIELD_TRANSLATIONS);
      if ('reason' in compiled) continue;
      const file = join(builtInPolicyDirectory(), 'tests', `${policy.id}.yaml`);
      assert.ok(existsSync(file), `${policy.id} has cases`);
      const cases = parseCases(load(await readFile(file, 'utf8'))) as PolicyCase[];
      for (const testCase of cases) {
        // Cases with other objects judge relations the API server does not show a policy.
        if (!testCase.pod || testCase.objects) continue;
        const object = appliedManifest(testCase);
        assert.equal(violates(compiled.cel, object), testCase.expect > 0, `${policy.id}: ${testCase.name}`);
        checked++;
      }
    }
    assert.ok(checked >= 50, `${checked} cases checked`);
  });

  it('reaches the pod spec of every workload kind, and init and ephemeral containers', () => {
    const privileged = violationCel(policies.find((policy) => policy.id === 'privileged-container') as Policy, FIELD_TRANSLATIONS);
    assert.ok('cel' in privileged);
    const container = { name: 'x', image: 'busybox:1.36', securityContext: { privileged: true } };
    const pod = (list: string) => ({ [list]: [container], ...(list === 'containers' ? {} : { containers: [{ name: 'y', image: 'nginx:1.27' }] }) });
    const wrapped: [string, unknown][] = [
      ['Pod', { kind: 'Pod', spec: pod('containers') }],
      ['Deployment init', { kind: 'Deployment', spec: { template: { spec: pod('initContainers') } } }],
      ['Pod ephemeral', { kind: 'Pod', spec: pod('ephemeralContainers') }],
      ['CronJob', { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: pod('containers') } } } } }],
    ];
    for (const [name, object] of wrapped) assert.equal(violates(privileged.cel, object), true, name);
    assert.equal(violates(privileged.cel, { kind: 'Deployment', spec: { template: { spec: { containers: [{ name: 'y', image: 'nginx:1.27' }] } } } }), false);
  });

  it('writes a policy and a binding per compiled policy, Deny by default, the control plane left out', () => {
    const { objects } = exportValidatingAdmissionPolicies(
      policies.filter((policy) => policy.id === 'privileged-container'),
      { actions: ['Deny'], excludedNamespaces: ['kube-system'] },
    );
    assert.deepEqual(
      objects.map((object) => object.kind),
      ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'],
    );
    const binding = objects[1] as { spec: { policyName: string; validationActions: string[]; matchResources: unknown } };
    assert.deepEqual(binding.spec, {
      policyName: 'kubeward-privileged-container',
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] } },
    });
    const validation = (objects[0] as { spec: { validations: { message: string }[] } }).spec.validations[0];
    assert.match(validation?.message ?? '', /^\[privileged-container\] Privileged container\. Fix: Remove `securityContext\.privileged: true`/);
  });
});
