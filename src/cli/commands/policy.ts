import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import jsYaml from 'js-yaml';
import { largest } from '../../model/index.js';
import { fieldsFor, TARGETS, type Policy, type Target } from '../../policy/index.js';
import { convertStackRoxExport } from '../../policy/stackrox.js';
import { formatPolicyProblem, loadConfig, resolvePolicies } from '../../app/index.js';
import { ConfigurationError, UsageError } from '../errors.js';
import { displayPath } from '../../k8s/load.js';
import { parseYamlStream } from '../../k8s/yaml.js';
import { parseCases, runPolicyCases } from '../../policy/cases.js';
import { compilePolicy } from '../../policy/compile.js';
import { exportValidatingAdmissionPolicies, type ValidationAction } from '../../policy/vap.js';
import { loadSchemaValidator, type SchemaValidator } from '../../k8s/schema.js';
import { builtInPolicyDirectory, loadPolicyPath } from '../../policy/files.js';
import type { Io } from '../io.js';
import type { PolicySelectionFlags } from '../policy-gate.js';

interface ListOptions {
  readonly format: string;
  readonly config?: string;
  readonly policies: readonly string[];
}

const referenceSummary = (policy: Policy): string => {
  const parts: string[] = [];
  const { references } = policy;
  if (references.cisKubernetes.length) parts.push(`CIS ${references.cisKubernetes.join(',')}`);
  if (references.podSecurityStandards) parts.push(`PSS ${references.podSecurityStandards.level}`);
  if (references.kubeLinter.length) parts.push(`kube-linter ${references.kubeLinter.join(',')}`);
  if (references.stackrox.length) parts.push('StackRox');
  return parts.join('; ');
};

const table = (rows: readonly (readonly string[])[]): string => {
  const widths = rows[0]?.map((_, column) => largest(rows.map((row) => (row[column] ?? '').length), 0)) ?? [];
  return `${rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd()).join('\n')}\n`;
};

const load = async (options: { config?: string; policies: readonly string[] }, io: Io) => {
  const config = await loadConfig(options.config, io.cwd);
  return resolvePolicies({ config, paths: options.policies, enable: [], disable: [], only: [], builtIn: true, cwd: io.cwd });
};

/** `kubeward policy list`: every known policy with its default state and what it maps to. */
export const runPolicyList = async (options: ListOptions, io: Io): Promise<number> => {
  const selected = await load(options, io);
  const active = new Set(selected.active.map((compiled) => compiled.policy.id));
  const policies = [...selected.all].sort((a, b) => a.id.localeCompare(b.id));
  if (options.format === 'json') {
    await io.stdout(`${JSON.stringify(policies.map((policy) => ({ ...policy, enabled: active.has(policy.id) })), null, 2)}\n`);
    return 0;
  }
  if (options.format !== 'table') throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use table or json`);
  await io.stdout(
    table([
      ['ID', 'SEVERITY', 'ON', 'STAGES', 'TARGET', 'REFERENCES'],
      ...policies.map((policy) => [
        policy.id,
        policy.severity,
        active.has(policy.id) ? 'yes' : 'no',
        policy.lifecycleStages.join(','),
        policy.target,
        referenceSummary(policy),
      ]),
    ]),
  );
  io.stderr(`${policies.length} policies, ${active.size} enabled\n`);
  return 0;
};

/** `kubeward policy explain <id>`: the whole policy in words, criteria included. */
export const runPolicyExplain = async (id: string, options: { config?: string; policies: readonly string[]; format: string }, io: Io): Promise<number> => {
  const selected = await load(options, io);
  const policy = selected.all.find((candidate) => candidate.id === id);
  if (!policy) {
    const close = selected.all.filter((candidate) => candidate.id.includes(id) || id.includes(candidate.id)).map((candidate) => candidate.id);
    throw new UsageError(`no policy has the id ${JSON.stringify(id)}`, close.length ? `did you mean ${close.slice(0, 3).join(', ')}?` : 'see `kubeward policy list`');
  }
  const enabled = selected.active.some((compiled) => compiled.policy.id === id);
  if (options.format === 'json') {
    await io.stdout(`${JSON.stringify({ ...policy, enabled }, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `${policy.id}: ${policy.name}`,
    `severity ${policy.severity}; stages ${policy.lifecycleStages.join(', ')}; target ${policy.target}${policy.kinds.length ? ` (${policy.kinds.join(', ')})` : ''}; ${enabled ? 'enabled' : 'disabled'}${policy.enforcement.length ? `; enforced at ${policy.enforcement.join(', ')}` : ''}`,
    `categories: ${policy.categories.join(', ') || '-'}`,
    '',
    policy.description,
    '',
    `Why: ${policy.rationale}`,
    '',
    `Fix: ${policy.remediation}`,
    '',
    'Criteria (sections are OR-ed, conditions within a section AND-ed):',
    ...policy.criteria.flatMap((section, index) => [
      `  section ${index + 1}${section.name ? ` (${section.name})` : ''}:`,
      ...section.conditions.map((condition) =>
        'cel' in condition
          ? `    - CEL (${condition.level}): ${condition.cel}`
          : `    - ${condition.negate ? 'NOT ' : ''}${condition.field} ${condition.operator === 'NOT_IN' ? 'not in' : condition.operator === 'AND' ? 'all of' : 'any of'} [${condition.values.join(', ')}]${(condition.except ?? []).length > 0 ? ` except [${condition.except.join(', ')}]` : ''}`,
      ),
    ]),
  ];
  const references = Object.entries(policy.references).filter(([, value]) => (Array.isArray(value) ? value.length > 0 : value !== undefined));
  if (references.length) {
    lines.push('', 'References:', ...references.map(([key, value]) => `  ${key}: ${Array.isArray(value) ? value.join(', ') : `${value.level} / ${value.control}`}`));
  }
  if (policy.exclusions.length) {
    lines.push('', 'Exclusions:', ...policy.exclusions.map((exclusion) => `  - ${JSON.stringify(exclusion)}`));
  }
  lines.push('', `Defined in ${policy.origin}`);
  await io.stdout(`${lines.join('\n')}\n`);
  return 0;
};

/** `kubeward policy fields`: the criteria fields a policy can use, per target. */
export const runPolicyFields = async (options: { target?: string; format: string }, io: Io): Promise<number> => {
  const targets = options.target ? [options.target] : [...TARGETS];
  for (const target of targets) {
    if (!(TARGETS as readonly string[]).includes(target)) throw new UsageError(`unknown target ${JSON.stringify(target)}; use one of ${TARGETS.join(', ')}`);
  }
  const rows = targets.flatMap((target) =>
    fieldsFor(target as Target)
      .filter((field) => options.target || field.target === target)
      .map((field) => ({ target, name: field.name, level: field.level, type: field.type, description: field.description, aliases: field.aliases ?? [] })),
  );
  if (options.format === 'json') await io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
  else await io.stdout(table([['TARGET', 'FIELD', 'LEVEL', 'TYPE', 'DESCRIPTION'], ...rows.map((row) => [row.target, row.name, row.level, row.type, row.description])]));
  return 0;
};

/** `kubeward policy import-stackrox`: converts a StackRox policy export and lists what it could not convert. */
export const runImportStackRox = async (file: string, options: { output?: string }, io: Io): Promise<number> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(resolve(io.cwd, file), 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read StackRox export ${file}: ${(error as Error).message}`, 'export policies from StackRox with roxctl or the UI (Policy Management > Export)');
  }
  const result = convertStackRoxExport(parsed);
  const documents = result.converted.map((entry) => entry.document);
  if (options.output) {
    await mkdir(resolve(io.cwd, options.output), { recursive: true });
    for (const entry of result.converted) {
      await writeFile(resolve(io.cwd, options.output, `${entry.document.metadata.name}.yaml`), jsYaml.dump(entry.document, { lineWidth: 120, noRefs: true }));
    }
  } else {
    await io.stdout(documents.map((document) => `---\n${jsYaml.dump(document, { lineWidth: 120, noRefs: true })}`).join(''));
  }
  for (const entry of result.converted) for (const note of entry.notes) io.stderr(`note: ${entry.document.metadata.name}: ${note}\n`);
  for (const skipped of result.skipped) io.stderr(`not converted: ${skipped.name}: ${skipped.reason}\n`);
  io.stderr(`converted ${result.converted.length} of ${result.converted.length + result.skipped.length} policies${options.output ? ` into ${options.output}/` : ''}\n`);
  return result.converted.length === 0 && result.skipped.length > 0 ? 1 : 0;
};

/**
 * `kubeward policy test [paths...]`: runs the cases written for policies, `tests/<id>.yaml`
 * next to each policy file (the built-in policies with `--builtin`). Exit 1 when a case fails.
 */
export const runPolicyTest = async (paths: readonly string[], options: { builtin: boolean }, io: Io): Promise<number> => {
  const roots = [...paths.map((path) => resolve(io.cwd, path)), ...(options.builtin ? [builtInPolicyDirectory()] : [])];
  if (roots.length === 0) throw new UsageError('name policy files or directories to test, or --builtin', 'kubeward policy test policies/');
  let failed = 0;
  let passed = 0;
  let untested = 0;
  let validateSchema: SchemaValidator | undefined;
  for (const root of roots) {
    const loaded = await loadPolicyPath(root, io.cwd);
    if (loaded.problems.length > 0) throw new ConfigurationError(loaded.problems.map(formatPolicyProblem).join('\n'));
    const casesDirectory = join((await stat(root)).isDirectory() ? root : dirname(root), 'tests');
    for (const policy of loaded.policies) {
      const file = join(casesDirectory, `${policy.id}.yaml`);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        untested++;
        await io.stdout(`-  ${policy.id}: no cases (${displayPath(io.cwd, file)})\n`);
        continue;
      }
      const [document] = parseYamlStream(text);
      const cases = document?.error ? `${document.error.line}:${document.error.column}: ${document.error.message}` : parseCases(document?.value ?? []);
      if (typeof cases === 'string') {
        failed++;
        await io.stdout(`✖  ${policy.id}: ${displayPath(io.cwd, file)}: ${cases}\n`);
        continue;
      }
      const compiled = compilePolicy(policy);
      if ('compiled' in compiled && compiled.compiled.needsSchemas) validateSchema ??= await loadSchemaValidator();
      for (const result of runPolicyCases(policy, cases, io.now(), validateSchema)) {
        if (result.passed) passed++;
        else failed++;
        await io.stdout(`${result.passed ? '✔' : '✖'}  ${policy.id}: ${result.name}${result.failure ? `\n     ${result.failure}` : ''}\n`);
      }
    }
  }
  io.stderr(`${passed} cases passed, ${failed} failed${untested ? `, ${untested} policies without cases` : ''}\n`);
  return failed > 0 ? 1 : 0;
};

export interface ExportVapOptions extends Omit<PolicySelectionFlags, 'builtinPolicies'> {
  readonly action: readonly string[];
  readonly excludeNamespace: readonly string[];
  /** commander's --no-default-exclusions */
  readonly defaultExclusions: boolean;
  readonly output?: string;
}

/**
 * `kubeward policy export-vap`: the active DEPLOY-stage policies that compile to CEL, as
 * ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects; stderr lists the
 * policies that do not compile, each with the reason.
 */
export const runPolicyExportVap = async (options: ExportVapOptions, io: Io): Promise<number> => {
  const actions = (options.action.length > 0 ? options.action : ['Deny']).map((action) => action.charAt(0).toUpperCase() + action.slice(1).toLowerCase());
  const bad = actions.filter((action) => !['Deny', 'Warn', 'Audit'].includes(action));
  if (bad.length > 0) throw new UsageError(`--action ${bad.join(', ')}: use Deny, Warn or Audit`);
  if (actions.includes('Deny') && actions.includes('Warn')) throw new UsageError('--action Deny and Warn together: the API server refuses that binding', 'Deny, or Warn with Audit');
  const config = await loadConfig(options.config, io.cwd);
  const selected = await resolvePolicies({ config, paths: options.policies, enable: options.enable, disable: options.disable, only: options.only, builtIn: true, cwd: io.cwd, warn: (message: string) => io.stderr(`kubeward: warning: ${message}\n`) });
  const deploy = selected.active.map((compiled) => compiled.policy).filter((policy) => policy.lifecycleStages.includes('DEPLOY'));
  const excluded = [...(options.defaultExclusions ? ['kube-system', 'kube-public', 'kube-node-lease'] : []), ...options.excludeNamespace];
  const { objects, compiled, skipped } = exportValidatingAdmissionPolicies(deploy, { actions: actions as ValidationAction[], excludedNamespaces: excluded });
  const text = objects.map((object) => jsYaml.dump(object, { lineWidth: -1, noRefs: true })).join('---\n');
  if (options.output) await writeFile(resolve(io.cwd, options.output), text);
  else await io.stdout(text);
  io.stderr(`kubeward: ${compiled.length} of ${deploy.length} active DEPLOY-stage policies compiled to ValidatingAdmissionPolicy (${actions.join(', ')})${skipped.length > 0 ? '; not compiled:' : ''}\n`);
  for (const entry of skipped) io.stderr(`  ${entry.id}: ${entry.reason}\n`);
  return 0;
};
