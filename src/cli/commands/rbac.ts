import type { PolicyRule, Subject } from '../../model/index.js';
import { assessSubjects, collectGrants, grantsOf, serviceAccountSubjects, subjectId, whoCan, type AccessRequest, type Grant } from '../../rbac/index.js';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { loadSnapshot } from './manifests.js';

export interface RbacOptions {
  readonly paths: readonly string[];
  readonly namespace?: string;
  readonly name?: string;
  readonly format: string;
}

const load = async (paths: readonly string[], io: Io): Promise<{ grants: Grant[]; error: boolean; serviceAccounts: Subject[] }> => {
  if (paths.length === 0) throw new UsageError('give the manifests with RBAC objects: --file <path> (repeatable)', 'kubeward rbac who-can get secrets -n shop --file examples/');
  const { snapshot, error } = await loadSnapshot(paths, {}, io);
  const { grants, problems } = collectGrants(snapshot);
  for (const problem of problems) io.stderr(`kubeward: warning: ${problem.object}: ${problem.message}\n`);
  return { grants, serviceAccounts: serviceAccountSubjects(snapshot), error };
};

const ruleText = (rule: PolicyRule): string =>
  rule.nonResourceURLs.length > 0
    ? `${rule.verbs.join(',')} ${rule.nonResourceURLs.join(',')}`
    : `${rule.verbs.join(',')} ${rule.resources.join(',')}${rule.apiGroups.some((group) => group !== '') ? ` (API groups ${rule.apiGroups.map((group) => group || 'core').join(', ')})` : ''}${rule.resourceNames.length ? ` (only ${rule.resourceNames.join(', ')})` : ''}`;

const chain = (grant: Grant): string =>
  `${grant.binding.kind} ${grant.binding.namespace ? `${grant.binding.namespace}/` : ''}${grant.binding.name} → ${grant.role.kind} ${grant.role.name}${grant.role.builtIn ? ' (built-in)' : ''}${grant.aggregatedFrom ? ` ⊃ ${grant.aggregatedFrom}` : ''} → ${ruleText(grant.rule)} [${grant.scope === 'cluster' ? 'cluster-wide' : `namespace ${grant.scope}`}]`;

const grantJson = (grant: Grant) => ({ subject: grant.subject, binding: grant.binding, role: grant.role, scope: grant.scope, rule: grant.rule, ...(grant.aggregatedFrom ? { aggregatedFrom: grant.aggregatedFrom } : {}) });

/** `group/resource` or `resource[/subresource]`, as kubectl auth can-i takes it (`deployments.apps` too). */
const parseResource = (text: string): { group: string; resource: string } => {
  const [head, ...rest] = text.split('/');
  const dot = (head ?? '').indexOf('.');
  if (dot > 0) return { resource: [head?.slice(0, dot), ...rest].join('/'), group: (head as string).slice(dot + 1) };
  const known: Record<string, string> = { deployments: 'apps', statefulsets: 'apps', daemonsets: 'apps', replicasets: 'apps', jobs: 'batch', cronjobs: 'batch', roles: 'rbac.authorization.k8s.io', rolebindings: 'rbac.authorization.k8s.io', clusterroles: 'rbac.authorization.k8s.io', clusterrolebindings: 'rbac.authorization.k8s.io', networkpolicies: 'networking.k8s.io', ingresses: 'networking.k8s.io' };
  return { resource: text, group: known[head ?? ''] ?? '' };
};

/** `kubeward rbac who-can <verb> <resource|/path>`: every subject allowed, with the chain of bindings. */
export const runRbacWhoCan = async (verb: string, target: string, options: RbacOptions, io: Io): Promise<number> => {
  const { grants, error } = await load(options.paths, io);
  const request: AccessRequest = target.startsWith('/')
    ? { verb, path: target }
    : { verb, ...parseResource(target), ...(options.namespace ? { namespace: options.namespace } : {}), ...(options.name ? { name: options.name } : {}) };
  const answer = whoCan(grants, request);
  if (options.format === 'json') await io.stdout(`${JSON.stringify({ request, subjects: answer.map((entry) => ({ subject: entry.subject, grants: entry.grants.map(grantJson) })) }, null, 2)}\n`);
  else {
    const what = `${verb} ${target}${options.name ? ` ${options.name}` : ''}${request.path === undefined ? (options.namespace ? ` in namespace ${options.namespace}` : ' cluster-wide') : ''}`;
    const lines = [answer.length === 0 ? `Nobody in the inputs can ${what}` : `${answer.length} subjects can ${what}:`];
    for (const entry of answer) {
      lines.push(`  ${subjectId(entry.subject)}`);
      for (const grant of entry.grants) lines.push(`    ${chain(grant)}`);
    }
    await io.stdout(`${lines.join('\n')}\n`);
  }
  return error ? EXIT.error : EXIT.clean;
};

/** `kubeward rbac review`: every subject with its permission level and dangerous permissions, worst first. */
export const runRbacReview = async (options: RbacOptions, io: Io): Promise<number> => {
  const { grants, serviceAccounts, error } = await load(options.paths, io);
  const assessed = assessSubjects(grants, serviceAccounts);
  if (options.format === 'json') {
    await io.stdout(`${JSON.stringify({ subjects: assessed.map((entry) => ({ subject: entry.subject, level: entry.level, flags: entry.flags.map((flag) => ({ id: flag.id, title: flag.title, scope: flag.scope, evidence: flag.evidence.map(grantJson) })) })) }, null, 2)}\n`);
  } else {
    const lines: string[] = [];
    for (const entry of assessed) {
      lines.push(`${entry.level.padEnd(22)} ${subjectId(entry.subject)}`);
      for (const flag of entry.flags) lines.push(`  ${flag.id}: ${flag.title} [${flag.scope === 'cluster' ? 'cluster-wide' : `namespace ${flag.scope}`}]`, `    ${chain(flag.evidence[0] as Grant)}`);
    }
    await io.stdout(`${lines.join('\n')}\n`);
  }
  return error ? EXIT.error : EXIT.clean;
};

/** `sa:ns/name`, `serviceaccount:ns/name`, `user:alice`, `group:devs`. */
const parseSubject = (text: string): Subject => {
  const match = /^(sa|serviceaccount|user|group):(.+)$/i.exec(text);
  if (!match) throw new UsageError(`cannot read subject ${JSON.stringify(text)}`, 'write sa:<namespace>/<name>, user:<name> or group:<name>');
  const kind = (match[1] as string).toLowerCase();
  const name = match[2] as string;
  if (kind === 'sa' || kind === 'serviceaccount') {
    const [namespace, account] = name.includes('/') ? (name.split('/', 2) as [string, string]) : ['default', name];
    return { kind: 'ServiceAccount', namespace, name: account };
  }
  return { kind: kind === 'user' ? 'User' : 'Group', name };
};

/** `kubeward rbac explain <subject>`: every permission a subject holds, and the chain that grants it. */
export const runRbacExplain = async (subjectText: string, options: RbacOptions, io: Io): Promise<number> => {
  const subject = parseSubject(subjectText);
  const { grants, error } = await load(options.paths, io);
  const held = grantsOf(grants, subject);
  const assessment = assessSubjects(held.map((grant) => ({ ...grant, subject })));
  const level = assessment[0]?.level ?? 'none';
  const flags = assessment[0]?.flags ?? [];
  if (options.format === 'json') await io.stdout(`${JSON.stringify({ subject, level, flags: flags.map((flag) => ({ id: flag.id, title: flag.title, scope: flag.scope })), grants: held.map(grantJson) }, null, 2)}\n`);
  else {
    const lines = [held.length === 0 ? `${subjectId(subject)} holds no permission in the inputs` : `${subjectId(subject)} holds ${held.length} rules (permission level: ${level}):`, ...held.map((grant) => `  ${grant.subject.kind === 'Group' ? `(as member of ${grant.subject.name}) ` : ''}${chain(grant)}`)];
    if (flags.length > 0) lines.push('Dangerous permissions:', ...flags.map((flag) => `  ${flag.id}: ${flag.title} [${flag.scope === 'cluster' ? 'cluster-wide' : `namespace ${flag.scope}`}]`));
    await io.stdout(`${lines.join('\n')}\n`);
  }
  return error ? EXIT.error : EXIT.clean;
};
