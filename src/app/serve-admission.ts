import { isIP } from 'node:net';
import {
  DEFAULT_EXCLUDED_NAMESPACES,
  DEFAULT_EXCLUDED_USERS,
  enforceAtDeploy,
  installManifests,
  startAdmissionServer,
  webhookCertificates,
  webhookConfiguration,
  type AdmissionDecision,
  type AdmissionServerOptions,
  type InstallOptions,
  type WebhookCertificates,
} from '../admission/index.js';
import type { CentralClient } from '../central-client/index.js';
import type { CompiledPolicy } from '../policy/index.js';
import { AdmissionCentralLink, type AdmissionCentralEvent } from './admission-central.js';
import { ConfigurationError, KnownError } from './errors.js';
import type { PolicySet } from './policies.js';

/**
 * The policies the webhook runs: the set's DEPLOY-stage ones that judge one object alone (those
 * that judge it against others, Services or NetworkPolicies, would judge an empty cluster; the
 * sensor and `scan` run them), with `enforce` patterns turning enforcement on.
 */
export const admissionPolicies = (set: PolicySet, enforce: readonly string[]): { policies: CompiledPolicy[]; skipped: string[] } => {
  const deploy = set.policies.active.filter((compiled) => compiled.policy.lifecycleStages.includes('DEPLOY') && !compiled.crossObject);
  const { policies, unmatched, skipped } = enforceAtDeploy(deploy, enforce);
  if (unmatched.length > 0)
    throw new ConfigurationError(`--enforce ${unmatched.join(', ')} matches no active DEPLOY-stage policy`, 'kubeward policy list shows the ids');
  return { policies, skipped };
};

export interface ServeAdmissionOptions extends Omit<AdmissionServerOptions, 'policies' | 'ignoreRules' | 'excludedNamespaces' | 'excludedUsers'> {
  readonly set: PolicySet;
  /** Policy ids or globs whose violations are denied. */
  readonly enforce: readonly string[];
  /** Added to the system namespaces and users (kube-system, controllers) unless `defaultExclusions` is false. */
  readonly excludedNamespaces: readonly string[];
  readonly excludedUsers: readonly string[];
  readonly defaultExclusions: boolean;
  /** Take the enforced set from central and report decisions to it. */
  readonly central?:
    | {
        readonly client: CentralClient;
        readonly cluster: string;
        readonly refreshMs: number;
        readonly emit: (event: AdmissionCentralEvent) => void;
      }
    | undefined;
}

export interface AdmissionService {
  readonly port: number;
  readonly policies: readonly CompiledPolicy[];
  /** Policies with no DEPLOY stage that were asked to be enforced. */
  readonly skipped: readonly string[];
  readonly enforced: readonly string[];
  /** Where the policies came from: central (at this revision), or the local set when central was away at start. */
  readonly source: { readonly from: 'local' } | { readonly from: 'central'; readonly revision: string };
  /** Stops listening and lets requests in flight finish. */
  readonly close: () => Promise<void>;
}

/**
 * `admission serve`: the validating webhook over the set's policies, with its `ignore:` rules
 * (config rules excuse enforced violations; an object's own annotation never does).
 */
export const serveAdmission = async (options: ServeAdmissionOptions): Promise<AdmissionService> => {
  const local = admissionPolicies(options.set, options.enforce);
  const link = options.central
    ? new AdmissionCentralLink({
        client: options.central.client,
        cluster: options.central.cluster,
        enforce: options.enforce,
        refreshMs: options.central.refreshMs,
        emit: options.central.emit,
      })
    : undefined;
  // Central down at start: the local set enforces until central answers.
  const fromCentral = await link?.fetchPolicies();
  const policies = fromCentral?.policies ?? local.policies;
  const skipped = fromCentral ? [] : local.skipped;
  let server: Awaited<ReturnType<typeof startAdmissionServer>>;
  try {
    server = await startAdmissionServer({
      ...options,
      onDecision: (decision, elapsedMs) => {
        options.onDecision(decision, elapsedMs);
        link?.record(decision, decision.response.uid, options.now());
      },
      policies,
      ignoreRules: options.set.ignoreRules,
      excludedNamespaces: [...(options.defaultExclusions ? DEFAULT_EXCLUDED_NAMESPACES : []), ...options.excludedNamespaces],
      excludedUsers: [...(options.defaultExclusions ? DEFAULT_EXCLUDED_USERS : []), ...options.excludedUsers],
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new KnownError(`cannot listen on ${options.host}:${options.port}: ${code}`, 'choose another --port');
    if (/PEM|key|certificate/i.test((error as Error).message)) throw new KnownError(`the TLS certificate or key is not usable: ${(error as Error).message}`);
    throw error;
  }
  link?.start((next) => server.reconfigure(next));
  return {
    port: server.port,
    policies,
    skipped,
    enforced: policies.filter((compiled) => compiled.enforcedAt.includes('DEPLOY')).map((compiled) => compiled.policy.id),
    source: fromCentral ? { from: 'central', revision: fromCentral.revision } : { from: 'local' },
    close: async () => {
      await new Promise<void>((done) => server.close(() => done()));
      await link?.close();
    },
  };
};

/** One decision as the log record the webhook writes (and the server will store). */
export const admissionRecord = (decision: AdmissionDecision, elapsedMs: number, now: Date) => ({
  time: now.toISOString(),
  // A dry run changes nothing, so its break-glass raises no finding; it is logged as a decision.
  event: decision.outcome === 'break-glass' && !decision.dryRun ? 'break-glass' : 'admission',
  outcome: decision.outcome,
  object: decision.object,
  ...(decision.namespace ? { namespace: decision.namespace } : {}),
  operation: decision.operation,
  ...(decision.user ? { user: decision.user } : {}),
  ...(decision.reason ? { reason: decision.reason } : {}),
  dryRun: decision.dryRun,
  elapsedMs: Number(elapsedMs.toFixed(2)),
  findings: [...decision.enforced, ...decision.warnings].map((finding) => ({
    policyId: finding.policyId,
    severity: finding.severity,
    enforced: finding.enforcedAt.includes('DEPLOY'),
    ...(finding.container ? { container: finding.container } : {}),
    message: finding.message,
  })),
});

export interface AdmissionInstallOptions extends Omit<InstallOptions, 'tls' | 'excludedNamespaces' | 'url'> {
  /** Added to the system namespaces. */
  readonly excludedNamespaces: readonly string[];
  /** Let cert-manager make the certificate in the cluster rather than make one here. */
  readonly certManager: boolean;
  /** A webhook served outside the cluster, over https. */
  readonly url?: URL | undefined;
  /** Only the ValidatingWebhookConfiguration (always so with `url`). */
  readonly webhookOnly: boolean;
  readonly days: number;
  readonly now: Date;
}

/**
 * `admission manifests`: the objects that install the webhook, and the certificates made for it
 * (none with cert-manager), named for the in-cluster Service or for the `url` host.
 */
export const admissionInstall = (options: AdmissionInstallOptions): { objects: Record<string, unknown>[]; certificates?: WebhookCertificates } => {
  const { namespace, url } = options;
  const host = url?.hostname.replace(/^\[|\]$/g, '');
  const certificates = options.certManager
    ? undefined
    : webhookCertificates({
        dnsNames: host && !isIP(host) ? [host] : [`kubeward-admission.${namespace}.svc`, `kubeward-admission.${namespace}.svc.cluster.local`],
        ...(host && isIP(host) ? { ipAddresses: [host] } : {}),
        days: options.days,
        now: options.now,
      });
  const install: InstallOptions = {
    namespace,
    image: options.image,
    failurePolicy: options.failurePolicy,
    timeoutSeconds: options.timeoutSeconds,
    excludedNamespaces: [...DEFAULT_EXCLUDED_NAMESPACES, ...options.excludedNamespaces],
    enforce: options.enforce,
    replicas: options.replicas,
    tls: certificates ? { mode: 'secret', certificates } : { mode: 'cert-manager' },
    ...(url ? { url: url.toString() } : {}),
  };
  const objects = options.webhookOnly || url ? [webhookConfiguration(install, certificates?.caCert)] : installManifests(install);
  return { objects, ...(certificates ? { certificates } : {}) };
};
