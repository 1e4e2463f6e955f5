import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildSnapshot, normaliseDocument, parseYamlStream } from '../src/k8s/index.js';
import type { KubeObject } from '../src/model/index.js';
import { computeConnectivity } from '../src/network/index.js';
import { builtInPolicyDirectory, loadPolicyPath } from '../src/policy/files/index.js';
import { evaluatePolicies, selectPolicies } from '../src/policy/index.js';
import { assessSubjects, collectGrants, serviceAccountSubjects } from '../src/rbac/index.js';
import { rankWorkloads } from '../src/risk/index.js';
import { reviewAdmission } from '../src/admission/review.js';
import { computeIsolation } from '../src/network/index.js';
import { repoPath } from './support/repo.js';

/** Shapes the schema forbids but YAML allows, put in place of a node. */
const REPLACEMENTS: readonly unknown[] = [null, [null], 'text', 7, true, [], {}, [[]], [{}], { '': null }];

/** Every path of a value (object keys and array indexes), depth first, at most `limit` of them. */
const paths = (value: unknown, limit: number): (string | number)[][] => {
  const out: (string | number)[][] = [];
  const walk = (node: unknown, at: (string | number)[]): void => {
    if (out.length >= limit || typeof node !== 'object' || node === null) return;
    for (const [key, child] of Object.entries(node)) {
      const path = [...at, Array.isArray(node) ? Number(key) : key];
      out.push(path);
      walk(child, path);
    }
  };
  walk(value, []);
  return out;
};

const replaced = (value: unknown, path: readonly (string | number)[], replacement: unknown): unknown => {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) }) as Record<string | number, unknown>;
  copy[head] = replaced((value as Record<string | number, unknown>)[head], rest, replacement);
  return copy;
};

describe('schema-invalid shapes are a problem of their object, never of the run', async () => {
  const { policies } = await loadPolicyPath(builtInPolicyDirectory(), repoPath('.'));
  const all = selectPolicies(policies, [], { enable: ['*'], disable: [], only: [] }, 'test').active;
  const documents: unknown[] = [];
  for (const directory of ['examples/shop', 'examples/ops', 'examples/data', 'examples/payments']) {
    for (const name of (await readdir(repoPath(directory))).sort())
      documents.push(...parseYamlStream(await readFile(repoPath(join(directory, name)), 'utf8')).map((document) => document.value));
  }

  // Every field the model reads, so that each one is also mutated.
  documents.push(...parseYamlStream(KITCHEN_SINK).map((document) => document.value));
  const deploy = all.filter((policy) => policy.policy.lifecycleStages.includes('DEPLOY'));
  /** What the admission webhook decides on one object: it must answer, never throw (it would fail open). */
  const admit = (object: unknown): void => {
    const kind = typeof (object as { kind?: unknown } | null)?.kind === 'string' ? (object as { kind: string }).kind : 'Deployment';
    reviewAdmission(
      { uid: 'u', kind: { group: 'apps', version: 'v1', kind }, operation: 'CREATE', namespace: 'shop', name: 'x', userInfo: { username: 'alice' }, object },
      { policies: deploy, excludedNamespaces: [], excludedUsers: [], breakGlass: true },
      new Date('2026-12-01T00:00:00Z'),
    );
  };

  /** Everything a scan, `risk` and `netpol map` do with objects, in process. */
  const judge = (objects: KubeObject[]): void => {
    const snapshot = buildSnapshot(objects);
    const { findings } = evaluatePolicies(snapshot, all, { now: new Date('2026-12-01T00:00:00Z'), stages: ['BUILD', 'DEPLOY'] });
    const { grants } = collectGrants(snapshot);
    rankWorkloads({
      snapshot,
      findings,
      isolation: computeIsolation(snapshot),
      rbac: assessSubjects(grants, serviceAccountSubjects(snapshot)),
      now: new Date('2026-12-01T00:00:00Z'),
    });
    computeConnectivity(snapshot);
  };

  it('every node of the demo manifests replaced by null, [null], a string, a number, a boolean, [] or {}: nothing throws', () => {
    let cases = 0;
    const failures: string[] = [];
    for (const [index, document] of documents.entries()) {
      // The rest of the demo, so cross-object policies have Services, policies and roles to look up.
      const others = documents
        .filter((_, other) => other !== index && other % 3 === 0)
        .flatMap((value, position) => normaliseDocument(value, { file: 'other.yaml', documentIndex: position, defaultNamespace: 'default' }).objects);
      for (const path of paths(document, 400)) {
        for (const replacement of REPLACEMENTS) {
          cases++;
          const mutated = replaced(document, path, replacement);
          try {
            const own = normaliseDocument(mutated, { file: 'mutated.yaml', documentIndex: 0, defaultNamespace: 'default' }).objects;
            judge([...own, ...others]);
            admit(mutated);
          } catch (error) {
            if (failures.length < 10)
              failures.push(
                `${(document as { kind?: string }).kind} ${path.join('.')} = ${JSON.stringify(replacement)}: ${(error as Error).stack?.split('\n').slice(0, 3).join(' | ')}`,
              );
          }
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(cases > 10_000, `${cases} cases`);
  });
});

/** Objects that set every field the model reads: pod template details, owners, CNI policies, Routes, RBAC. */
const KITCHEN_SINK = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: sink
  namespace: shop
  labels: {app: sink}
  annotations: {kubeward.io/ignore: latest-tag, kubeward.io/ignore-reason: demo}
  ownerReferences: [{apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: sink, uid: u1, controller: true}]
spec:
  replicas: 3
  selector: {matchLabels: {app: sink}, matchExpressions: [{key: tier, operator: In, values: [web]}]}
  strategy: {type: RollingUpdate}
  template:
    metadata:
      labels: {app: sink, tier: web}
      annotations: {container.apparmor.security.beta.kubernetes.io/app: runtime/default, seccomp.security.alpha.kubernetes.io/pod: runtime/default}
    spec:
      serviceAccountName: sink
      automountServiceAccountToken: false
      hostNetwork: false
      securityContext: {runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000, supplementalGroups: [3000], sysctls: [{name: net.ipv4.tcp_syncookies, value: "1"}], seccompProfile: {type: RuntimeDefault}, seLinuxOptions: {level: "s0:c1,c2"}}
      affinity:
        nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a]}]}]}}
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: sink}}, namespaces: [shop], namespaceSelector: {}, matchLabelKeys: [pod-template-hash], mismatchLabelKeys: [x]}]
          preferredDuringSchedulingIgnoredDuringExecution: [{weight: 10, podAffinityTerm: {topologyKey: zone, labelSelector: {matchExpressions: [{key: app, operator: Exists}]}}}]
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: sink}}, matchLabelKeys: [pod-template-hash]}]
      tolerations: [{key: k, operator: Exists, effect: NoSchedule}]
      dnsConfig: {options: [{name: ndots, value: "2"}]}
      imagePullSecrets: [{name: pull}]
      initContainers: [{name: init, image: busybox:1.36, restartPolicy: Always, command: [sh], args: [-c, "true"]}]
      containers:
        - name: app
          image: registry.example.com/sink:1.0@sha256:4f2b3c1d8e9a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c
          imagePullPolicy: Always
          ports: [{name: http, containerPort: 8080, protocol: TCP, hostPort: 0}]
          env: [{name: A, value: b}, {name: S, valueFrom: {secretKeyRef: {name: s, key: k}}}, {name: C, valueFrom: {configMapKeyRef: {name: c, key: k}}}, {name: F, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
          envFrom: [{secretRef: {name: s}}, {configMapRef: {name: c}, prefix: P_}]
          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: "1", memory: 128Mi, ephemeral-storage: 1Gi}}
          livenessProbe: {httpGet: {path: /, port: http}}
          readinessProbe: {tcpSocket: {port: 8080}}
          startupProbe: {grpc: {port: 9090}}
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}, procMount: Default}
          volumeMounts: [{name: data, mountPath: /data, readOnly: true, subPath: x, mountPropagation: None}, {name: run, mountPath: /run/containerd}]
      volumes:
        - {name: data, persistentVolumeClaim: {claimName: data}}
        - {name: run, hostPath: {path: /run/containerd, type: Directory}}
        - {name: proj, projected: {sources: [{secret: {name: s}}, {serviceAccountToken: {path: t}}]}}
---
apiVersion: v1
kind: Pod
metadata:
  name: sink-5d8f-abcde
  namespace: shop
  labels: {app: sink, pod-template-hash: 5d8f}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: sink-5d8f, uid: u2, controller: true}]
spec:
  containers: [{name: app, image: registry.example.com/sink:1.0}]
---
apiVersion: v1
kind: Service
metadata: {name: sink, namespace: shop}
spec: {type: LoadBalancer, selector: {app: sink}, externalIPs: [203.0.113.7], ports: [{name: http, port: 80, targetPort: http, nodePort: 30080, protocol: TCP}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: sink, namespace: shop}
spec:
  ingressClassName: nginx
  tls: [{hosts: [sink.example.com]}]
  defaultBackend: {service: {name: sink, port: {number: 80}}}
  rules: [{host: sink.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: sink, port: {name: http}}}}]}}]
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: sink, namespace: shop}
spec: {host: sink.apps.example.com, to: {kind: Service, name: sink}, alternateBackends: [{kind: Service, name: sink}], tls: {termination: edge}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: sink, namespace: shop}
spec:
  podSelector: {matchLabels: {app: sink}}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}, namespaceSelector: {}}, {ipBlock: {cidr: 10.1.2.3/8, except: [10.9.0.0/16]}}], ports: [{port: http, protocol: TCP}, {port: 8000, endPort: 8100}]}]
  egress: [{to: [{namespaceSelector: {matchExpressions: [{key: team, operator: NotIn, values: [x]}]}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: sink}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  ingress: [{action: Deny, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: x}}}}], ports: [{portNumber: {protocol: TCP, port: 22}}, {portRange: {protocol: TCP, start: 1, end: 10}}, {namedPort: http}]}]
  egress: [{action: Deny, to: [{networks: [8.8.8.9/24]}, {nodes: {}}]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: sink, namespace: shop}
spec:
  endpointSelector: {matchLabels: {"k8s:app": sink}}
  enableDefaultDeny: {ingress: true, egress: false}
  ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]
  ingressDeny: [{fromEntities: [world]}]
specs: [{nodeSelector: {}, egress: [{}]}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: sink}
spec: {selector: "app == 'sink' && has(tier)", namespaceSelector: "projectcalico.org/name in {'shop'}", types: [Ingress], ingress: [{action: Allow}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: sink, namespace: shop}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: sink}, minReplicas: 3, maxReplicas: 9}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: sink, namespace: shop}
spec: {minAvailable: "90%", selector: {matchLabels: {app: sink}}, unhealthyPodEvictionPolicy: AlwaysAllow}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sink, namespace: shop}
automountServiceAccountToken: false
secrets: [{name: s}]
imagePullSecrets: [{name: pull}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: sink, labels: {agg: "true"}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {agg: "true"}}]}
rules: [{apiGroups: ["", apps], resources: [secrets, pods/exec, "*"], verbs: [get, create, "*"], resourceNames: [a]}, {nonResourceURLs: [/metrics], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: sink, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: sink}
subjects: [{kind: ServiceAccount, name: sink, namespace: shop}, {kind: Group, name: system:authenticated}, {kind: Robot, name: r}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: sink, namespace: shop}
data: {application.properties: "db.password=Tr0ub4dor&3\n", url: "postgres://u:p4ssw0rd@db/x"}
binaryData: {blob: AAAA}
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: shop, annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}}
type: Opaque
data: {k: c2VjcmV0}
stringData: {p: hunter2}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: restricted, team: sink}}
`;
