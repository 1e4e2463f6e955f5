import { computeConnectivity } from '../../network/index.js';
import { evaluatePolicies } from '../../policy/index.js';
import { assessSubjects, collectGrants, serviceAccountSubjects } from '../../rbac/index.js';
import { renderRiskHtml } from '../../report/risk/html.js';
import { rankWorkloads } from '../../risk/index.js';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { loadSnapshot } from './manifests.js';
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
  const { snapshot, error } = await loadSnapshot(inputs, {}, io);
  const { findings } = evaluatePolicies(snapshot, policies.active, { now: io.now(), stages: ['BUILD', 'DEPLOY'] });
  const { grants } = collectGrants(snapshot);
  const ranked = rankWorkloads({ snapshot, findings, network: computeConnectivity(snapshot), rbac: assessSubjects(grants, serviceAccountSubjects(snapshot)) });
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
  return error ? EXIT.error : EXIT.clean;
};
