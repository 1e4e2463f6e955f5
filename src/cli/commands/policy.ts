import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import jsYaml from 'js-yaml';
import { explainPolicy, exportVap, importStackRoxPolicies, listPolicies, policyFields, testPolicies } from '../../app/index.js';
import { POLICY_EXPLAIN_RENDERERS, POLICY_FIELD_RENDERERS, POLICY_LIST_RENDERERS } from '../../report/policy/index.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { PolicySelectionFlags } from '../policy-gate.js';
import { renderContext, writeRendered } from '../write-report.js';

interface ListOptions {
  readonly format: string;
  readonly config?: string;
  readonly policies: readonly string[];
}

/** `kubeward policy list`: every known policy with its default state and what it maps to. */
export const runPolicyList = async (options: ListOptions, io: Io): Promise<number> => {
  const policies = await listPolicies({ ...options, cwd: io.cwd });
  if (options.format !== 'json' && options.format !== 'table') throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use table or json`);
  await writeRendered(POLICY_LIST_RENDERERS[options.format].render(policies, renderContext(io, {}, false)), undefined, io);
  if (options.format === 'table') io.stderr(`${policies.length} policies, ${policies.filter((policy) => policy.enabled).length} enabled\n`);
  return 0;
};

/** `kubeward policy explain <id>`: the whole policy in words, criteria included. */
export const runPolicyExplain = async (id: string, options: { config?: string; policies: readonly string[]; format: string }, io: Io): Promise<number> => {
  const report = await explainPolicy(id, { ...options, cwd: io.cwd });
  await writeRendered(POLICY_EXPLAIN_RENDERERS[options.format === 'json' ? 'json' : 'text'].render(report, renderContext(io, {}, false)), undefined, io);
  return 0;
};

/** `kubeward policy fields`: the criteria fields a policy can use, per target. */
export const runPolicyFields = async (options: { target?: string; format: string }, io: Io): Promise<number> => {
  await writeRendered(
    POLICY_FIELD_RENDERERS[options.format === 'json' ? 'json' : 'table'].render(policyFields(options.target), renderContext(io, {}, false)),
    undefined,
    io,
  );
  return 0;
};

/** `kubeward policy import-stackrox`: converts a StackRox policy export and lists what it could not convert. */
export const runImportStackRox = async (file: string, options: { output?: string }, io: Io): Promise<number> => {
  const result = await importStackRoxPolicies(file, io.cwd);
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
  io.stderr(
    `converted ${result.converted.length} of ${result.converted.length + result.skipped.length} policies${options.output ? ` into ${options.output}/` : ''}\n`,
  );
  return result.converted.length === 0 && result.skipped.length > 0 ? 1 : 0;
};

/**
 * `kubeward policy test [paths...]`: runs the cases written for policies, `tests/<id>.yaml`
 * next to each policy file (the built-in policies with `--builtin`). Exit 1 when a case fails.
 */
export const runPolicyTest = async (paths: readonly string[], options: { builtin: boolean }, io: Io): Promise<number> => {
  const tally = await testPolicies({
    paths,
    builtIn: options.builtin,
    cwd: io.cwd,
    now: io.now(),
    report: (event) =>
      io.stdout(
        event.kind === 'untested'
          ? `-  ${event.policy}: no cases (${event.file})\n`
          : event.kind === 'unreadable'
            ? `✖  ${event.policy}: ${event.file}: ${event.message}\n`
            : `${event.passed ? '✔' : '✖'}  ${event.policy}: ${event.name}${event.failure ? `\n     ${event.failure}` : ''}\n`,
      ),
  });
  io.stderr(`${tally.passed} cases passed, ${tally.failed} failed${tally.untested ? `, ${tally.untested} policies without cases` : ''}\n`);
  return tally.failed > 0 ? 1 : 0;
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
  const { objects, compiled, skipped, actions, considered } = await exportVap({
    config: options.config,
    policies: options.policies,
    enable: options.enable,
    disable: options.disable,
    only: options.only,
    cwd: io.cwd,
    actions: options.action,
    excludedNamespaces: options.excludeNamespace,
    defaultExclusions: options.defaultExclusions,
    warn: (message: string) => io.stderr(`kubeward: warning: ${message}\n`),
  });
  const text = objects.map((object) => jsYaml.dump(object, { lineWidth: -1, noRefs: true })).join('---\n');
  if (options.output) await writeFile(resolve(io.cwd, options.output), text);
  else await io.stdout(text);
  io.stderr(
    `kubeward: ${compiled.length} of ${considered.length} active DEPLOY-stage policies compiled to ValidatingAdmissionPolicy (${actions.join(', ')})${skipped.length > 0 ? '; not compiled:' : ''}\n`,
  );
  for (const entry of skipped) io.stderr(`  ${entry.id}: ${entry.reason}\n`);
  return 0;
};
