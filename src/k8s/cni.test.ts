import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calicoSelectorMatches } from '../model/index.js';
import { parseCalicoSelector, readCniPolicy } from './cni.js';

describe('Calico selectors', () => {
  const labels = { app: 'web', tier: 'frontend', 'projectcalico.org/namespace': 'shop', version: 'v2.1' };
  const cases: [string, boolean][] = [
    ['', true],
    ['all()', true],
    ['global()', false],
    ["app == 'web'", true],
    ['app == "db"', false],
    ["app != 'db'", true],
    ["missing != 'x'", true],
    ['has(tier)', true],
    ['!has(tier)', false],
    ['!has(canary)', true],
    ["tier in {'frontend', 'backend'}", true],
    ["tier not in {'frontend'}", false],
    ["missing not in {'a'}", true],
    ["missing in {'a'}", false],
    ["version starts with 'v2'", true],
    ["version ends with '.1'", true],
    ["version contains '2.'", true],
    ["missing contains 'x'", false],
    ["app == 'web' && tier == 'backend' || projectcalico.org/namespace == 'shop'", true],
    ["app == 'web' && (tier == 'backend' || has(canary))", false],
    ["!(app == 'db')", true],
    ["app=='web'&&has(tier)", true],
    ['index == "1"', false],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${expected}`, () => assert.equal(calicoSelectorMatches(parseCalicoSelector(text), labels), expected));
  }

  it('refuses what Calico refuses, saying where', () => {
    assert.throws(() => parseCalicoSelector("app = 'web'"), /expected an operator after app at character 5/);
    assert.throws(() => parseCalicoSelector("app == 'web"), /unterminated string/);
    assert.throws(() => parseCalicoSelector("app == 'web' &&"), /expected a label key/);
    assert.throws(() => parseCalicoSelector("app in {'a'"), /expected }/);
  });
});

describe('Cilium and Calico policies as isolation rules', () => {
  it('reads Cilium sections, specs, host policies and enableDefaultDeny', () => {
    const policy = readCniPolicy('CiliumClusterwideNetworkPolicy', 'cilium.io/v2', {
      specs: [
        { nodeSelector: { matchLabels: { role: 'edge' } }, ingress: [{ fromEntities: ['cluster'] }] },
        { endpointSelector: { matchLabels: { 'k8s:app': 'web', 'any:tier': 'front' } }, ingressDeny: [{ fromEntities: ['world'] }] },
        { endpointSelector: {}, enableDefaultDeny: { egress: false }, egress: [{ toEntities: ['world'] }] },
        { endpointSelector: {}, ingress: [] },
      ],
    });
    assert.deepEqual(policy, {
      provider: 'Cilium',
      clusterWide: true,
      rules: [
        { path: 'specs[0]', ingress: true, egress: false },
        {
          path: 'specs[1]',
          pods: { dialect: 'label-selector', selector: { matchLabels: { app: 'web', tier: 'front' }, matchExpressions: [] } },
          ingress: true,
          egress: false,
        },
        { path: 'specs[2]', pods: { dialect: 'label-selector', selector: { matchLabels: {}, matchExpressions: [] } }, ingress: false, egress: false },
        { path: 'specs[3]', pods: { dialect: 'label-selector', selector: { matchLabels: {}, matchExpressions: [] } }, ingress: false, egress: false },
      ],
      problems: [],
    });
  });

  it('tells Calico policies from Kubernetes NetworkPolicies by their API group, and reports selectors it cannot read', () => {
    assert.equal(readCniPolicy('NetworkPolicy', 'networking.k8s.io/v1', { spec: { podSelector: {} } }), undefined);
    const broken = readCniPolicy('NetworkPolicy', 'projectcalico.org/v3', { spec: { selector: "app = 'web'", types: ['Ingress'] } });
    assert.deepEqual(broken?.rules, [{ path: 'spec', ingress: true, egress: false }]);
    assert.match(broken?.problems[0]?.message ?? '', /expected an operator after app .*; the policy is taken to select no pod/);
    const inferred = readCniPolicy('GlobalNetworkPolicy', 'crd.projectcalico.org/v1', {
      spec: { ingress: [{ action: 'Allow' }], egress: [{ action: 'Deny' }] },
    });
    assert.deepEqual(inferred?.rules[0], { path: 'spec', pods: { dialect: 'calico', selector: { op: 'all' } }, ingress: true, egress: true });
  });
});
