import { normaliseDocument } from '../k8s/index.js';
import { buildSnapshot } from '../k8s/index.js';
import { wildcard, WORKLOAD_KINDS, type Finding } from '../model/index.js';
import { evaluatePolicies, type CompiledPolicy } from '../policy/index.js';
import { applyIgnoreRules, type IgnoreRule } from '../policy/index.js';

export { BREAK_GLASS_ANNOTATION, DEFAULT_EXCLUDED_NAMESPACES, DEFAULT_EXCLUDED_USERS } from './defaults.js';
import { BREAK_GLASS_ANNOTATION } from './defaults.js';

/** What the webhook reads of an AdmissionReview v1 request (admission.k8s.io/v1). */
export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
  readonly resource?: { readonly group: string; readonly version: string; readonly resource: string };
  readonly subResource?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly operation: string;
  readonly userInfo?: { readonly username?: string; readonly groups?: readonly string[] };
  readonly object?: unknown;
  readonly dryRun?: boolean;
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly reason?: string; readonly message: string };
  readonly warnings?: readonly string[];
}

export interface AdmissionSettings {
  /** DEPLOY-stage policies to evaluate; those enforced at DEPLOY deny, the others warn. */
  readonly policies: readonly CompiledPolicy[];
  /** Namespaces whose objects are let through unchecked (globs: `kube-*`). */
  readonly excludedNamespaces: readonly string[];
  /** Requesters let through unchecked: user names or `system:serviceaccount:<ns>:<name>` (globs). */
  readonly excludedUsers: readonly string[];
  /** Whether the break-glass annotation is honoured (on by default, as in StackRox). */
  readonly breakGlass: boolean;
  /**
   * `.kubeward.yaml` `ignore:` rules. Unlike an object's own `kubeward.io/ignore` annotation,
   * which anyone who can deploy could set, these are the operator's: they cover enforced
   * policies too, as they do in `kubeward scan`.
   */
  readonly ignoreRules?: readonly IgnoreRule[];
}

/** One decision, as data, for the log line and for the finding a break-glass deploy raises. */
export interface AdmissionDecision {
  readonly response: AdmissionResponse;
  readonly object: string;
  /** The object's namespace, for cluster-scoped views of the decisions (none for cluster-scoped kinds). */
  readonly namespace?: string;
  readonly operation: string;
  readonly user?: string;
  readonly outcome: 'allowed' | 'denied' | 'warned' | 'skipped' | 'break-glass';
  readonly reason?: string;
  readonly dryRun: boolean;
  /** Findings of enforced policies (denials, or what a break-glass deploy let through). */
  readonly enforced: readonly Finding[];
  readonly warnings: readonly Finding[];
  /** CEL expressions of enforced policies that could not be judged (failed, or over the cost budget): the failure policy decides. */
  readonly enforcedErrors?: number;
}

const CHECKED_KINDS = new Set<string>(WORKLOAD_KINDS);
// The API server truncates long and many warnings; keep each readable and the list short.
const MAX_WARNINGS = 10;
const MAX_WARNING_LENGTH = 240;
// A denial names each policy; an object with thousands of containers must not make it megabytes.
const MAX_MESSAGES_PER_POLICY = 5;

const matchesAny = (patterns: readonly string[], value: string | undefined): boolean =>
  value !== undefined && patterns.some((pattern) => wildcard(pattern).test(value));

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why a request is malformed, or undefined: the server answers 400 to those. */
export const invalidReview = (body: unknown): string | undefined => {
  if (!isRecord(body)) return 'the body is not a JSON object';
  if (body.apiVersion !== 'admission.k8s.io/v1' || body.kind !== 'AdmissionReview')
    return `expected an admission.k8s.io/v1 AdmissionReview, got ${JSON.stringify(body.apiVersion)} ${JSON.stringify(body.kind)}`;
  const request = body.request;
  if (!isRecord(request)) return 'the AdmissionReview has no request';
  if (typeof request.uid !== 'string' || request.uid === '') return 'request.uid is missing';
  if (!isRecord(request.kind) || typeof request.kind.kind !== 'string') return 'request.kind is missing';
  if (typeof request.operation !== 'string') return 'request.operation is missing';
  return undefined;
};

const clip = (text: string): string => (text.length > MAX_WARNING_LENGTH ? `${text.slice(0, MAX_WARNING_LENGTH - 1)}…` : text);

const findingLine = (finding: Finding): string => `[${finding.policyId}] ${finding.policyName}: ${finding.message}`;

/**
 * The webhook's answer to one request: DEPLOY-stage policies over the object; a finding of a
 * policy enforced at DEPLOY denies (the message names each policy and its fix), others become
 * warnings. Excluded namespaces and users, other operations, subresources and kinds that are not
 * workloads pass unchecked. The break-glass annotation lets an enforced violation through, and the
 * decision says so (the server raises it as a finding unless the request is a dry run).
 */
export const reviewAdmission = (
  request: AdmissionRequest,
  settings: AdmissionSettings,
  now: Date,
  warningsWanted: () => boolean = () => true,
): AdmissionDecision => {
  const object = isRecord(request.object) ? request.object : undefined;
  const metadata = isRecord(object?.metadata) ? object.metadata : {};
  const namespace = request.namespace ?? (typeof metadata.namespace === 'string' ? metadata.namespace : undefined);
  const name =
    request.name ?? (typeof metadata.name === 'string' ? metadata.name : typeof metadata.generateName === 'string' ? `${metadata.generateName}*` : '<unnamed>');
  const described = `${request.kind.kind} ${namespace ? `${namespace}/` : ''}${name}`;
  const user = request.userInfo?.username;
  const base = {
    object: described,
    ...(namespace ? { namespace } : {}),
    operation: request.operation,
    ...(user ? { user } : {}),
    dryRun: request.dryRun === true,
    enforced: [],
    warnings: [],
  };
  const skip = (reason: string): AdmissionDecision => ({ ...base, response: { uid: request.uid, allowed: true }, outcome: 'skipped', reason });
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return skip(`operation ${request.operation} is not checked`);
  // `kubectl debug` adds containers through pods/ephemeralcontainers: the request carries the whole Pod.
  if (request.subResource && !(request.subResource === 'ephemeralcontainers' && request.kind.kind === 'Pod'))
    return skip(`subresource ${request.subResource} is not checked`);
  if (!CHECKED_KINDS.has(request.kind.kind)) return skip(`kind ${request.kind.kind} is not a workload`);
  if (matchesAny(settings.excludedNamespaces, namespace)) return skip(`namespace ${namespace} is excluded`);
  if (matchesAny(settings.excludedUsers, user)) return skip(`user ${user} is excluded`);
  if (!object) return skip('the request carries no object');
  // Removing a finalizer from an object being deleted must go through, or it never goes away.
  if (request.operation === 'UPDATE' && metadata.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null)
    return skip('the object is being deleted');

  const document = {
    ...object,
    kind: request.kind.kind,
    apiVersion: request.kind.group ? `${request.kind.group}/${request.kind.version}` : request.kind.version,
    metadata: { ...metadata, ...(namespace ? { namespace } : {}), name: typeof metadata.name === 'string' ? metadata.name : name },
  };
  const normalised = normaliseDocument(document, { file: `admission:${described}`, documentIndex: 0, defaultNamespace: namespace ?? 'default' });
  const snapshot = buildSnapshot(normalised.objects);
  // Enforced policies first: they decide. The others only warn, and are skipped when the time
  // budget is spent, so a huge object can neither slip through on a timeout nor stall the answer.
  const enforcing = settings.policies.filter((compiled) => compiled.enforcedAt.includes('DEPLOY'));
  const warning = settings.policies.filter((compiled) => !compiled.enforcedAt.includes('DEPLOY'));
  // An annotation must not switch enforcement off: anyone who can deploy could set it. Enforced
  // findings stand whatever `kubeward.io/ignore` says; the escape hatch is break-glass, which is audited.
  const enforcedRun = enforcing.length > 0 ? evaluatePolicies(snapshot, enforcing, { now, stages: ['DEPLOY'] }) : undefined;
  const rules = settings.ignoreRules ?? [];
  const enforced = enforcedRun
    ? applyIgnoreRules(enforcedRun.findings, rules, now).findings.filter(
        (finding) => finding.enforcedAt.includes('DEPLOY') && finding.suppressed?.by !== 'config' && finding.suppressed?.by !== 'exception',
      )
    : [];
  const warningsChecked = warning.length > 0 && warningsWanted();
  const warnings = warningsChecked
    ? applyIgnoreRules(evaluatePolicies(snapshot, warning, { now, stages: ['DEPLOY'] }).findings, rules, now).findings.filter((finding) => !finding.suppressed)
    : [];
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const templateAnnotations = (() => {
    const spec = isRecord(object.spec) ? object.spec : {};
    const template = isRecord(spec.template)
      ? spec.template
      : isRecord(spec.jobTemplate) && isRecord(spec.jobTemplate.spec) && isRecord(spec.jobTemplate.spec.template)
        ? spec.jobTemplate.spec.template
        : {};
    const templateMetadata = isRecord(template.metadata) ? template.metadata : {};
    return isRecord(templateMetadata.annotations) ? templateMetadata.annotations : {};
  })();
  const glass = annotations[BREAK_GLASS_ANNOTATION] ?? templateAnnotations[BREAK_GLASS_ANNOTATION];
  const warningLines = warnings.slice(0, MAX_WARNINGS).map((finding) => clip(`kubeward: ${findingLine(finding)}`));
  if (warning.length > 0 && !warningsChecked) warningLines.push('kubeward: the time budget was spent on enforced policies; the others were not checked');
  if (warnings.length > MAX_WARNINGS) warningLines.push(`kubeward: and ${warnings.length - MAX_WARNINGS} more findings (kubeward scan shows them all)`);
  const result = { ...base, enforced, warnings, ...(enforcedRun && enforcedRun.stats.celErrors > 0 ? { enforcedErrors: enforcedRun.stats.celErrors } : {}) };

  if (enforced.length === 0) {
    return {
      ...result,
      response: { uid: request.uid, allowed: true, ...(warningLines.length > 0 ? { warnings: warningLines } : {}) },
      outcome: warnings.length > 0 ? 'warned' : 'allowed',
    };
  }
  if (settings.breakGlass && glass !== undefined && String(glass).toLowerCase() !== 'false') {
    const glassWarnings = [
      clip(`kubeward: break-glass (${BREAK_GLASS_ANNOTATION}) let ${enforced.length} enforced violation(s) through; this deploy is recorded`),
      ...enforced.slice(0, MAX_WARNINGS).map((finding) => clip(`kubeward: ${findingLine(finding)}`)),
      ...warningLines,
    ].slice(0, MAX_WARNINGS + 2);
    return { ...result, response: { uid: request.uid, allowed: true, warnings: glassWarnings }, outcome: 'break-glass', reason: String(glass) };
  }
  const byPolicy = new Map<string, Finding[]>();
  for (const finding of enforced) byPolicy.set(finding.policyId, [...(byPolicy.get(finding.policyId) ?? []), finding]);
  const reasons = [...byPolicy.values()].map((group) => {
    const first = group[0] as Finding;
    const shown = group.slice(0, MAX_MESSAGES_PER_POLICY).map((finding) => finding.message);
    if (group.length > MAX_MESSAGES_PER_POLICY) shown.push(`and ${group.length - MAX_MESSAGES_PER_POLICY} more`);
    return `- [${first.policyId}] ${first.policyName}: ${shown.join('; ')}. Fix: ${first.remediation.trim().replace(/\s+/g, ' ')}`;
  });
  const message = `kubeward denied ${described}: ${byPolicy.size} enforced ${byPolicy.size === 1 ? 'policy' : 'policies'} violated\n${reasons.join('\n')}\n(emergency: annotate ${BREAK_GLASS_ANNOTATION}: "<reason>"; the deploy is then recorded)`;
  return {
    ...result,
    response: {
      uid: request.uid,
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message },
      ...(warningLines.length > 0 ? { warnings: warningLines } : {}),
    },
    outcome: 'denied',
  };
};

/**
 * Turns DEPLOY enforcement on for the policies whose ids match (globs), as StackRox's per-policy
 * "enforce" switch; policies without a DEPLOY stage are returned unchanged, and named in `skipped`.
 */
export const enforceAtDeploy = (
  policies: readonly CompiledPolicy[],
  patterns: readonly string[],
): { policies: CompiledPolicy[]; unmatched: string[]; skipped: string[] } => {
  const unmatched = patterns.filter((pattern) => !policies.some((compiled) => wildcard(pattern).test(compiled.policy.id)));
  const skipped: string[] = [];
  const updated = policies.map((compiled) => {
    if (!matchesAny(patterns, compiled.policy.id) || compiled.enforcedAt.includes('DEPLOY')) return compiled;
    if (!compiled.policy.lifecycleStages.includes('DEPLOY')) {
      skipped.push(compiled.policy.id);
      return compiled;
    }
    return { ...compiled, enforcedAt: [...compiled.enforcedAt, 'DEPLOY' as const] };
  });
  return { policies: updated, unmatched, skipped };
};
