import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, SecretMeta, Workload } from '../model/index.js';
import { parseImageName } from './image.js';
import { DEFAULT_MANIFEST_OPTIONS, readManifest } from './manifest.js';
import { normaliseDocument } from './normalise.js';
import { parseQuantity } from './quantity.js';

const load = (text: string, file = 'manifest.yaml'): KubeObject[] => readManifest(text, file, DEFAULT_MANIFEST_OPTIONS).objects;

/** A Deployment as teams write them (Argo CD's repo-server chart, trimmed), normalised whole. */
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: repo-server
  namespace: argocd
  labels: {app.kubernetes.io/name: argocd-repo-server}
spec:
  replicas: 2
  selector:
    matchLabels: {app.kubernetes.io/name: argocd-repo-server}
  template:
    metadata:
      labels: {app.kubernetes.io/name: argocd-repo-server}
      annotations:
        container.apparmor.security.beta.kubernetes.io/repo-server: runtime/default
    spec:
      serviceAccountName: argocd-repo-server
      automountServiceAccountToken: true
      securityContext:
        runAsNonRoot: true
        runAsUser: 999
        seccompProfile: {type: RuntimeDefault}
      initContainers:
        - name: copyutil
          image: quay.io/argoproj/argocd:v2.10.6
          command: [/bin/cp, -n, /usr/local/bin/argocd, /var/run/argocd/argocd-cmp-server]
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
          volumeMounts: [{name: var-files, mountPath: /var/run/argocd}]
      containers:
        - name: repo-server
          image: quay.io/argoproj/argocd:v2.10.6
          ports: [{name: server, containerPort: 8081}, {name: metrics, containerPort: 8084}]
          env:
            - {name: ARGOCD_EXEC_TIMEOUT, value: 90s}
            - name: REDIS_PASSWORD
              valueFrom: {secretKeyRef: {name: argocd-redis, key: auth, optional: true}}
            - name: NODE_NAME
              valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
          envFrom: [{configMapRef: {name: argocd-cmd-params-cm}}]
          resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 1Gi}}
          livenessProbe: {httpGet: {path: /healthz?full=true, port: metrics}}
          readinessProbe: {httpGet: {path: /healthz, port: metrics}}
          securityContext:
            runAsUser: 1000
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
          volumeMounts:
            - {name: tmp, mountPath: /tmp}
            - {name: gpg-keys, mountPath: /app/config/gpg/source, readOnly: true}
      volumes:
        - {name: var-files, emptyDir: {}}
        - {name: tmp, emptyDir: {}}
        - {name: gpg-keys, configMap: {name: argocd-gpg-keys-cm}}
`;

describe('normaliseDocument', () => {
  it('normalises a real-world Deployment into the workload model', () => {
    const [workload] = load(DEPLOYMENT) as Workload[];
    assert.ok(workload);
    const { raw, ...rest } = workload;
    assert.equal((raw as { kind: string }).kind, 'Deployment');
    const [main, init] = workload.pod.containers;
    const volume = (name: string) => rest.pod.volumes.find((entry) => entry.name === name);
    assert.deepEqual(
      { ...rest, pod: { ...rest.pod, containers: [] } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'repo-server',
        namespace: 'argocd',
        labels: { 'app.kubernetes.io/name': 'argocd-repo-server' },
        annotations: {},
        namespaceImplicit: false,
        source: { file: 'manifest.yaml', documentIndex: 0, line: 1, column: 1 },
        replicas: 2,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'argocd-repo-server' }, matchExpressions: [] },
        podLabels: { 'app.kubernetes.io/name': 'argocd-repo-server' },
        podAnnotations: { 'container.apparmor.security.beta.kubernetes.io/repo-server': 'runtime/default' },
        podSpecPath: 'spec.template.spec',
        podMetaPath: 'spec.template.metadata',
        updateStrategy: 'RollingUpdate',
        ownedByController: false,
        pod: {
          serviceAccountName: 'argocd-repo-server',
          serviceAccountNameExplicit: true,
          automountServiceAccountToken: true,
          hostNetwork: false,
          hostPID: false,
          hostIPC: false,
          shareProcessNamespace: false,
          securityContext: { runAsNonRoot: true, runAsUser: 999, supplementalGroups: [], sysctls: [], seccompProfile: { type: 'RuntimeDefault', from: 'pod' } },
          containers: [],
          volumes: [
            { name: 'var-files', type: 'emptyDir', source: '', projectedSources: [], path: 'spec.template.spec.volumes[0]' },
            { name: 'tmp', type: 'emptyDir', source: '', projectedSources: [], path: 'spec.template.spec.volumes[1]' },
            { name: 'gpg-keys', type: 'configMap', source: 'argocd-gpg-keys-cm', projectedSources: [], path: 'spec.template.spec.volumes[2]' },
          ],
          nodeSelector: {},
          hasNodeAffinity: false,
          podAntiAffinity: [],
          topologySpreadConstraints: [],
          tolerations: [],
          dnsConfigOptions: [],
          imagePullSecrets: [],
        },
      },
    );
    assert.deepEqual(main, {
      name: 'repo-server',
      type: 'container',
      index: 0,
      path: 'spec.template.spec.containers[0]',
      image: { full: 'quay.io/argoproj/argocd:v2.10.6', registry: 'quay.io', remote: 'argoproj/argocd', tag: 'v2.10.6' },
      command: [],
      args: [],
      securityContext: {
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        runAsNonRoot: true,
        runAsUser: 1000,
        capabilities: { add: [], drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault', from: 'pod' },
        appArmorProfile: { type: 'RuntimeDefault', from: 'annotation' },
        origin: { runAsNonRoot: 'pod', runAsUser: 'container', seccompProfile: 'pod', appArmorProfile: 'container' },
      },
      securityContextMissing: false,
      resources: {
        requests: { cpu: { text: '250m', value: 0.25 }, memory: { text: '256Mi', value: 268435456 }, other: {} },
        limits: { memory: { text: '1Gi', value: 1073741824 }, other: {} },
      },
      livenessProbe: { handler: 'httpGet', port: 'metrics' },
      readinessProbe: { handler: 'httpGet', port: 'metrics' },
      ports: [
        { name: 'server', containerPort: 8081, protocol: 'TCP' },
        { name: 'metrics', containerPort: 8084, protocol: 'TCP' },
      ],
      env: [
        { name: 'ARGOCD_EXEC_TIMEOUT', source: 'RAW', value: '90s', path: 'spec.template.spec.containers[0].env[0]' },
        {
          name: 'REDIS_PASSWORD',
          source: 'SECRET_KEY',
          ref: { name: 'argocd-redis', key: 'auth', optional: true },
          path: 'spec.template.spec.containers[0].env[1]',
        },
        { name: 'NODE_NAME', source: 'FIELD', ref: { name: 'spec.nodeName', key: '' }, path: 'spec.template.spec.containers[0].env[2]' },
      ],
      envFrom: [{ kind: 'ConfigMap', name: 'argocd-cmd-params-cm', path: 'spec.template.spec.containers[0].envFrom[0]' }],
      volumeMounts: [
        { name: 'tmp', mountPath: '/tmp', readOnly: false, volume: volume('tmp'), path: 'spec.template.spec.containers[0].volumeMounts[0]' },
        {
          name: 'gpg-keys',
          mountPath: '/app/config/gpg/source',
          readOnly: true,
          volume: volume('gpg-keys'),
          path: 'spec.template.spec.containers[0].volumeMounts[1]',
        },
      ],
      stdin: false,
      tty: false,
    });
    assert.equal(init?.type, 'init');
    assert.equal(init?.path, 'spec.template.spec.initContainers[0]');
    assert.deepEqual(init?.command, ['/bin/cp', '-n', '/usr/local/bin/argocd', '/var/run/argocd/argocd-cmp-server']);
  });

  it('finds the pod template of every workload kind', () => {
    const spec = 'containers: [{name: c, image: busybox:1.36}]';
    const cases: [string, string, string][] = [
      ['v1', 'Pod', `spec: {${spec}}`],
      ['apps/v1', 'Deployment', `spec: {template: {spec: {${spec}}}}`],
      ['apps/v1', 'ReplicaSet', `spec: {template: {spec: {${spec}}}}`],
      ['v1', 'ReplicationController', `spec: {template: {spec: {${spec}}}}`],
      ['apps/v1', 'StatefulSet', `spec: {template: {spec: {${spec}}}}`],
      ['apps/v1', 'DaemonSet', `spec: {template: {spec: {${spec}}}}`],
      ['batch/v1', 'Job', `spec: {template: {spec: {${spec}}}}`],
      ['batch/v1', 'CronJob', `spec: {schedule: "* * * * *", jobTemplate: {spec: {template: {spec: {${spec}}}}}}`],
      ['apps.openshift.io/v1', 'DeploymentConfig', `spec: {template: {spec: {${spec}}}}`],
    ];
    for (const [apiVersion, kind, body] of cases) {
      const [workload] = load(`apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: w}\n${body}\n`) as Workload[];
      assert.equal(workload?.kind, kind);
      assert.equal(workload?.pod.containers[0]?.image.full, 'busybox:1.36', kind);
      assert.equal(workload?.namespace, 'default', kind);
      assert.ok(workload?.namespaceImplicit);
    }
  });

  it('lets the container security context win over the pod one, and keeps unset apart from false', () => {
    const [workload] = load(`kind: Pod
apiVersion: v1
metadata: {name: p}
spec:
  securityContext: {runAsUser: 1000, runAsNonRoot: true, seccompProfile: {type: Unconfined}}
  containers:
    - {name: a, image: x, securityContext: {runAsUser: 0, seccompProfile: {type: RuntimeDefault}}}
    - {name: b, image: x}
`) as Workload[];
    const [a, b] = workload?.pod.containers ?? [];
    assert.equal(a?.securityContext.runAsUser, 0);
    assert.equal(a?.securityContext.origin.runAsUser, 'container');
    assert.equal(a?.securityContext.seccompProfile?.type, 'RuntimeDefault');
    assert.equal(b?.securityContext.runAsUser, 1000);
    assert.equal(b?.securityContext.origin.runAsUser, 'pod');
    assert.equal(b?.securityContext.privileged, undefined);
    assert.equal(b?.securityContext.readOnlyRootFilesystem, undefined);
  });

  it('reads YAML 1.1 booleans as the API server does', () => {
    const [workload] = load(
      'kind: Pod\napiVersion: v1\nmetadata: {name: p}\nspec:\n  hostNetwork: yes\n  containers: [{name: a, image: x, securityContext: {privileged: on, readOnlyRootFilesystem: NO}}]\n',
    ) as Workload[];
    assert.equal(workload?.pod.hostNetwork, true);
    assert.equal(workload?.pod.containers[0]?.securityContext.privileged, true);
    assert.equal(workload?.pod.containers[0]?.securityContext.readOnlyRootFilesystem, false);
  });

  it('drops Secret values at parse time, keeping only key names', () => {
    const objects = load(`apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"password":"aHVudGVyMg=="}}'
type: kubernetes.io/basic-auth
data: {password: aHVudGVyMg==}
stringData: {username: admin-hunter2}
`);
    const secret = objects[0] as SecretMeta;
    assert.deepEqual(secret.keys, ['password', 'username']);
    assert.equal(secret.type, 'kubernetes.io/basic-auth');
    const serialised = JSON.stringify(objects);
    assert.ok(!serialised.includes('aHVudGVyMg=='), 'base64 value leaked');
    assert.ok(!serialised.includes('hunter2'), 'string value leaked');
  });

  it('flattens kind: List and *List dumps, each item with its own line', () => {
    const objects = load(`apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: a, namespace: x}
    spec: {ports: [{port: 80}]}
  - apiVersion: v1
    kind: Secret
    metadata: {name: s, namespace: x}
    data: {token: c2VjcmV0}
---
apiVersion: v1
kind: PodList
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p, namespace: x}
    spec: {containers: [{name: c, image: nginx}]}
`);
    assert.deepEqual(
      objects.map((object) => [object.kind, object.name, object.source.line]),
      [
        ['Service', 'a', 4],
        ['Secret', 's', 8],
        ['Pod', 'p', 16],
      ],
    );
    assert.ok(!JSON.stringify(objects).includes('c2VjcmV0'));
  });

  it('reports Helm templates as the file and keeps the rendered position', () => {
    const [service] = load('---\n# Source: shop/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n', 'rendered.yaml');
    assert.deepEqual(service?.source, { file: 'shop/templates/svc.yaml', documentIndex: 0, line: 1, column: 1, rendered: { file: 'rendered.yaml', line: 3 } });
  });

  it('keeps cluster-scoped objects out of namespaces and counts unknown kinds as plain objects', () => {
    const objects = load(
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n',
    );
    assert.equal(objects[0]?.namespace, undefined);
    assert.equal(objects[1]?.kind, 'Widget');
    assert.equal(objects[1]?.namespace, undefined);
  });

  it('reports documents that are not Kubernetes objects as warnings', () => {
    const result = normaliseDocument({ foo: 1 }, { file: 'f.yaml', documentIndex: 0, defaultNamespace: 'default' });
    assert.equal(result.problems[0]?.code, 'missing-kind');
    const scalar = normaliseDocument('just text', { file: 'f.yaml', documentIndex: 1, defaultNamespace: 'default' });
    assert.equal(scalar.problems[0]?.code, 'not-an-object');
  });
});

describe('parseImageName', () => {
  const cases: [string, { registry: string; remote: string; tag?: string; digest?: string }][] = [
    ['nginx', { registry: 'docker.io', remote: 'library/nginx' }],
    ['nginx:1.25', { registry: 'docker.io', remote: 'library/nginx', tag: '1.25' }],
    ['bitnami/redis:7.2', { registry: 'docker.io', remote: 'bitnami/redis', tag: '7.2' }],
    ['docker.io/library/nginx:1.25', { registry: 'docker.io', remote: 'library/nginx', tag: '1.25' }],
    ['index.docker.io/library/busybox', { registry: 'docker.io', remote: 'library/busybox' }],
    ['localhost:5000/app', { registry: 'localhost:5000', remote: 'app' }],
    ['localhost/app:dev', { registry: 'localhost', remote: 'app', tag: 'dev' }],
    [
      'registry.k8s.io/ingress-nginx/controller:v1.10.0@sha256:42b3f0e5d0846876b1791cd3afeb5f1cbbe4259d6f35651dcc1b5c980925379c',
      {
        registry: 'registry.k8s.io',
        remote: 'ingress-nginx/controller',
        tag: 'v1.10.0',
        digest: 'sha256:42b3f0e5d0846876b1791cd3afeb5f1cbbe4259d6f35651dcc1b5c980925379c',
      },
    ],
    ['quay.io/prometheus/node-exporter@sha256:abc', { registry: 'quay.io', remote: 'prometheus/node-exporter', digest: 'sha256:abc' }],
    ['[::1]:5000/app:1', { registry: '[::1]:5000', remote: 'app', tag: '1' }],
  ];
  for (const [reference, expected] of cases) {
    it(reference, () => assert.deepEqual(parseImageName(reference), { full: reference, ...expected }));
  }
});

describe('parseQuantity', () => {
  const cases: [string, number | undefined][] = [
    ['100m', 0.1],
    ['1', 1],
    ['0.5', 0.5],
    ['2.5', 2.5],
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['500M', 500e6],
    ['1e3', 1000],
    ['1.5k', 1500],
    ['250u', 0.00025],
    ['12E', 12e18],
    ['1Ki', 1024],
    ['lots', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of cases) it(JSON.stringify(text), () => assert.equal(parseQuantity(text), expected));
});
