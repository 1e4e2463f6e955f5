import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSnapshot } from '../k8s/snapshot.js';
import { normaliseDocument } from '../k8s/normalise.js';
import { parseYamlStream } from '../k8s/yaml.js';
import type { Finding } from '../model/index.js';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import { evaluatePolicies } from './evaluate.js';
import { parsePolicyDocument } from './schema.js';

const snapshotOf = (text: string) =>
  buildSnapshot(
    parseYamlStream(text).flatMap(
      (document) => normaliseDocument(document.value, { file: 'app.yaml', documentIndex: document.index, defaultNamespace: 'default' }).objects,
    ),
  );

const policy = (spec: Record<string, unknown>, id = 'test-policy'): CompiledPolicy => {
  const parsed = parsePolicyDocument(
    {
      apiVersion: 'kubeward.io/v1',
      kind: 'Policy',
      metadata: { name: id },
      spec: { name: 'Test policy', description: 'd', rationale: 'r', remediation: 'Fix it.', severity: 'HIGH', lifecycleStages: ['DEPLOY'], ...spec },
    },
    `${id}.yaml`,
  );
  assert.ok('policy' in parsed, JSON.stringify(parsed));
  const compiled = compilePolicy(parsed.policy);
  assert.ok('compiled' in compiled, JSON.stringify(compiled));
  return compiled.compiled;
};

const evaluate = (text: string, policies: CompiledPolicy[], now = '2026-06-01T00:00:00Z'): Finding[] =>
  evaluatePolicies(snapshotOf(text), policies, { now: new Date(now), stages: ['BUILD', 'DEPLOY'] }).findings;

const PRIVILEGED = { criteria: [{ conditions: [{ field: 'Privileged Container', values: [true] }] }] };

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {tier: frontend}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: app
          image: registry.example.com/web:1.0
          securityContext: {privileged: true}
        - name: proxy
          image: envoyproxy/envoy:v1.29.1
          securityContext: {privileged: true}
`;

describe('evaluatePolicies', () => {
  it('produces one whole finding per offending container', () => {
    const findings = evaluate(DEPLOYMENT, [policy({ ...PRIVILEGED, categories: ['Privileges'], enforcement: ['DEPLOY'] })]);
    assert.deepEqual(findings[0], {
      policyId: 'test-policy',
      policyName: 'Test policy',
      severity: 'HIGH',
      categories: ['Privileges'],
      object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
      container: 'app',
      message: "container 'app' is privileged",
      remediation: 'Fix it.',
      path: 'spec.template.spec.containers[0].securityContext.privileged',
      source: { file: 'app.yaml', documentIndex: 0, line: 1, column: 1 },
      location: { file: 'app.yaml', line: 1, column: 1 },
      enforcedAt: ['DEPLOY'],
    });
    assert.deepEqual(
      findings.map((finding) => finding.container),
      ['app', 'proxy'],
    );
  });

  it('honours scope, exclusions, their expiry and image-prefix exclusions', () => {
    assert.equal(evaluate(DEPLOYMENT, [policy({ ...PRIVILEGED, scope: [{ namespace: 'payments' }] })]).length, 0);
    assert.equal(evaluate(DEPLOYMENT, [policy({ ...PRIVILEGED, scope: [{ label: { key: 'tier', value: 'front.*' } }] })]).length, 2);
    assert.equal(evaluate(DEPLOYMENT, [policy({ ...PRIVILEGED, exclusions: [{ name: 'web', namespace: 'shop' }] })]).length, 0);
    assert.equal(evaluate(DEPLOYMENT, [policy({ ...PRIVILEGED, exclusions: [{ name: 'web', expires: '2026-01-01' }] })]).length, 2, 'expired exclusion');
    const imageExcluded = evaluate(DEPLOYMENT, [policy({ ...PRIVILEGED, exclusions: [{ image: 'envoyproxy/' }] })]);
    assert.deepEqual(
      imageExcluded.map((finding) => finding.container),
      ['app'],
    );
  });

  it('marks findings ignored by annotation as suppressed, with the reason', () => {
    const annotated = DEPLOYMENT.replace(
      '  labels: {tier: frontend}',
      '  labels: {tier: frontend}\n  annotations: {kubeward.io/ignore: "other, test-policy", kubeward.io/ignore-reason: "vendor agent, JIRA-42"}',
    );
    const findings = evaluate(annotated, [policy(PRIVILEGED)]);
    assert.equal(findings.length, 2);
    assert.deepEqual(findings[0]?.suppressed, { by: 'annotation', reason: 'vendor agent, JIRA-42' });
    assert.equal(evaluate(annotated, [policy(PRIVILEGED, 'another-policy')])[0]?.suppressed, undefined);
  });

  it('matches container conditions on the same container within a section', () => {
    const sameContainer = policy({
      criteria: [
        {
          conditions: [
            { field: 'Privileged Container', values: [true] },
            { field: 'Image Registry', values: ['docker\\.io'] },
          ],
        },
      ],
    });
    assert.deepEqual(
      evaluate(DEPLOYMENT, [sameContainer]).map((finding) => finding.container),
      ['proxy'],
    );
  });

  it('ORs sections and merges their messages for the same container', () => {
    const twoSections = policy({
      criteria: [{ conditions: [{ field: 'Privileged Container', values: [true] }] }, { conditions: [{ field: 'Image Tag', values: ['1\\..*'] }] }],
    });
    const findings = evaluate(DEPLOYMENT, [twoSections]);
    assert.equal(findings.length, 2);
    assert.equal(findings[0]?.message, "container 'app' is privileged; container 'app' runs image 'registry.example.com/web:1.0' (tag 1.0)");
  });

  it('evaluates NOT_IN allow-lists, AND ranges and negation', () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: x}
spec:
  containers:
    - name: c
      image: nginx:1.25
      ports: [{containerPort: 80, hostPort: 8080}, {containerPort: 443, hostPort: 443}]
      securityContext: {capabilities: {add: [CHOWN, NET_ADMIN]}}
`;
    const notIn = evaluate(text, [policy({ criteria: [{ conditions: [{ field: 'Add Capabilities', operator: 'NOT_IN', values: ['CHOWN', 'KILL'] }] }] })]);
    assert.equal(notIn[0]?.message, "container 'c' adds capability NET_ADMIN");
    const range = evaluate(text, [policy({ criteria: [{ conditions: [{ field: 'Host Port', operator: 'AND', values: ['> 0', '<= 1024'] }] }] })]);
    assert.equal(range[0]?.message, "container 'c' maps host port 443 to 443/TCP");
    const negated = evaluate(text, [policy({ criteria: [{ conditions: [{ field: 'Read-Only Root Filesystem', negate: true, values: [true] }] }] })]);
    assert.equal(negated.length, 1);
  });

  it('runs CEL conditions over the manifest and the model', () => {
    const cel = policy({
      criteria: [
        {
          conditions: [
            { cel: "model.pod.containers.exists(c, c.image.registry == 'docker.io') && object.metadata.namespace == 'shop'", message: 'pulls from Docker Hub' },
          ],
        },
      ],
    });
    assert.equal(evaluate(DEPLOYMENT, [cel])[0]?.message, 'pulls from Docker Hub');
    const perContainer = policy({ criteria: [{ conditions: [{ cel: "container.image.remote.startsWith('envoyproxy/')", level: 'container' }] }] });
    assert.deepEqual(
      evaluate(DEPLOYMENT, [perContainer]).map((finding) => finding.container),
      ['proxy'],
    );
  });

  it('judges pods and replica sets through a controller listed in the same input', () => {
    const dump = `${DEPLOYMENT}---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d8f
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: 1, controller: true}]
spec:
  template:
    spec: {containers: [{name: app, image: x, securityContext: {privileged: true}}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: orphan
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: gone, uid: 2, controller: true}]
spec: {containers: [{name: app, image: x, securityContext: {privileged: true}}]}
`;
    const findings = evaluate(dump, [policy(PRIVILEGED)]);
    assert.deepEqual(
      findings.map((finding) => `${finding.object.kind}/${finding.object.name}/${finding.container}`),
      ['Deployment/web/app', 'Deployment/web/proxy', 'Pod/orphan/app'],
    );
  });

  it('checks namespaces, including ones only used by objects', () => {
    const findings = evaluate(`${DEPLOYMENT}---\napiVersion: v1\nkind: Namespace\nmetadata: {name: empty}\n`, [
      policy({ target: 'Namespace', criteria: [{ conditions: [{ field: 'Namespace Has Network Policy', values: [false] }] }] }),
    ]);
    assert.deepEqual(findings.map((finding) => finding.object.name).sort(), ['empty', 'shop']);
  });

  it('skips policies of other lifecycle stages', () => {
    const runtimeOnly = policy({ ...PRIVILEGED, lifecycleStages: ['RUNTIME'] });
    assert.equal(evaluate(DEPLOYMENT, [runtimeOnly]).length, 0);
  });
});

describe('RBAC findings name the bindings', () => {
  const RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: api-reads-secrets, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects:
  - {kind: ServiceAccount, name: api}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-read-secrets}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects:
  - {kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: unused, namespace: shop}
rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [watch]
`;

  it('says which RoleBindings and ClusterRoleBindings grant the role, and when none does', () => {
    const secrets = policy({ target: 'Role', criteria: [{ conditions: [{ field: 'Granted Permission', values: ['get|list|watch secrets'] }] }] });
    const findings = evaluate(RBAC, [secrets]);
    assert.deepEqual(
      findings.map((finding) => [finding.object.kind, finding.object.name, finding.message, finding.path]),
      [
        [
          'ClusterRole',
          'secret-reader',
          "ClusterRole 'secret-reader' grants [get, list] on [secrets]; granted by RoleBinding shop/api-reads-secrets to ServiceAccount shop/api; ClusterRoleBinding ops-read-secrets to Group ops",
          'rules[0]',
        ],
        ['Role', 'unused', "Role 'unused' grants [watch] on [secrets]; no binding in the input grants it", 'rules[0]'],
      ],
    );
  });
});

describe('CEL cost budget', () => {
  it('nested comprehensions over a 19,000-container Pod are not run (estimated cost over the budget); a 3-container one is', () => {
    const nested = policy({
      criteria: [{ conditions: [{ cel: 'object.spec.containers.exists(c, object.spec.containers.exists(d, c.name != d.name && c.image == d.image))' }] }],
    });
    const pod = (count: number): string =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: p${count}, namespace: shop}\nspec:\n  containers:\n${Array.from({ length: count }, (_, index) => `    - {name: c${index}, image: ${index < 2 ? 'same:1' : `img${index}:1`}}`).join('\n')}\n`;
    const small = evaluatePolicies(snapshotOf(pod(3)), [nested], { now: new Date('2026-06-01T00:00:00Z'), stages: ['DEPLOY'] });
    assert.equal(small.findings.length, 1);
    assert.equal(small.stats.celOverBudget, 0);
    const started = performance.now();
    const huge = evaluatePolicies(snapshotOf(pod(19_000)), [nested], { now: new Date('2026-06-01T00:00:00Z'), stages: ['DEPLOY'] });
    assert.ok(performance.now() - started < 2000, `${Math.round(performance.now() - started)} ms`);
    assert.deepEqual([huge.findings.length, huge.stats.celOverBudget, huge.stats.celErrors], [0, 1, 1]);
  });
});
