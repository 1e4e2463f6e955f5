import { buildSnapshot, DEFAULT_LOAD_OPTIONS, loadInputs } from '../../k8s/index.js';
import { computeConnectivity } from '../../network/index.js';
import { evaluatePolicies } from '../../policy/index.js';
import { assessSubjects, collectGrants } from '../../rbac/index.js';
import { renderRiskHtml } from '../../report/risk/html.js';
import { rankWorkloads } from '../../risk/index.js';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { policyGate } from './scan.js';

export interface RiskOptions {
  readonly format: string;
  readonly top?: string;
  readonly config?: string;
  readonly quiet?: boolean;
}

/** `kubeward risk <inputs>`: workloads ranked by risk in their Kubernetes context, with the reasons. */
export const runRisk = async (inputs: readonly string[], options: RiskOptions, io: Io): Promise<number> => {
  if (!['txt', 'json', 'html'].includes(options.format)) throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use txt, json or html`);
  if (inputs.length === 0) throw new UsageError('nothing to rank: give manifest files or directories', 'kubeward risk examples/');
  const top = options.top === undefined ? undefined : Number(options.top);
  if (top !== undefined && (!Number.isInteger(top) || top < 1)) throw new UsageError('--top must be a whole number above 0');
  const { policies } = await policyGate({ policies: [], enable: [], disable: [], only: [], builtinPolicies: true, quiet: options.quiet ?? false, ...(options.config ? { config: options.config } : {}) }, io);
  const loaded = await loadInputs(inputs, { ...DEFAULT_LOAD_OPTIONS, cwd: io.cwd, stdin: io.readStdin });
  for (const problem of loaded.problems) io.stderr(`kubeward: ${problem.level}: ${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message}\n`);
  const snapshot = buildSnapshot(loaded.objects);
  const { findings } = evaluatePolicies(snapshot, policies.active, { now: io.now(), stages: ['BUILD', 'DEPLOY'] });
  const { grants } = collectGrants(snapshot);
  const serviceAccounts = snapshot.serviceAccounts.map((account) => ({ kind: 'ServiceAccount' as const, name: account.name, namespace: account.namespace ?? 'default' }));
  const ranked = rankWorkloads({ snapshot, findings, network: computeConnectivity(snapshot), rbac: assessSubjects(grants, serviceAccounts) });
  const shown = top === undefined ? ranked : ranked.slice(0, top);
  if (options.format === 'json') {
    await io.stdout(`${JSON.stringify({ schemaVersion: '1.0', workloads: shown }, null, 2)}\n`);
  } else if (options.format === 'html') {
    await io.stdout(renderRiskHtml(shown, io.now(), io.version));
  } else {
    const lines: string[] = [];
    shown.forEach((entry, index) => {
      lines.push(`${String(index + 1).padStart(3)}. ${entry.workload}  risk ${entry.score.toFixed(2)}`);
      for (const factor of entry.factors) if (factor.multiplier > 1) lines.push(`       ×${factor.multiplier.toFixed(2)} ${factor.name}: ${factor.evidence.join('; ')}`);
      if (entry.factors.some((factor) => factor.id === 'image-not-scanned')) lines.push('       (image not scanned)');
    });
    await io.stdout(`${lines.join('\n')}\n`);
  }
  return loaded.problems.some((problem) => problem.level === 'error') ? EXIT.error : EXIT.clean;
};
