import { ALL_CAPABILITIES } from './fields/container.js';
import { WORKLOAD_RESOURCES, type WorkloadKind } from '../model/index.js';
import type { FieldCondition, Policy } from './types.js';

/**
 * Compiles DEPLOY-stage workload policies into ValidatingAdmissionPolicy objects
 * (admissionregistration.k8s.io/v1), so the API server enforces them in CEL with no webhook. A
 * field compiles when its value can be read from the raw object in CEL exactly as the model reads
 * it; string values compile when they are literals (the policy engine's values are
 * case-insensitive whole-value regular expressions, which CEL's RE2 `matches` spells differently).
 */

export type ValidationAction = 'Deny' | 'Warn' | 'Audit';

export interface VapOptions {
  readonly actions: readonly ValidationAction[];
  /** Namespaces the bindings leave out (the control plane's). */
  readonly excludedNamespaces: readonly string[];
}

export interface VapExport {
  readonly objects: Record<string, unknown>[];
  readonly compiled: readonly string[];
  readonly skipped: readonly { readonly id: string; readonly reason: string }[];
}

type Level = 'container' | 'pod';

interface FieldTranslation {
  readonly level: Level;
  readonly type: 'boolean' | 'number' | 'string';
  /** A CEL list of the field's values: over container `c` (and `variables.podSpec`), or over `variables.podSpec`. */
  readonly values: string;
  /** Whether a condition holds when no value matches (the field's `required`). */
  readonly required?: boolean;
}

/** `has(a.b) && has(a.b.c) ? a.b.c : fallback`: a nested field, or a default when any step is missing. */
const get = (root: string, path: string, fallback: string): string => `((${present(root, path)}) ? ${root}.${path} : ${fallback})`;

/** `has(root.a) && has(root.a.b)`: every step of a path is present. */
const present = (root: string, path: string): string => {
  const steps = path.split('.');
  return steps.map((_, index) => `has(${root}.${steps.slice(0, index + 1).join('.')})`).join(' && ');
};

const POD = 'variables.podSpec';

/** The container's security setting, else the pod's (the model's inheritance), as a list of zero or one value. */
const inherited = (path: string): string =>
  `(${present('c', `securityContext.${path}`)} ? [c.securityContext.${path}] : (${present(POD, `securityContext.${path}`)} ? [${POD}.securityContext.${path}] : []))`;

/** The container's image reference, its name part (before any `@digest`), and the tag the model reads. */
const IMAGE = `(has(c.image) ? c.image : '')`;
const IMAGE_NAME = `(${IMAGE}.contains('@') ? ${IMAGE}.substring(0, ${IMAGE}.indexOf('@')) : ${IMAGE})`;
// A tag follows the last `:` after the last `/` (a registry port is no tag); none and no digest means latest.
const IMAGE_TAGS = `(${IMAGE_NAME}.lastIndexOf(':') > ${IMAGE_NAME}.lastIndexOf('/') ? [${IMAGE_NAME}.substring(${IMAGE_NAME}.lastIndexOf(':') + 1)] : (${IMAGE}.contains('@') ? [] : ['latest']))`;

/** A legacy seccomp annotation value as the profile type the model reads from it. */
const annotationProfile = (value: string): string =>
  `((${value} == 'runtime/default' || ${value} == 'docker/default') ? 'RuntimeDefault' : (${value} == 'unconfined' ? 'Unconfined' : (${value}.startsWith('localhost/') ? 'Localhost' : ${value})))`;

/** The effective seccomp profile type as the model picks it: container field, container annotation, pod field, pod annotation. */
const SECCOMP_TYPES = (() => {
  const containerKey = `('container.seccomp.security.alpha.kubernetes.io/' + c.name)`;
  const podKey = `'seccomp.security.alpha.kubernetes.io/pod'`;
  return `(${present('c', 'securityContext.seccompProfile.type')} ? [c.securityContext.seccompProfile.type] : ((has(c.name) && ${containerKey} in variables.podAnnotations) ? [${annotationProfile(`variables.podAnnotations[${containerKey}]`)}] : (${present(POD, 'securityContext.seccompProfile.type')} ? [${POD}.securityContext.seccompProfile.type] : (${podKey} in variables.podAnnotations ? [${annotationProfile(`variables.podAnnotations[${podKey}]`)}] : []))))`;
})();

const capability = (variable: string): string =>
  `(${variable}.upperAscii().startsWith('CAP_') ? ${variable}.upperAscii().substring(4) : ${variable}.upperAscii())`;

/** Every capability the model counts as dropped by `drop: [ALL]` (Linux's list, as src/policy/fields names them). */
const allCapabilities = (all: readonly string[]): string => `[${all.map((name) => `'${name}'`).join(', ')}]`;

export const FIELD_TRANSLATIONS: Readonly<Record<string, FieldTranslation>> = {
  'Privileged Container': { level: 'container', type: 'boolean', values: `[${get('c', 'securityContext.privileged', 'false')} == true]` },
  'Read-Only Root Filesystem': { level: 'container', type: 'boolean', values: `[${get('c', 'securityContext.readOnlyRootFilesystem', 'false')} == true]` },
  'Allow Privilege Escalation': {
    level: 'container',
    type: 'boolean',
    values: `[${get('c', 'securityContext.privileged', 'false')} == true || ${get('c', 'securityContext.capabilities.add', '[]')}.exists(x, ${capability('x')} == 'SYS_ADMIN') || ${get('c', 'securityContext.allowPrivilegeEscalation', 'true')} != false]`,
  },
  'Add Capabilities': { level: 'container', type: 'string', values: `${get('c', 'securityContext.capabilities.add', '[]')}.map(x, ${capability('x')})` },
  'Drop Capabilities': {
    level: 'container',
    type: 'string',
    required: true,
    values: `(${get('c', 'securityContext.capabilities.drop', '[]')}.exists(x, ${capability('x')} == 'ALL') ? ${allCapabilities(ALL_CAPABILITIES)} : ${get('c', 'securityContext.capabilities.drop', '[]')}.map(x, ${capability('x')}))`,
  },
  'Image Tag': { level: 'container', type: 'string', values: IMAGE_TAGS },
  'Seccomp Profile Type': { level: 'container', type: 'string', values: SECCOMP_TYPES },
  'Host Port': { level: 'container', type: 'number', values: `${get('c', 'ports', '[]')}.filter(p, has(p.hostPort) && p.hostPort > 0).map(p, p.hostPort)` },
  'Run As Non-Root': { level: 'container', type: 'boolean', values: inherited('runAsNonRoot') },
  'Run As User': { level: 'container', type: 'number', values: inherited('runAsUser') },
  'Proc Mount': { level: 'container', type: 'string', values: `(${get('c', 'securityContext.procMount', "''")} != '' ? [c.securityContext.procMount] : [])` },
  'Windows Host Process': { level: 'container', type: 'boolean', values: inherited('windowsOptions.hostProcess') },
  'Host Network': { level: 'pod', type: 'boolean', values: `[${get(POD, 'hostNetwork', 'false')} == true]` },
  'Host PID': { level: 'pod', type: 'boolean', values: `[${get(POD, 'hostPID', 'false')} == true]` },
  'Host IPC': { level: 'pod', type: 'boolean', values: `[${get(POD, 'hostIPC', 'false')} == true]` },
};

const NUMBER = /^\s*(<=|>=|<|>|==|=|!=)?\s*(-?\d+(?:\.\d+)?)\s*$/;
const LITERAL = /^[A-Za-z0-9_./:@ -]*$/;

/** One policy value as a CEL test of `v`, or why it cannot be one. */
const valueTest = (type: FieldTranslation['type'], value: string): { cel: string } | { reason: string } => {
  if (type === 'boolean') {
    const lower = value.trim().toLowerCase();
    return lower === 'true' || lower === 'false' ? { cel: `v == ${lower}` } : { reason: `${JSON.stringify(value)} is no boolean` };
  }
  if (type === 'number') {
    const match = NUMBER.exec(value);
    if (!match) return { reason: `${JSON.stringify(value)} is no number` };
    const operator = match[1] === '=' || match[1] === undefined ? '==' : match[1];
    return { cel: `v ${operator} ${match[2]}` };
  }
  if (!LITERAL.test(value)) return { reason: `the value ${JSON.stringify(value)} is a regular expression` };
  return { cel: `v.lowerAscii() == '${value.toLowerCase()}'` };
};

/** A condition as CEL over `c` and `variables.podSpec`, or why it does not compile. */
const conditionCel = (
  condition: FieldCondition,
  translations: Readonly<Record<string, FieldTranslation>>,
): { cel: string; level: Level } | { reason: string } => {
  const translation = translations[condition.field];
  if (!translation) return { reason: `field ${JSON.stringify(condition.field)} has no CEL translation` };
  if ((condition.except ?? []).length > 0) return { reason: `field ${JSON.stringify(condition.field)} has except values, which are regular expressions` };
  const tests: string[] = [];
  for (const value of condition.values) {
    const test = valueTest(translation.type, value);
    if ('reason' in test) return test;
    tests.push(test.cel);
  }
  const matches = condition.operator === 'AND' ? tests.join(' && ') : tests.join(' || ');
  const found = `${translation.values}.exists(v, ${condition.operator === 'NOT_IN' ? `!(${matches})` : `(${matches})`})`;
  const inverted = condition.negate !== (translation.required === true);
  return { cel: inverted ? `!${found}` : found, level: translation.level };
};

/** The whole policy as one CEL expression that is true when the object violates it, or why not. */
export const violationCel = (policy: Policy, translations: Readonly<Record<string, FieldTranslation>>): { cel: string } | { reason: string } => {
  if (!policy.lifecycleStages.includes('DEPLOY')) return { reason: 'not a DEPLOY-stage policy' };
  if (policy.target !== 'Workload') return { reason: `target ${policy.target}: only workload policies compile` };
  if (policy.scope.length > 0 || policy.exclusions.length > 0)
    return { reason: 'scopes and exclusions (regular expressions over names and labels) do not compile' };
  const sections: string[] = [];
  for (const section of policy.criteria) {
    const pod: string[] = [];
    const container: string[] = [];
    for (const condition of section.conditions) {
      if ('cel' in condition) return { reason: "CEL conditions read Kubeward's model, not the raw object" };
      const compiled = conditionCel(condition, translations);
      if ('reason' in compiled) return compiled;
      (compiled.level === 'pod' ? pod : container).push(compiled.cel);
    }
    const parts = [...pod, ...(container.length > 0 ? [`variables.containers.exists(c, ${container.join(' && ')})`] : [])];
    sections.push(parts.length === 1 ? (parts[0] as string) : `(${parts.join(' && ')})`);
  }
  if (sections.length === 0) return { reason: 'no criteria' };
  return { cel: sections.join(' || ') };
};

/** The pod spec of any workload kind, its pod annotations (legacy seccomp), and every container (init and ephemeral included, as the model counts them). */
export const VAP_VARIABLES = [
  {
    name: 'podSpec',
    expression: "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)",
  },
  {
    name: 'podAnnotations',
    expression:
      "object.kind == 'Pod' ? ((has(object.metadata) && has(object.metadata.annotations)) ? object.metadata.annotations : {}) : (object.kind == 'CronJob' ? ((has(object.spec.jobTemplate.spec.template.metadata) && has(object.spec.jobTemplate.spec.template.metadata.annotations)) ? object.spec.jobTemplate.spec.template.metadata.annotations : {}) : ((has(object.spec.template.metadata) && has(object.spec.template.metadata.annotations)) ? object.spec.template.metadata.annotations : {}))",
  },
  {
    name: 'containers',
    expression:
      '(has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []) + (has(variables.podSpec.containers) ? variables.podSpec.containers : []) + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])',
  },
] as const;

const kindsOf = (policy: Policy): WorkloadKind[] =>
  (policy.kinds.length > 0 ? policy.kinds : Object.keys(WORKLOAD_RESOURCES)).filter((kind): kind is WorkloadKind => kind in WORKLOAD_RESOURCES);

/** A ValidatingAdmissionPolicy and its binding per compilable policy, and the reasons for the rest. */
export const exportValidatingAdmissionPolicies = (policies: readonly Policy[], options: VapOptions): VapExport => {
  const translations = FIELD_TRANSLATIONS;
  const objects: Record<string, unknown>[] = [];
  const compiled: string[] = [];
  const skipped: { id: string; reason: string }[] = [];
  for (const policy of policies) {
    const violation = violationCel(policy, translations);
    if ('reason' in violation) {
      skipped.push({ id: policy.id, reason: violation.reason });
      continue;
    }
    const kinds = kindsOf(policy);
    const byGroup = new Map<string, string[]>();
    for (const kind of kinds) {
      const entry = WORKLOAD_RESOURCES[kind] as { group: string; resource: string };
      // `kubectl debug` adds (privileged, say) containers to a running Pod through this subresource.
      byGroup.set(entry.group, [...(byGroup.get(entry.group) ?? []), entry.resource, ...(kind === 'Pod' ? ['pods/ephemeralcontainers'] : [])]);
    }
    const name = `kubeward-${policy.id}`;
    const labels = { 'app.kubernetes.io/part-of': 'kubeward', 'policy.kubeward.io/id': policy.id };
    const remediation = policy.remediation.trim().replace(/\s+/g, ' ');
    objects.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, labels, annotations: { 'policy.kubeward.io/severity': policy.severity, 'policy.kubeward.io/name': policy.name } },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [...byGroup].map(([group, resources]) => ({ apiGroups: [group], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources })),
        },
        variables: VAP_VARIABLES,
        validations: [{ expression: `!(${violation.cel})`, message: `[${policy.id}] ${policy.name}. Fix: ${remediation}`.slice(0, 1000), reason: 'Forbidden' }],
      },
    });
    objects.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels },
      spec: {
        policyName: name,
        validationActions: [...options.actions],
        ...(options.excludedNamespaces.length > 0
          ? {
              matchResources: {
                namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...options.excludedNamespaces] }] },
              },
            }
          : {}),
      },
    });
    compiled.push(policy.id);
  }
  return { objects, compiled, skipped };
};
