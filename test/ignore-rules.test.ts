import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kubeward } from './support/cli.js';
import { EXCUSE_LEGACY } from './support/ignore-rules.js';
import { temporaryDirectory } from './support/repo.js';

/** Two privileged Deployments; the configuration excuses the one in `legacy` (the sensor and the webhook are tested in live.test.ts and admission.test.ts). */
const MANIFESTS = ['legacy', 'shop']
  .map(
    (namespace) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: ${namespace}}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx:1.27, securityContext: {privileged: true}}]}\n`,
  )
  .join('---\n');

interface RiskEntry {
  readonly workload: string;
  readonly factors: readonly { readonly id: string; readonly evidence: readonly string[] }[];
}

describe('.kubeward.yaml ignore: rules are the same exceptions in every front end', () => {
  const setUp = async (config: string | undefined) => {
    const directory = await temporaryDirectory();
    await writeFile(join(directory, 'apps.yaml'), MANIFESTS);
    if (config !== undefined) await writeFile(join(directory, '.kubeward.yaml'), config);
    return directory;
  };

  it('kubeward scan: the excused finding is suppressed by config; the lapsed rule suppresses nothing and is named', async () => {
    const directory = await setUp(EXCUSE_LEGACY);
    const result = await kubeward(['scan', 'apps.yaml', '--only', 'privileged-container', '--format', 'json'], { cwd: directory });
    const report = JSON.parse(result.stdout) as {
      findings: { object: { namespace: string } }[];
      suppressed: { object: { namespace: string }; suppressed: { by: string; reason: string } }[];
    };
    assert.deepEqual(
      report.findings.map((finding) => finding.object.namespace),
      ['shop'],
    );
    assert.deepEqual(
      report.suppressed.map((finding) => [finding.object.namespace, finding.suppressed.by, finding.suppressed.reason]),
      [['legacy', 'config', 'vendor agent']],
    );
    assert.match(result.stderr, /ignore\[1\] \(policy privileged-container\) expired on 2020-01-01/);
  });

  it('kubeward risk: a finding the configuration excuses adds no risk', async () => {
    const violations = async (config: string | undefined): Promise<Record<string, readonly string[]>> => {
      const result = await kubeward(['risk', 'apps.yaml', '--format', 'json'], { cwd: await setUp(config) });
      assert.equal(result.code, 0, result.stderr);
      const { workloads } = JSON.parse(result.stdout) as { workloads: RiskEntry[] };
      return Object.fromEntries(workloads.map((entry) => [entry.workload, entry.factors.find((factor) => factor.id === 'policy-violations')?.evidence ?? []]));
    };
    const without = await violations(undefined);
    for (const workload of ['legacy/Deployment/web', 'shop/Deployment/web'])
      assert.ok(
        without[workload]?.some((line) => /Privileged container/.test(line)),
        `${workload}: ${JSON.stringify(without[workload])}`,
      );
    const excused = await violations(EXCUSE_LEGACY);
    assert.ok(!excused['legacy/Deployment/web']?.some((line) => /Privileged container/.test(line)), JSON.stringify(excused['legacy/Deployment/web']));
    assert.ok(excused['shop/Deployment/web']?.some((line) => /Privileged container/.test(line)));
  });
});
