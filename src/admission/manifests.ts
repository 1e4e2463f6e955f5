import { WORKLOAD_KINDS, WORKLOAD_RESOURCES } from '../model/index.js';
import type { WebhookCertificates } from './certificates.js';

export interface InstallOptions {
  readonly namespace: string;
  readonly image: string;
  /** Kubernetes' failurePolicy when the webhook cannot be reached: Ignore (StackRox's default) or Fail. */
  readonly failurePolicy: 'Ignore' | 'Fail';
  readonly timeoutSeconds: number;
  /** Namespaces the API server never sends (besides the webhook's own). */
  readonly excludedNamespaces: readonly string[];
  /** Policy ids (globs) to enforce at DEPLOY. */
  readonly enforce: readonly string[];
  readonly replicas: number;
  /** `secret`: a TLS Secret made here, the CA in caBundle. `cert-manager`: an Issuer and Certificate, caBundle injected. */
  readonly tls: { readonly mode: 'secret'; readonly certificates: WebhookCertificates } | { readonly mode: 'cert-manager' };
  /** Out of cluster (tests, development): the API server calls this URL instead of the Service. */
  readonly url?: string;
}

export const WEBHOOK_NAME = 'policyeval.admission.kubeward.io';
/** Node options the installed webhook runs with (bench/admission.ts measures the same). */
export const ADMISSION_NODE_OPTIONS = '--max-semi-space-size=32';
const NAME = 'kubeward-admission';

/** The webhook's rules: every workload kind the policies understand, on CREATE and UPDATE. */
export const webhookRules = (): Record<string, unknown>[] => {
  const byGroup = new Map<string, string[]>();
  for (const kind of WORKLOAD_KINDS) {
    const entry = WORKLOAD_RESOURCES[kind];
    if (!entry) continue;
    // `kubectl debug` adds containers to a running Pod through this subresource.
    byGroup.set(entry.group, [...(byGroup.get(entry.group) ?? []), entry.resource, ...(kind === 'Pod' ? ['pods/ephemeralcontainers'] : [])]);
  }
  return [...byGroup].map(([group, resources]) => ({ apiGroups: [group], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources, scope: '*' }));
};

/** The ValidatingWebhookConfiguration alone (also what tests register with a URL). */
export const webhookConfiguration = (options: InstallOptions, caBundle?: string): Record<string, unknown> => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingWebhookConfiguration',
  metadata: {
    name: NAME,
    labels: { 'app.kubernetes.io/name': NAME },
    ...(options.tls.mode === 'cert-manager' ? { annotations: { 'cert-manager.io/inject-ca-from': `${options.namespace}/${NAME}` } } : {}),
  },
  webhooks: [
    {
      name: WEBHOOK_NAME,
      admissionReviewVersions: ['v1'],
      // Break-glass deploys are recorded outside the cluster, never on dry runs.
      sideEffects: 'NoneOnDryRun',
      failurePolicy: options.failurePolicy,
      matchPolicy: 'Equivalent',
      timeoutSeconds: options.timeoutSeconds,
      // Label selectors take names only: globs (`kube-*`) stay with the webhook's own check.
      namespaceSelector: {
        matchExpressions: [
          {
            key: 'kubernetes.io/metadata.name',
            operator: 'NotIn',
            values: [...new Set([options.namespace, ...options.excludedNamespaces.filter((name) => !/[*?]/.test(name))])].sort(),
          },
        ],
      },
      rules: webhookRules(),
      clientConfig: {
        ...(options.url ? { url: options.url } : { service: { namespace: options.namespace, name: NAME, path: '/validate', port: 443 } }),
        ...(caBundle ? { caBundle: Buffer.from(caBundle).toString('base64') } : {}),
      },
    },
  ],
});

/**
 * Everything to install the webhook in a cluster: namespace, service account, TLS (a Secret made
 * here, or cert-manager objects), a hardened Deployment running `kubeward admission serve`, its
 * Service, a NetworkPolicy, a PodDisruptionBudget, and the ValidatingWebhookConfiguration.
 */
export const installManifests = (options: InstallOptions): Record<string, unknown>[] => {
  const labels = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/part-of': 'kubeward' };
  const namespace = options.namespace;
  const dnsNames = [`${NAME}.${namespace}.svc`, `${NAME}.${namespace}.svc.cluster.local`];
  const tls: Record<string, unknown>[] =
    options.tls.mode === 'secret'
      ? [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            type: 'kubernetes.io/tls',
            metadata: { name: `${NAME}-tls`, namespace, labels },
            stringData: { 'tls.crt': options.tls.certificates.cert, 'tls.key': options.tls.certificates.key, 'ca.crt': options.tls.certificates.caCert },
          },
        ]
      : [
          { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: `${NAME}-selfsigned`, namespace, labels }, spec: { selfSigned: {} } },
          {
            apiVersion: 'cert-manager.io/v1',
            kind: 'Certificate',
            metadata: { name: NAME, namespace, labels },
            spec: {
              secretName: `${NAME}-tls`,
              dnsNames,
              issuerRef: { name: `${NAME}-selfsigned`, kind: 'Issuer' },
              privateKey: { algorithm: 'RSA', size: 2048, rotationPolicy: 'Always' },
            },
          },
        ];
  const args = [
    'admission',
    'serve',
    '--tls-cert',
    '/tls/tls.crt',
    '--tls-key',
    '/tls/tls.key',
    '--port',
    '8443',
    ...(options.enforce.length > 0 ? ['--enforce', options.enforce.join(',')] : []),
    ...options.excludedNamespaces.flatMap((excluded) => ['--exclude-namespace', excluded]),
  ];
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { ...labels, 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: NAME, namespace, labels }, automountServiceAccountToken: false },
    ...tls,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: NAME, namespace, labels },
      spec: {
        replicas: options.replicas,
        selector: { matchLabels: { 'app.kubernetes.io/name': NAME } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: NAME,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 100,
                    podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': NAME } } },
                  },
                ],
              },
            },
            containers: [
              {
                name: 'webhook',
                image: options.image,
                imagePullPolicy: 'IfNotPresent',
                args,
                // A larger young generation: fewer scavenges, so fewer pauses in the latency tail.
                env: [{ name: 'NODE_OPTIONS', value: ADMISSION_NODE_OPTIONS }],
                ports: [{ name: 'https', containerPort: 8443 }],
                readinessProbe: { httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 5 },
                livenessProbe: { httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 10 },
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: 'tls', mountPath: '/tls', readOnly: true }],
              },
            ],
            volumes: [{ name: 'tls', secret: { secretName: `${NAME}-tls` } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: NAME, namespace, labels },
      spec: { selector: { 'app.kubernetes.io/name': NAME }, ports: [{ name: 'https', port: 443, targetPort: 'https' }] },
    },
    // The API server calls from outside the pod network (its address is the cluster's business):
    // ingress is open on the webhook port only, and the webhook needs no egress at all.
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: NAME, namespace, labels },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': NAME } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: [{ port: 8443, protocol: 'TCP' }] }],
        egress: [],
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: NAME, namespace, labels },
      spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': NAME } } },
    },
    webhookConfiguration(options, options.tls.mode === 'secret' ? options.tls.certificates.caCert : undefined),
  ];
};
