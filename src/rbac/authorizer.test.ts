import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSnapshot, normaliseDocument, parseYamlStream } from '../k8s/index.js';
import type { PolicyRule } from '../model/index.js';
import { assessSubjects, serviceAccountSubjects } from './assess.js';
import { collectGrants, explainAccess, ruleAllows, subjectId, whoCan, type AccessRequest } from './authorizer.js';

const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames: string[] = [], nonResourceURLs: string[] = []): PolicyRule => ({
  verbs,
  apiGroups,
  resources,
  resourceNames,
  nonResourceURLs,
});

describe('RBAC rules, matched as the Kubernetes RBAC authorizer matches them', () => {
  const cases: [string, PolicyRule, AccessRequest, boolean][] = [
    ['exact verb, group and resource', rule(['get'], [''], ['pods']), { verb: 'get', group: '', resource: 'pods', namespace: 'a' }, true],
    ['another verb', rule(['get'], [''], ['pods']), { verb: 'delete', group: '', resource: 'pods' }, false],
    ['another group', rule(['get'], ['apps'], ['pods']), { verb: 'get', group: '', resource: 'pods' }, false],
    [
      'wildcard verbs, groups and resources',
      rule(['*'], ['*'], ['*']),
      { verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
      true,
    ],
    ['* covers subresources', rule(['create'], [''], ['*']), { verb: 'create', group: '', resource: 'pods/exec' }, true],
    ['pods does not cover pods/exec', rule(['create'], [''], ['pods']), { verb: 'create', group: '', resource: 'pods/exec' }, false],
    ['pods/* is no wildcard to the authorizer', rule(['create'], [''], ['pods/*']), { verb: 'create', group: '', resource: 'pods/exec' }, false],
    ['*/exec covers exec of every resource', rule(['create'], [''], ['*/exec']), { verb: 'create', group: '', resource: 'pods/exec' }, true],
    ['resourceNames: the named object', rule(['get'], [''], ['secrets'], ['tls']), { verb: 'get', group: '', resource: 'secrets', name: 'tls' }, true],
    ['resourceNames: another object', rule(['get'], [''], ['secrets'], ['tls']), { verb: 'get', group: '', resource: 'secrets', name: 'db' }, false],
    [
      'resourceNames: list has no name, so it is not allowed',
      rule(['list'], [''], ['secrets'], ['tls']),
      { verb: 'list', group: '', resource: 'secrets' },
      false,
    ],
    ['non-resource URL, exact', rule(['get'], [], [], [], ['/metrics']), { verb: 'get', path: '/metrics' }, true],
    ['non-resource URL, prefix *', rule(['get'], [], [], [], ['/healthz/*']), { verb: 'get', path: '/healthz/etcd' }, true],
    ['non-resource URL, another path', rule(['get'], [], [], [], ['/metrics']), { verb: 'get', path: '/debug/pprof' }, false],
    ['a resource rule does not grant a path', rule(['*'], ['*'], ['*']), { verb: 'get', path: '/metrics' }, false],
  ];
  for (const [name, granted, request, expected] of cases) it(name, () => assert.equal(ruleAllows(granted, request), expected));
});

const RBAC = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}}]}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: read-endpoints, labels: {rbac.example.com/aggregate-to-monitoring: "true"}}
rules: [{apiGroups: [""], resources: [endpoints, services], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: prometheus}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}
subjects: [{kind: ServiceAccount, name: prometheus, namespace: monitoring}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-edit, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: Group, name: "system:serviceaccounts:ci"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dangling, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: gone}
subjects: [{kind: User, name: alice}]
`;

describe('grants from bindings and roles', () => {
  const snapshot = buildSnapshot(
    parseYamlStream(RBAC).flatMap((document, index) =>
      document.value ? normaliseDocument(document.value, { file: 'rbac.yaml', documentIndex: index, defaultNamespace: 'default' }).objects : [],
    ),
  );
  const { grants, problems } = collectGrants(snapshot);

  it('aggregated ClusterRoles gather the rules of the roles their selectors match', () => {
    const prometheus = { kind: 'ServiceAccount' as const, name: 'prometheus', namespace: 'monitoring' };
    const chain = explainAccess(grants, prometheus, { verb: 'list', group: '', resource: 'endpoints' });
    assert.deepEqual(
      chain.map((grant) => `${grant.binding.kind} ${grant.binding.name} -> ${grant.role.kind} ${grant.role.name} (from ${grant.aggregatedFrom})`),
      ['ClusterRoleBinding prometheus -> ClusterRole monitoring (from read-endpoints)'],
    );
  });

  it('a RoleBinding to a ClusterRole grants in its namespace only, and groups reach service accounts', () => {
    const ci = { kind: 'ServiceAccount' as const, name: 'deployer', namespace: 'ci' };
    assert.equal(explainAccess(grants, ci, { verb: 'create', group: 'apps', resource: 'deployments', namespace: 'shop' }).length, 1);
    assert.equal(explainAccess(grants, ci, { verb: 'create', group: 'apps', resource: 'deployments', namespace: 'data' }).length, 0);
    assert.equal(explainAccess(grants, ci, { verb: 'create', group: 'apps', resource: 'deployments' }).length, 0, 'not cluster-wide');
  });

  it('who can exec into pods in shop: the edit role through the ci group', () => {
    assert.deepEqual(
      whoCan(grants, { verb: 'create', group: '', resource: 'pods/exec', namespace: 'shop' }).map((entry) => subjectId(entry.subject)),
      ['Group system:serviceaccounts:ci'],
    );
  });

  it('bindings to missing roles are problems, not crashes', () => {
    assert.deepEqual(problems, [
      { object: 'RoleBinding shop/dangling', message: 'refers to Role gone, which is not in the inputs (nor a built-in role); it grants nothing here' },
    ]);
  });
});

describe('unknown subjects are problems with the binding named', () => {
  it('a subject kind RBAC does not know, a service account without a namespace, and a binding to an account the inputs lack', () => {
    const text = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: user, name: alice}
  - {kind: ServiceAccount, name: web}
  - {kind: ServiceAccount, name: ghost}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: nowhere}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: web}]
`;
    const snapshot = buildSnapshot(
      parseYamlStream(text).flatMap((document, index) =>
        document.value ? normaliseDocument(document.value, { file: 'rbac.yaml', documentIndex: index, defaultNamespace: 'default' }).objects : [],
      ),
    );
    const { grants, problems } = collectGrants(snapshot);
    assert.deepEqual(problems, [
      {
        object: 'RoleBinding shop/readers',
        message: 'subject "alice" has kind "user", not ServiceAccount, User or Group (kinds are case-sensitive); the API server rejects the binding',
      },
      {
        object: 'RoleBinding shop/readers',
        message: 'binds ServiceAccount shop/ghost, which is not in the inputs: whoever creates that account gets the grant',
      },
      { object: 'ClusterRoleBinding nowhere', message: 'service account subject web has no namespace; the API server rejects the binding' },
    ]);
    assert.ok(!grants.some((grant) => grant.subject.name === 'alice'), 'an unknown kind grants nothing (it was never a service account)');
    assert.ok(grants.some((grant) => grant.subject.name === 'web' && grant.subject.namespace === 'shop'));
  });
});

describe('dangerous permissions and permission levels', () => {
  const snapshotOf = (text: string) =>
    buildSnapshot(
      parseYamlStream(text).flatMap((document, index) =>
        document.value ? normaliseDocument(document.value, { file: 'rbac.yaml', documentIndex: index, defaultNamespace: 'default' }).objects : [],
      ),
    );
  it('flags escalate, bind, impersonate, nodes/proxy and bindings to system:anonymous, each with the grant', () => {
    const { grants } = collectGrants(
      snapshotOf(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: risky}
rules:
  - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, bind]}
  - {apiGroups: [""], resources: [users], verbs: [impersonate]}
  - {apiGroups: [""], resources: [nodes/proxy], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: risky}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: risky}
subjects: [{kind: ServiceAccount, name: operator, namespace: ops}, {kind: User, name: "system:anonymous"}]
`),
    );
    const assessed = assessSubjects(grants);
    assert.deepEqual(
      assessed.map((entry) => `${subjectId(entry.subject)} ${entry.level}: ${entry.flags.map((flag) => flag.id).join(', ')}`),
      [
        'ServiceAccount ops/operator elevated-cluster-wide: escalate, bind, impersonate, node-proxy',
        'User system:anonymous elevated-cluster-wide: escalate, bind, impersonate, node-proxy, anonymous-binding',
      ].sort(),
    );
    assert.ok(
      assessed.every((entry) => entry.flags.every((flag) => flag.evidence.length > 0 && flag.evidence.every((grant) => grant.binding.name === 'risky'))),
    );
  });

  it('a service account holds what its groups and its user name are granted, and is levelled by it', () => {
    const snapshot = snapshotOf(`
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: ci}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: reporter, namespace: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-edit, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: Group, name: "system:serviceaccounts:ci"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: reporter-secrets}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: User, name: "system:serviceaccount:ci:reporter"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
`);
    const { grants } = collectGrants(snapshot);
    const levels = Object.fromEntries(
      assessSubjects(grants, serviceAccountSubjects(snapshot)).map((entry) => [
        subjectId(entry.subject),
        `${entry.level}: ${entry.flags.map((flag) => `${flag.id}@${flag.scope}`).join(', ')}`,
      ]),
    );
    assert.equal(
      levels['ServiceAccount ci/builder'],
      'elevated-in-namespace: read-secrets@ci, exec-into-pods@ci, create-workloads@ci, impersonate@ci, create-tokens@ci',
    );
    assert.equal(
      levels['ServiceAccount ci/reporter'],
      'elevated-cluster-wide: read-secrets@cluster, read-secrets@ci, exec-into-pods@ci, create-workloads@ci, impersonate@ci, create-tokens@ci',
    );
  });
});
