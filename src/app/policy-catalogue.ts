import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_EXCLUDED_NAMESPACES } from '../admission/defaults.js';
import { displayPath } from '../k8s/files/index.js';
import { loadSchemaValidator, type SchemaValidator } from '../k8s/index.js';
import { parseYamlStream } from '../k8s/index.js';
import { compilePolicy, fieldsFor, TARGETS, type Policy, type Target } from '../policy/index.js';
import { parseCases, runPolicyCases } from '../policy/index.js';
import { builtInPolicyDirectory, loadPolicyPath } from '../policy/files/index.js';
import { convertStackRoxExport, type StackRoxConversion } from '../policy/index.js';
import { exportValidatingAdmissionPolicies, type ValidationAction, type VapExport } from '../policy/index.js';
import { policyExplainReport, type PolicyExplainReport, type PolicyFieldRow, type PolicyListReport } from '../report/policy/index.js';
import { loadConfig } from './config.js';
import { ConfigurationError, KnownError } from './errors.js';
import { formatPolicyProblem, resolvePolicies } from './policies.js';

export interface CatalogueOptions {
  /** A configuration file; else the one found from `cwd`. */
  readonly config?: string | undefined;
  /** Extra policy files or directories. */
  readonly policies: readonly string[];
  readonly cwd: string;
}

const catalogue = async (options: CatalogueOptions) =>
  resolvePolicies({
    config: await loadConfig(options.config, options.cwd),
    paths: options.policies,
    enable: [],
    disable: [],
    only: [],
    builtIn: true,
    cwd: options.cwd,
  });

/** `policy list`: every known policy, by id, with whether the configuration turns it on. */
export const listPolicies = async (options: CatalogueOptions): Promise<PolicyListReport> => {
  const selected = await catalogue(options);
  const active = new Set(selected.active.map((compiled) => compiled.policy.id));
  return [...selected.all].sort((a, b) => a.id.localeCompare(b.id)).map((policy) => ({ ...policy, enabled: active.has(policy.id) }));
};

/** `policy explain`: one policy whole, with whether it is on; an unknown id names the close ones. */
export const explainPolicy = async (id: string, options: CatalogueOptions): Promise<PolicyExplainReport> => {
  const selected = await catalogue(options);
  const policy = selected.all.find((candidate) => candidate.id === id);
  if (!policy) {
    const close = selected.all.filter((candidate) => candidate.id.includes(id) || id.includes(candidate.id)).map((candidate) => candidate.id);
    throw new ConfigurationError(
      `no policy has the id ${JSON.stringify(id)}`,
      close.length ? `did you mean ${close.slice(0, 3).join(', ')}?` : 'see `kubeward policy list`',
    );
  }
  return policyExplainReport(
    policy,
    selected.active.some((compiled) => compiled.policy.id === id),
  );
};

/** `policy fields`: the criteria fields a policy can use, for one target or all. */
export const policyFields = (target?: string): PolicyFieldRow[] => {
  const targets = target ? [target] : [...TARGETS];
  for (const name of targets) {
    if (!(TARGETS as readonly string[]).includes(name))
      throw new ConfigurationError(`unknown target ${JSON.stringify(name)}; use one of ${TARGETS.join(', ')}`);
  }
  return targets.flatMap((name) =>
    fieldsFor(name as Target)
      .filter((field) => target || field.target === name)
      .map((field) => ({ target: name, name: field.name, level: field.level, type: field.type, description: field.description, aliases: field.aliases ?? [] })),
  );
};

/** `policy import-stackrox`: a StackRox policy export converted, with what could not be. */
export const importStackRoxPolicies = async (file: string, cwd: string): Promise<StackRoxConversion> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(resolve(cwd, file), 'utf8'));
  } catch (error) {
    throw new ConfigurationError(
      `cannot read StackRox export ${file}: ${(error as Error).message}`,
      'export policies from StackRox with roxctl or the UI (Policy Management > Export)',
    );
  }
  return convertStackRoxExport(parsed);
};

/** One line of `policy test`: a case's outcome, a policy without cases, or a cases file that cannot be read. */
export type PolicyTestEvent =
  | { readonly kind: 'case'; readonly policy: string; readonly name: string; readonly passed: boolean; readonly failure?: string | undefined }
  | { readonly kind: 'untested'; readonly policy: string; readonly file: string }
  | { readonly kind: 'unreadable'; readonly policy: string; readonly file: string; readonly message: string };

/**
 * `policy test`: runs the cases written for policies, `tests/<id>.yaml` next to each policy file
 * (the built-in policies with `builtIn`), reporting each as it runs.
 */
export const testPolicies = async (options: {
  readonly paths: readonly string[];
  readonly builtIn: boolean;
  readonly cwd: string;
  readonly now: Date;
  readonly report: (event: PolicyTestEvent) => Promise<void> | void;
}): Promise<{ passed: number; failed: number; untested: number }> => {
  const roots = [...options.paths.map((path) => resolve(options.cwd, path)), ...(options.builtIn ? [builtInPolicyDirectory()] : [])];
  if (roots.length === 0) throw new KnownError('name policy files or directories to test, or --builtin', 'kubeward policy test policies/');
  const tally = { passed: 0, failed: 0, untested: 0 };
  let validateSchema: SchemaValidator | undefined;
  for (const root of roots) {
    const loaded = await loadPolicyPath(root, options.cwd);
    if (loaded.problems.length > 0) throw new ConfigurationError(loaded.problems.map(formatPolicyProblem).join('\n'));
    const casesDirectory = join((await stat(root)).isDirectory() ? root : dirname(root), 'tests');
    for (const policy of loaded.policies) {
      const file = join(casesDirectory, `${policy.id}.yaml`);
      const shown = displayPath(options.cwd, file);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        tally.untested++;
        await options.report({ kind: 'untested', policy: policy.id, file: shown });
        continue;
      }
      const [document] = parseYamlStream(text);
      const cases = document?.error ? `${document.error.line}:${document.error.column}: ${document.error.message}` : parseCases(document?.value ?? []);
      if (typeof cases === 'string') {
        tally.failed++;
        await options.report({ kind: 'unreadable', policy: policy.id, file: shown, message: cases });
        continue;
      }
      const compiled = compilePolicy(policy);
      if ('compiled' in compiled && compiled.compiled.needsSchemas) validateSchema ??= await loadSchemaValidator();
      for (const result of runPolicyCases(policy, cases, options.now, validateSchema)) {
        if (result.passed) tally.passed++;
        else tally.failed++;
        await options.report({ kind: 'case', policy: policy.id, name: result.name, passed: result.passed, failure: result.failure });
      }
    }
  }
  return tally;
};

export interface ExportVapOptions extends CatalogueOptions {
  readonly enable: readonly string[];
  readonly disable: readonly string[];
  readonly only: readonly string[];
  /** Deny, Warn or Audit, in any case; Deny alone when none. */
  readonly actions: readonly string[];
  /** Added to the system namespaces unless `defaultExclusions` is false. */
  readonly excludedNamespaces: readonly string[];
  readonly defaultExclusions: boolean;
  readonly warn?: (message: string) => void;
}

/**
 * `policy export-vap`: the active DEPLOY-stage policies that compile to CEL, as
 * ValidatingAdmissionPolicy and binding objects, with the ones that do not and why.
 */
export const exportVap = async (
  options: ExportVapOptions,
): Promise<VapExport & { readonly actions: readonly ValidationAction[]; readonly considered: readonly Policy[] }> => {
  const actions = (options.actions.length > 0 ? options.actions : ['Deny']).map((action) => action.charAt(0).toUpperCase() + action.slice(1).toLowerCase());
  const bad = actions.filter((action) => !['Deny', 'Warn', 'Audit'].includes(action));
  if (bad.length > 0) throw new ConfigurationError(`--action ${bad.join(', ')}: use Deny, Warn or Audit`);
  if (actions.includes('Deny') && actions.includes('Warn'))
    throw new ConfigurationError('--action Deny and Warn together: the API server refuses that binding', 'Deny, or Warn with Audit');
  const config = await loadConfig(options.config, options.cwd);
  const selected = await resolvePolicies({
    config,
    paths: options.policies,
    enable: options.enable,
    disable: options.disable,
    only: options.only,
    builtIn: true,
    cwd: options.cwd,
    ...(options.warn ? { warn: options.warn } : {}),
  });
  const considered = selected.active.map((compiled) => compiled.policy).filter((policy) => policy.lifecycleStages.includes('DEPLOY'));
  const excludedNamespaces = [...(options.defaultExclusions ? DEFAULT_EXCLUDED_NAMESPACES : []), ...options.excludedNamespaces];
  const exported = exportValidatingAdmissionPolicies(considered, { actions: actions as ValidationAction[], excludedNamespaces });
  return { ...exported, actions: actions as ValidationAction[], considered };
};
