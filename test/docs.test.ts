import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderCatalogue, renderFields } from '../scripts/generate-docs.js';
import { parseYamlStream } from '../src/k8s/yaml.js';
import { builtInPolicyDirectory, loadPolicyPath } from '../src/policy/files/index.js';
import { repoPath } from './support/repo.js';

describe('documentation', () => {
  it('the generated policy catalogue and field list are up to date (npm run docs)', async () => {
    assert.equal(await readFile(repoPath('docs/policy-catalogue.md'), 'utf8'), await renderCatalogue());
    assert.equal(await readFile(repoPath('docs/fields.md'), 'utf8'), renderFields());
  });

  it('the README shows the two commands of the quick start', async () => {
    const readme = await readFile(repoPath('README.md'), 'utf8');
    for (const command of ['npm ci', 'npm start', 'npm test']) assert.ok(readme.includes(command), command);
  });

  it('the counts the prose quotes are the real ones', async () => {
    const directory = builtInPolicyDirectory();
    const { policies } = await loadPolicyPath(directory, directory);
    const readme = await readFile(repoPath('README.md'), 'utf8');
    assert.equal(/(\d+) built-in security policies/.exec(readme)?.[1], String(policies.length));
    let cases = 0;
    for (const name of await readdir(join(directory, 'tests')))
      cases += (parseYamlStream(await readFile(join(directory, 'tests', name), 'utf8'))[0]?.value as unknown[]).length;
    const guide = await readFile(repoPath('docs/policies.md'), 'utf8');
    assert.equal(/--builtin` runs the\s+(\d+) cases/.exec(guide)?.[1], String(cases));
  });
});

/** What the issue asks the built-in set to cover, checked against the policies' references. */
describe('coverage of the benchmarks and peers', async () => {
  const directory = builtInPolicyDirectory();
  const { policies } = await loadPolicyPath(directory, directory);

  it('every Pod Security Standards baseline and restricted control', () => {
    const controls = new Set(
      policies.flatMap((policy) =>
        policy.references.podSecurityStandards ? [`${policy.references.podSecurityStandards.level}/${policy.references.podSecurityStandards.control}`] : [],
      ),
    );
    const expected = [
      'baseline/HostProcess',
      'baseline/Host Namespaces',
      'baseline/Privileged Containers',
      'baseline/Capabilities',
      'baseline/HostPath Volumes',
      'baseline/Host Ports',
      'baseline/AppArmor',
      'baseline/SELinux',
      'baseline//proc Mount Type',
      'baseline/Seccomp',
      'baseline/Sysctls',
      'restricted/Volume Types',
      'restricted/Privilege Escalation',
      'restricted/Running as Non-root',
      'restricted/Running as Non-root user',
      'restricted/Seccomp',
      'restricted/Capabilities',
    ];
    assert.deepEqual(
      expected.filter((control) => !controls.has(control)),
      [],
    );
  });

  it('every kube-linter check that a manifest can answer', () => {
    const checks = new Set(policies.flatMap((policy) => policy.references.kubeLinter));
    const expected = [
      'privileged-container',
      'privilege-escalation-container',
      'run-as-non-root',
      'no-read-only-root-fs',
      'drop-net-raw-capability',
      'host-network',
      'host-pid',
      'host-ipc',
      'docker-sock',
      'sensitive-host-mounts',
      'writable-host-mount',
      'unsafe-sysctls',
      'unsafe-proc-mount',
      'privileged-ports',
      'ssh-port',
      'env-var-secret',
      'read-secret-from-env-var',
      'scc-deny-privileged-container',
      'latest-tag',
      'default-service-account',
      'access-to-create-pods',
      'access-to-secrets',
      'cluster-admin-role-binding',
      'wildcard-in-rules',
      'unset-cpu-requirements',
      'unset-memory-requirements',
      'no-liveness-probe',
      'no-readiness-probe',
      'liveness-port',
      'readiness-port',
      'startup-port',
      'minimum-three-replicas',
      'hpa-minimum-three-replicas',
      'no-anti-affinity',
      'no-node-affinity',
      'no-rolling-update-strategy',
      'priority-class-name',
      'restart-policy',
      'job-ttl-seconds-after-finished',
      'pdb-max-unavailable',
      'pdb-min-available',
      'pdb-unhealthy-pod-eviction-policy',
      'dangling-service',
      'dangling-ingress',
      'dangling-networkpolicy',
      'dangling-networkpolicypeer-podselector',
      'dangling-horizontalpodautoscaler',
      'dangling-servicemonitor',
      'non-existent-service-account',
      'mismatching-selector',
      'invalid-target-ports',
      'non-isolated-pod',
      'deprecated-service-account-field',
      'no-extensions-v1beta',
      'duplicate-env-var',
      'env-value-from',
      'dnsconfig-options',
      'exposed-services',
      'required-annotation-email',
      'required-label-owner',
      'use-namespace',
      'sorted-keys',
      'schema-validation',
    ];
    assert.deepEqual(
      expected.filter((check) => !checks.has(check)),
      [],
    );
  });

  it('the CIS Kubernetes Benchmark section 5 checks that API objects can answer', () => {
    const ids = new Set(policies.flatMap((policy) => policy.references.cisKubernetes));
    const expected = [
      '5.1.1',
      '5.1.2',
      '5.1.3',
      '5.1.4',
      '5.1.5',
      '5.1.6',
      '5.1.7',
      '5.1.8',
      '5.1.9',
      '5.1.10',
      '5.1.11',
      '5.1.12',
      '5.1.13',
      '5.2.1',
      '5.2.2',
      '5.2.3',
      '5.2.4',
      '5.2.5',
      '5.2.6',
      '5.2.7',
      '5.2.8',
      '5.2.9',
      '5.2.10',
      '5.2.11',
      '5.2.12',
      '5.3.2',
      '5.4.1',
      '5.6.2',
      '5.6.3',
      '5.6.4',
    ];
    assert.deepEqual(
      expected.filter((id) => !ids.has(id)),
      [],
    );
  });

  it('every BUILD/DEPLOY StackRox default policy that a manifest alone can answer', () => {
    const names = new Set(policies.flatMap((policy) => policy.references.stackrox));
    const expected = [
      'Latest tag',
      'CAP_SYS_ADMIN capability added',
      'Container using read-write root filesystem',
      'Container with privilege escalation allowed',
      'Deployments should have at least one egress Network Policy',
      'Deployments should have at least one ingress Network Policy',
      'Deployments with externally exposed endpoints',
      'Docker CIS 5.1 Ensure that, if applicable, an AppArmor Profile is enabled',
      "Docker CIS 5.15: Ensure that the host's process namespace is not shared",
      "Docker CIS 5.16: Ensure that the host's IPC namespace is not shared",
      'Docker CIS 5.19: Ensure mount propagation mode is not enabled',
      'Docker CIS 5.21: Ensure the default seccomp profile is not disabled',
      'Docker CIS 5.7: Ensure privileged ports are not mapped within containers',
      "Docker CIS 5.9 and 5.20: Ensure that the host's network namespace is not shared",
      'Drop All Capabilities',
      'Emergency Deployment Annotation',
      'Environment Variable Contains Secret',
      'Kubernetes Dashboard Deployed',
      'Mount Container Runtime Socket',
      'Mounting Sensitive Host Directories',
      'No CPU request or memory limit specified',
      'Pod Service Account Token Automatically Mounted',
      'Privileged',
      'Required Annotation: Email',
      'Required Annotation: Owner/Team',
      'Required Label: Owner/Team',
      'Secret Mounted as Environment Variable',
      'Secure Shell (ssh) Port Exposed',
    ];
    assert.deepEqual(
      expected.filter((name) => !names.has(name)),
      [],
    );
  });
});
