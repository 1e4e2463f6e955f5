/** The risk benchmark's cluster and image scans, shared with the central benchmark. */

const imageName = (index: number): string => `registry.example.com/team-${index % 20}/service-${index}:1.${index % 7}.0`;

/** Namespaces of workloads with Services, service accounts, NetworkPolicies, and RBAC bindings spread over them. */
export const riskCorpus = (namespaces: number, perNamespace: number, bindings: number, images: number): string => {
  const documents: string[] = [];
  const clusterBindings = Math.min(10, bindings);
  const perNamespaceBindings = Math.floor((bindings - clusterBindings) / namespaces);
  for (let n = 0; n < namespaces; n++) {
    const ns = `ns-${n}`;
    documents.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}, labels: {team: t${n % 20}}}`);
    documents.push(
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: secret-reader, namespace: ${ns}}\nrules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]`,
    );
    documents.push(
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: config-reader, namespace: ${ns}}\nrules: [{apiGroups: [""], resources: [configmaps], verbs: [get], resourceNames: [app-config]}]`,
    );
    for (let p = 0; p < perNamespace; p++) {
      const name = `app-${p}`;
      const w = n * perNamespace + p;
      const privileged = w % 10 === 0;
      const hardened = w % 4 === 1;
      const security = privileged
        ? '{privileged: true}'
        : hardened
          ? '{runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}'
          : '{}';
      documents.push(`apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ${name}, namespace: ${ns}}`);
      documents.push(
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}, tier: ${p % 3 === 0 ? 'front' : 'back'}}}\n    spec:\n      serviceAccountName: ${name}\n      containers:\n        - name: main\n          image: ${imageName(w % images)}\n          securityContext: ${security}\n          ports: [{name: http, containerPort: 8080}]\n          env: [{name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}]\n          resources: {limits: {cpu: 500m, memory: 256Mi}, requests: {cpu: 100m, memory: 128Mi}}`,
      );
      if (p % 3 === 0)
        documents.push(
          `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${ns}}\nspec: {type: ${p % 15 === 0 ? 'LoadBalancer' : 'ClusterIP'}, selector: {app: ${name}}, ports: [{port: 80, targetPort: http}]}`,
        );
    }
    for (let b = 0; b < perNamespaceBindings; b++) {
      const role = b % 3 === 0 ? 'kind: Role, name: secret-reader' : b % 3 === 1 ? 'kind: ClusterRole, name: view' : 'kind: Role, name: config-reader';
      documents.push(
        `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: binding-${b}, namespace: ${ns}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, ${role}}\nsubjects: [{kind: ServiceAccount, name: app-${(b * 7) % perNamespace}}]`,
      );
    }
    if (n % 2 === 0) {
      documents.push(
        `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: ${ns}}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}`,
      );
      documents.push(
        `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: front-from-team, namespace: ${ns}}\nspec: {podSelector: {matchLabels: {tier: front}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: t${n % 20}}}}], ports: [{port: http}]}]}`,
      );
    }
  }
  for (let c = 0; c < clusterBindings; c++) {
    documents.push(
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: cluster-binding-${c}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${c === 0 ? 'cluster-admin' : 'view'}}\nsubjects: [{kind: ServiceAccount, name: app-${c}, namespace: ns-${c}}]`,
    );
  }
  return `${documents.join('\n---\n')}\n`;
};

const SEVERITIES = ['CRITICAL', 'HIGH', 'HIGH', 'MEDIUM', 'MEDIUM', 'MEDIUM', 'LOW', 'LOW', 'UNKNOWN', 'MEDIUM'] as const;

/** A `kubeward image scan --format json` report: Debian packages, and vulnerability findings over them. */
export const scanReport = (index: number, vulnerabilities: number): string => {
  const packages = Array.from({ length: 150 }, (_, p) => ({
    ecosystem: 'Debian',
    release: '12',
    name: p === 0 ? 'bash' : p === 1 ? 'curl' : p === 2 ? 'apt' : `lib-${p}`,
    version: `1.${p}.0-1`,
    cataloger: 'dpkg',
    purl: `pkg:deb/debian/lib-${p}@1.${p}.0-1?distro=debian-12`,
    path: '/var/lib/dpkg/status',
  }));
  const matches = Array.from({ length: vulnerabilities }, (_, v) => {
    const installed = packages[(v * 13 + index) % packages.length] as (typeof packages)[number];
    const id = `CVE-${2018 + (v % 8)}-${String(10000 + ((v * 7919 + index * 31) % 40000)).padStart(5, '0')}`;
    const severity = SEVERITIES[(v + index) % SEVERITIES.length] as string;
    return {
      id,
      ids: [id, `DSA-${5000 + (v % 900)}-1`],
      records: [id],
      package: { ecosystem: 'Debian', release: '12', name: installed.name, version: installed.version, purl: installed.purl },
      severity,
      ...(severity === 'UNKNOWN' ? {} : { score: { CRITICAL: 9.8, HIGH: 7.5, MEDIUM: 5.3, LOW: 3.1 }[severity] }),
      severitySource: { kind: 'cvss', detail: 'CVSS:3.1 vector' },
      cvss: [],
      severityLabels: [],
      fixedVersions: v % 5 < 2 ? [`${installed.version}+deb12u1`] : [],
      modified: '2026-10-01T00:00:00Z',
      references: [],
      ...(v % 97 === 0 ? { kev: { cve: id, dateAdded: '2025-06-01' } } : {}),
      ...(v % 3 === 0 ? { epss: { cve: id, score: ((v * 37) % 1000) / 1000, percentile: ((v * 53) % 1000) / 1000 } } : {}),
    };
  });
  return JSON.stringify({
    schemaVersion: '1.0',
    image: {
      source: imageName(index),
      digest: `sha256:${index.toString(16).padStart(64, '0')}`,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      created: `2026-0${1 + (index % 9)}-01T00:00:00Z`,
      exposedPorts: [],
      env: [],
      labels: {},
      layers: [],
      history: [],
    },
    packages,
    vulnerabilities: matches,
    summary: {
      bySeverity: matches.reduce<Record<string, number>>((counts, match) => ({ ...counts, [match.severity]: (counts[match.severity] ?? 0) + 1 }), {}),
    },
    problems: [],
  });
};
