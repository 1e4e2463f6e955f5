import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as Library from '../src/index.js';
import { repoRoot } from './support/repo.js';

// By name, as a dependent project imports it: resolved through package.json `exports`.
const packageName = 'kubeward';

describe('the package as a library', () => {
  it('imports by name and runs the scan use case the CLI runs', async () => {
    const kubeward = (await import(packageName)) as typeof Library;
    const set = await kubeward.resolvePolicySet({ paths: [], enable: [], disable: [], only: ['privileged-container'], builtIn: true, cwd: repoRoot() });
    const { report, failing } = await kubeward.scanManifests({
      set,
      inputs: ['examples/'],
      cwd: repoRoot(),
      stdin: () => [],
      now: new Date('2026-12-07T00:00:00Z'),
      version: 'test',
    });
    assert.deepEqual(
      report.findings.map((finding) => `${finding.policyId} ${finding.object.namespace}/${finding.object.name}`),
      failing.map((finding) => `${finding.policyId} ${finding.object.namespace}/${finding.object.name}`),
    );
    assert.ok(report.findings.length > 0);
    assert.ok(report.findings.every((finding) => finding.policyId === 'privileged-container'));
    assert.ok(kubeward.FORMAT_NAMES.includes('sarif'));
  });
});
