import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { builtInPolicyDirectory, loadPolicyPath } from '../policy/files/index.js';
import { selectPolicies, type CompiledPolicy } from '../policy/index.js';
import { BREAK_GLASS_ANNOTATION, enforceAtDeploy, invalidReview, reviewAdmission, type AdmissionRequest, type AdmissionSettings } from './review.js';

const NOW = new Date('2026-11-29T00:00:00Z');

/** A Deployment as `kubectl apply` sends it (last-applied annotation, defaults the API server filled in). */
const deployment = (name: string, podSpec: Record<string, unknown>, annotations: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name,
    namespace: 'shop',
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', ...annotations },
    generation: 1,
    uid: '2f7c1a9e-8d61-4d38-9b55-3c8c2b1f6a10',
  },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    strategy: { type: 'RollingUpdate' },
    template: {
      metadata: { labels: { app: name } },
      spec: { restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', ...podSpec },
    },
  },
});

/** The AdmissionReview request the API server sends for `kubectl apply` (admission.k8s.io/v1). */
const request = (object: Record<string, unknown>, overrides: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  uid: 'b5f0c6a2-9a4e-4d4e-8f3e-2b6f3a1c9d01',
  kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
  resource: { group: 'apps', version: 'v1', resource: 'deployments' },
  name: String((object.metadata as { name: string }).name),
  namespace: 'shop',
  operation: 'CREATE',
  userInfo: { username: 'alice@example.com', groups: ['developers', 'system:authenticated'] },
  object,
  dryRun: false,
  ...overrides,
});

const PRIVILEGED = deployment('web', { containers: [{ name: 'web', image: 'registry.example.com/shop/web:1.4', securityContext: { privileged: true } }] });
const HARDENED = deployment('api', {
  automountServiceAccountToken: false,
  securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [
    {
      name: 'api',
      image: 'registry.example.com/shop/api@sha256:4f2b3c1d8e9a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c',
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
      livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
      readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    },
  ],
});

describe('admission decisions over AdmissionReview v1 requests', () => {
  let settings: AdmissionSettings;
  before(async () => {
    const { policies } = await loadPolicyPath(builtInPolicyDirectory(), process.cwd());
    const deploy = selectPolicies(policies, [], { enable: [], disable: [], only: [] }, 'test').active.filter(
      (compiled: CompiledPolicy) => compiled.policy.lifecycleStages.includes('DEPLOY') && !compiled.crossObject,
    );
    settings = {
      policies: enforceAtDeploy(deploy, ['privileged-container', 'host-*']).policies,
      excludedNamespaces: ['kube-system'],
      excludedUsers: ['system:serviceaccount:kube-system:*'],
      breakGlass: true,
    };
  });

  it('denies a privileged Deployment, naming the policy and its fix, with the other findings as warnings', () => {
    const decision = reviewAdmission(request(PRIVILEGED), settings, NOW);
    assert.equal(decision.outcome, 'denied');
    assert.equal(decision.response.allowed, false);
    assert.equal(decision.response.uid, 'b5f0c6a2-9a4e-4d4e-8f3e-2b6f3a1c9d01');
    assert.equal(decision.response.status?.code, 403);
    assert.equal(
      decision.response.status?.message,
      `kubeward denied Deployment shop/web: 1 enforced policy violated\n- [privileged-container] Privileged container: container 'web' is privileged. Fix: Remove \`securityContext.privileged: true\`; grant the specific capabilities the container needs instead.\n(emergency: annotate ${BREAK_GLASS_ANNOTATION}: "<reason>"; the deploy is then recorded)`,
    );
    assert.ok(decision.response.warnings?.some((warning) => warning.startsWith('kubeward: [run-as-non-root]')));
    assert.ok(decision.response.warnings?.every((warning) => warning.length <= 240));
  });

  it('admits a hardened Deployment without a warning', () => {
    const decision = reviewAdmission(request(HARDENED), settings, NOW);
    assert.deepEqual(decision.response, { uid: 'b5f0c6a2-9a4e-4d4e-8f3e-2b6f3a1c9d01', allowed: true });
    assert.equal(decision.outcome, 'allowed');
  });

  it('lets a break-glass Deployment through with warnings, and the decision carries the findings to record', () => {
    const glass = deployment('web', (PRIVILEGED.spec.template as { spec: Record<string, unknown> }).spec, { [BREAK_GLASS_ANNOTATION]: 'INC-4711 hotfix' });
    const decision = reviewAdmission(request(glass), settings, NOW);
    assert.equal(decision.outcome, 'break-glass');
    assert.equal(decision.response.allowed, true);
    assert.equal(decision.reason, 'INC-4711 hotfix');
    assert.deepEqual(
      decision.enforced.map((finding) => finding.policyId),
      ['privileged-container'],
    );
    assert.match(
      decision.response.warnings?.[0] ?? '',
      /^kubeward: break-glass \(admission\.kubeward\.io\/break-glass\) let 1 enforced violation\(s\) through/,
    );
    assert.equal(reviewAdmission(request(glass), { ...settings, breakGlass: false }, NOW).outcome, 'denied', '--no-break-glass');
  });

  it('judges a dry run the same, and says it was one', () => {
    const decision = reviewAdmission(request(PRIVILEGED, { dryRun: true }), settings, NOW);
    assert.equal(decision.outcome, 'denied');
    assert.equal(decision.dryRun, true);
  });

  it('an ignore annotation silences warnings but cannot switch enforcement off', () => {
    const ignored = deployment('web', (PRIVILEGED.spec.template as { spec: Record<string, unknown> }).spec, { 'kubeward.io/ignore': '*' });
    const decision = reviewAdmission(request(ignored), settings, NOW);
    assert.equal(decision.outcome, 'denied');
    assert.equal(decision.response.warnings, undefined);
  });

  it('checks a bare Pod (hostNetwork enforced through a glob), and an UPDATE', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug', namespace: 'shop' },
      spec: { hostNetwork: true, containers: [{ name: 'sh', image: 'busybox:1.36' }] },
    };
    const decision = reviewAdmission(
      request(pod, { kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' }, operation: 'UPDATE' }),
      settings,
      NOW,
    );
    assert.equal(decision.outcome, 'denied');
    assert.match(decision.response.status?.message ?? '', /\[host-network\]/);
  });

  const skipped: [string, Partial<AdmissionRequest>, RegExp][] = [
    ['a DELETE', { operation: 'DELETE' }, /operation DELETE is not checked/],
    ['the scale subresource', { subResource: 'scale', operation: 'UPDATE' }, /subresource scale/],
    ['an excluded namespace', { namespace: 'kube-system' }, /namespace kube-system is excluded/],
    [
      'a controller in kube-system',
      { userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' } },
      /user system:serviceaccount:kube-system:replicaset-controller is excluded/,
    ],
    ['a kind that is no workload', { kind: { group: '', version: 'v1', kind: 'ConfigMap' } }, /kind ConfigMap is not a workload/],
  ];
  for (const [name, overrides, reason] of skipped) {
    it(`lets ${name} through unchecked`, () => {
      const decision = reviewAdmission(request(PRIVILEGED, overrides), settings, NOW);
      assert.equal(decision.outcome, 'skipped');
      assert.equal(decision.response.allowed, true);
      assert.match(decision.reason ?? '', reason);
    });
  }

  it('malformed reviews are named, for a 400', async () => {
    assert.equal(
      invalidReview(JSON.parse(await readFile(new URL('../../../test/fixtures/admission/v1beta1-review.json', import.meta.url), 'utf8'))),
      'expected an admission.k8s.io/v1 AdmissionReview, got "admission.k8s.io/v1beta1" "AdmissionReview"',
    );
    assert.equal(invalidReview([]), 'the body is not a JSON object');
    assert.equal(
      invalidReview({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { kind: { kind: 'Pod' }, operation: 'CREATE' } }),
      'request.uid is missing',
    );
    assert.equal(
      invalidReview({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'x', kind: { kind: 'Pod' }, operation: 'CREATE' } }),
      undefined,
    );
  });

  it('--enforce names what matches nothing, and what has no DEPLOY stage', () => {
    const { unmatched } = enforceAtDeploy(settings.policies, ['privileged-container', 'no-such-policy']);
    assert.deepEqual(unmatched, ['no-such-policy']);
  });
});
