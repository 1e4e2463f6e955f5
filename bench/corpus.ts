import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A small deterministic PRNG (mulberry32), so every run scans the same corpus. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const IMAGES = [
  'registry.example.com/shop/api',
  'registry.example.com/shop/worker',
  'ghcr.io/acme/billing',
  'quay.io/prometheus/node-exporter',
  'docker.io/library/nginx',
  'envoyproxy/envoy',
  'redis',
  'postgres',
];

export interface CorpusStats {
  readonly files: number;
  readonly workloads: number;
  readonly services: number;
  readonly networkPolicies: number;
  readonly containers: number;
  readonly bytes: number;
}

/**
 * Writes `workloads` realistic workloads (Deployments, StatefulSets, DaemonSets, Jobs, CronJobs,
 * Pods; one to three containers, init containers, full security contexts, probes, resources,
 * env from Secrets, volumes) with a Service each and a NetworkPolicy per namespace, five
 * workloads to a file as an application repository would hold them. About one in five
 * workloads carries a misconfiguration.
 */
export const writeCorpus = async (directory: string, workloads: number, seed = 42): Promise<CorpusStats> => {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const chance = (p: number): boolean => next() < p;
  await mkdir(directory, { recursive: true });
  let files = 0;
  let services = 0;
  let networkPolicies = 0;
  let containers = 0;
  let bytes = 0;
  const perFile = 5;
  for (let start = 0; start < workloads; start += perFile) {
    const namespace = `team-${Math.floor(start / 50)}`;
    const documents: string[] = [];
    for (let i = start; i < Math.min(start + perFile, workloads); i++) {
      const name = `app-${i}`;
      const kindRoll = next();
      const kind =
        kindRoll < 0.6
          ? 'Deployment'
          : kindRoll < 0.75
            ? 'StatefulSet'
            : kindRoll < 0.8
              ? 'DaemonSet'
              : kindRoll < 0.85
                ? 'Job'
                : kindRoll < 0.95
                  ? 'CronJob'
                  : 'Pod';
      const bad = chance(0.2);
      const containerCount = 1 + Math.floor(next() * 3);
      containers += containerCount + (chance(0.3) ? 1 : 0);
      const container = (index: number, init = false): string => {
        const image = `${pick(IMAGES)}:${bad && chance(0.3) ? 'latest' : `1.${Math.floor(next() * 30)}.${Math.floor(next() * 10)}`}`;
        const lines = [
          `- name: ${init ? 'init' : `c${index}`}`,
          `  image: ${image}`,
          ...(init ? ['  command: ["/bin/migrate", "--up"]'] : []),
          '  ports:',
          `    - name: http`,
          `      containerPort: ${bad && chance(0.2) ? 22 : 8080 + index}`,
          '      protocol: TCP',
          '  env:',
          '    - name: LOG_LEVEL',
          '      value: info',
          `    - name: ${bad && chance(0.3) ? 'DB_PASSWORD' : 'DB_HOST'}`,
          `      value: ${bad ? 'hunter2-not-a-real-one' : 'postgres.data.svc'}`,
          '    - name: API_TOKEN',
          '      valueFrom:',
          '        secretKeyRef:',
          `          name: ${name}-secrets`,
          '          key: token',
          '  resources:',
          '    requests:',
          `      cpu: ${bad && chance(0.3) ? '0' : `${50 * (index + 1)}m`}`,
          `      memory: ${64 * (index + 1)}Mi`,
          '    limits:',
          `      memory: ${128 * (index + 1)}Mi`,
          ...(init
            ? []
            : [
                '  livenessProbe:',
                '    httpGet:',
                '      path: /healthz',
                '      port: http',
                '  readinessProbe:',
                '    httpGet:',
                '      path: /ready',
                '      port: http',
              ]),
          '  securityContext:',
          `    allowPrivilegeEscalation: ${bad && chance(0.5)}`,
          `    readOnlyRootFilesystem: ${!(bad && chance(0.5))}`,
          `    privileged: ${bad && chance(0.2)}`,
          `    runAsNonRoot: ${!(bad && chance(0.3))}`,
          `    runAsUser: ${bad && chance(0.2) ? 0 : 10000 + index}`,
          '    capabilities:',
          `      drop: [${bad && chance(0.5) ? 'NET_RAW' : 'ALL'}]`,
          ...(bad && chance(0.3) ? ['      add: [NET_ADMIN]'] : []),
          '    seccompProfile:',
          `      type: ${bad && chance(0.2) ? 'Unconfined' : 'RuntimeDefault'}`,
          '  volumeMounts:',
          '    - name: tmp',
          '      mountPath: /tmp',
          '    - name: config',
          '      mountPath: /etc/app',
          '      readOnly: true',
        ];
        return lines.map((line) => `        ${line}`).join('\n');
      };
      const podSpec = [
        `      serviceAccountName: ${name}`,
        '      automountServiceAccountToken: false',
        ...(bad && chance(0.2) ? ['      hostNetwork: true'] : []),
        '      securityContext:',
        '        runAsNonRoot: true',
        '        fsGroup: 10000',
        '        seccompProfile:',
        '          type: RuntimeDefault',
        ...(kind === 'Job' || kind === 'CronJob' ? ['      restartPolicy: OnFailure'] : []),
        ...(chance(0.3) ? ['      initContainers:', container(0, true)] : []),
        '      containers:',
        ...Array.from({ length: containerCount }, (_, index) => container(index)),
        '      volumes:',
        '        - name: tmp',
        '          emptyDir: {}',
        '        - name: config',
        '          configMap:',
        `            name: ${name}-config`,
        ...(bad && chance(0.2) ? ['        - name: docker', '          hostPath:', '            path: /var/run/docker.sock'] : []),
      ].join('\n');
      const labels = `app.kubernetes.io/name: ${name}\n        app.kubernetes.io/part-of: ${namespace}`;
      const indent = (text: string, spaces: number) => text.replace(/^/gm, ' '.repeat(spaces));
      const template = `  template:\n    metadata:\n      labels:\n        ${labels}\n    spec:\n${podSpec}`;
      const header = (apiVersion: string) =>
        `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n  labels:\n    app.kubernetes.io/name: ${name}\n    owner: ${namespace}\n`;
      let document: string;
      if (kind === 'Pod') {
        document = `${header('v1')}spec:\n${indent(podSpec.replace(/^ {6}/gm, ''), 2)}`;
      } else if (kind === 'CronJob') {
        document = `${header('batch/v1')}spec:\n  schedule: "*/15 * * * *"\n  jobTemplate:\n    spec:\n${indent(template, 4)}`;
      } else if (kind === 'Job') {
        document = `${header('batch/v1')}spec:\n  ttlSecondsAfterFinished: 3600\n${template}`;
      } else {
        document = `${header('apps/v1')}spec:\n${kind === 'DaemonSet' ? '' : `  replicas: ${1 + Math.floor(next() * 4)}\n`}  selector:\n    matchLabels:\n      app.kubernetes.io/name: ${name}\n${template}`;
      }
      documents.push(`${document}\n`);
      documents.push(
        `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  type: ${bad && chance(0.3) ? 'NodePort' : 'ClusterIP'}\n  selector:\n    app.kubernetes.io/name: ${name}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n`,
      );
      services++;
    }
    documents.push(
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-${start}\n  namespace: ${namespace}\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: app-${start}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app.kubernetes.io/part-of: ${namespace}\n      ports:\n        - port: http\n  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: kube-system\n      ports:\n        - port: 53\n          protocol: UDP\n`,
    );
    networkPolicies++;
    const text = `${documents.join('---\n')}`;
    bytes += Buffer.byteLength(text);
    await writeFile(join(directory, `app-${String(start).padStart(5, '0')}.yaml`), text);
    files++;
  }
  return { files, workloads, services, networkPolicies, containers, bytes };
};
