import { buildSnapshot } from '../../src/k8s/index.js';
import { DEFAULT_LOAD_OPTIONS, loadInputs } from '../../src/k8s/files/index.js';
import type { ScanReport } from '../../src/model/index.js';
import { builtInPolicyDirectory, loadPolicyPath } from '../../src/policy/files/index.js';
import { evaluatePolicies, selectPolicies } from '../../src/policy/index.js';
import { buildScanReport, countKinds } from '../../src/report/index.js';
import { repoRoot } from './repo.js';

/** The whole scan pipeline over paths relative to the repository, with the built-in policies. */
export const scanForTest = async (inputs: string[], enable: string[] = []): Promise<ScanReport> => {
  const cwd = repoRoot();
  const { policies } = await loadPolicyPath(builtInPolicyDirectory(), cwd);
  const selected = selectPolicies(policies, [], { enable, disable: [], only: [] }, 'test');
  const loaded = await loadInputs(inputs, { ...DEFAULT_LOAD_OPTIONS, cwd, stdin: () => [] });
  const evaluation = evaluatePolicies(buildSnapshot(loaded.objects), selected.active, {
    now: new Date('2026-11-28T00:00:00Z'),
    stages: ['BUILD', 'DEPLOY'],
    locateAll: loaded.locateAll,
  });
  return buildScanReport({
    version: '0.0.0-test',
    inputs,
    files: loaded.files,
    documents: loaded.documents,
    kinds: countKinds(loaded.objects),
    findings: evaluation.findings,
    problems: loaded.problems,
    policies: selected.active.map((compiled) => compiled.policy),
    minimumSeverity: 'LOW',
  });
};
