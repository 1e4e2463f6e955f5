import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSnapshot, normaliseDocument, parseYamlStream } from '../k8s/index.js';
import { diffConnectivity } from './diff.js';
import { computeConnectivity, computeIsolation, type ConnectivityMap } from './engine.js';
import { buildNetworkMap } from './map.js';

/** Two namespaces with labels, and pods named by their labels, as the API documentation's examples use. */
const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod, team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: prod, labels: {app: web, tier: front}}
spec: {containers: [{name: c, image: nginx:1.27, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: prod, labels: {app: api, tier: back}}
spec: {containers: [{name: c, image: api:1, ports: [{name: http, containerPort: 9090}, {name: dns, containerPort: 53, protocol: UDP}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: prod, labels: {app: db}}
spec: {containers: [{name: c, image: postgres:16, ports: [{containerPort: 5432}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: tool, namespace: dev, labels: {app: tool}}
spec: {containers: [{name: c, image: busybox:1.36}]}
`;

const snapshotOf = (policies: string) =>
  buildSnapshot(
    parseYamlStream(`${CLUSTER}\n---\n${policies}`).flatMap((document, index) =>
      document.value ? normaliseDocument(document.value, { file: 'case.yaml', documentIndex: index, defaultNamespace: 'default' }).objects : [],
    ),
  );
const mapOf = (policies: string): ConnectivityMap => computeConnectivity(snapshotOf(policies));

const short = (id: string): string => (id.startsWith('external:') ? id : (id.split('/').pop() as string));
/** `web->api TCP 9090` lines, sorted; pairs of a pod with itself are left out for brevity. */
const edges = (map: ConnectivityMap): string[] =>
  map.connections
    .filter((connection) => connection.from !== connection.to)
    .map((connection) => `${short(connection.from)}->${short(connection.to)} ${connection.ports.toString()}`)
    .sort();

const everyone = ['web', 'api', 'db', 'tool'];
const allPairs = (except: (from: string, to: string) => boolean = () => false): string[] =>
  everyone.flatMap((from) => everyone.filter((to) => to !== from && !except(from, to)).map((to) => `${from}->${to} all ports`)).sort();

const policy = (name: string, namespace: string, spec: string): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: ${spec}\n---\n`;

describe('NetworkPolicy semantics (networking.k8s.io/v1), case by case from the API documentation', () => {
  const cases: { name: string; policies: string; expected: string[] }[] = [
    { name: 'no policy: every pod is open both ways', policies: '', expected: allPairs() },
    {
      name: 'default deny ingress in prod: nothing reaches prod pods, their egress stays open',
      policies: policy('deny', 'prod', '{podSelector: {}, policyTypes: [Ingress]}'),
      expected: ['web->tool all ports', 'api->tool all ports', 'db->tool all ports'].sort(),
    },
    {
      name: 'policyTypes omitted with egress rules: Ingress is implied too, so ingress is denied',
      policies: policy('egress-only', 'prod', '{podSelector: {matchLabels: {app: db}}, egress: [{to: [{podSelector: {matchLabels: {app: api}}}]}]}'),
      expected: allPairs((from, to) => to === 'db' || (from === 'db' && to !== 'api')),
    },
    {
      name: 'policyTypes omitted with `egress: []`: no egress rules, so only Ingress is implied',
      policies: policy('empty-egress', 'prod', '{podSelector: {matchLabels: {app: db}}, ingress: [{}], egress: []}'),
      expected: allPairs(),
    },
    {
      name: "podSelector alone means the policy's own namespace",
      policies: policy('from-web', 'prod', '{podSelector: {matchLabels: {app: api}}, ingress: [{from: [{podSelector: {}}]}]}'),
      expected: allPairs((from, to) => to === 'api' && from === 'tool'),
    },
    {
      name: 'namespaceSelector and podSelector in ONE peer: both must match (AND)',
      policies: policy(
        'and',
        'prod',
        '{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}, podSelector: {matchLabels: {app: web}}}]}]}',
      ),
      expected: allPairs((_from, to) => to === 'db'),
    },
    {
      name: 'namespaceSelector and podSelector as TWO peers: either may match (OR)',
      policies: policy(
        'or',
        'prod',
        '{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}}, {podSelector: {matchLabels: {app: web}}}]}]}',
      ),
      expected: allPairs((from, to) => to === 'db' && from === 'api'),
    },
    {
      name: 'an empty namespaceSelector selects every namespace',
      policies: policy('all-ns', 'prod', '{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {}}]}]}'),
      expected: allPairs(),
    },
    {
      name: 'the kubernetes.io/metadata.name label every namespace carries',
      policies: policy(
        'by-name',
        'prod',
        '{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: dev}}}]}]}',
      ),
      expected: allPairs((from, to) => to === 'db' && from !== 'tool'),
    },
    {
      name: 'matchExpressions: In, NotIn, Exists, DoesNotExist',
      policies: policy(
        'expressions',
        'prod',
        '{podSelector: {matchExpressions: [{key: tier, operator: Exists}]}, ingress: [{from: [{podSelector: {matchExpressions: [{key: app, operator: In, values: [web, db]}, {key: tier, operator: NotIn, values: [back]}]}}, {podSelector: {matchExpressions: [{key: tier, operator: DoesNotExist}]}}]}]}',
      ),
      // web (tier front) and api (tier back) are selected; web and db may reach them, api and tool may not.
      expected: allPairs((from, to) => (to === 'web' || to === 'api') && (from === 'api' || from === 'tool')),
    },
    {
      name: 'ports: a number, an endPort range and a protocol',
      policies: policy(
        'ports',
        'prod',
        '{podSelector: {matchLabels: {app: api}}, ingress: [{ports: [{port: 9090}, {port: 30000, endPort: 30100}, {protocol: UDP, port: 53}, {protocol: SCTP}]}]}',
      ),
      expected: allPairs((_from, to) => to === 'api')
        .concat([
          'web->api TCP 9090, 30000-30100; UDP 53; SCTP all',
          'db->api TCP 9090, 30000-30100; UDP 53; SCTP all',
          'tool->api TCP 9090, 30000-30100; UDP 53; SCTP all',
        ])
        .sort(),
    },
    {
      name: "a named port means each destination pod's own number",
      policies: policy('named', 'prod', '{podSelector: {matchLabels: {app: db}}, policyTypes: [Egress], egress: [{ports: [{port: http}]}]}'),
      expected: allPairs((from) => from === 'db')
        .concat(['db->web TCP 8080', 'db->api TCP 9090'])
        .sort(),
    },
    {
      name: 'policies add up: two policies selecting one pod allow the union',
      policies:
        policy('one', 'prod', '{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 5432}]}]}') +
        policy('two', 'prod', '{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 9187}]}]}'),
      expected: allPairs((_from, to) => to === 'db')
        .concat(['api->db TCP 5432', 'web->db TCP 9187'])
        .sort(),
    },
    {
      name: 'a connection needs both: egress of the source and ingress of the destination',
      policies:
        policy(
          'api-egress',
          'prod',
          '{podSelector: {matchLabels: {app: api}}, policyTypes: [Egress], egress: [{to: [{podSelector: {matchLabels: {app: db}}}], ports: [{port: 5432}, {port: 6379}]}]}',
        ) + policy('db-ingress', 'prod', '{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {}}], ports: [{port: 5432}]}]}'),
      expected: allPairs((from, to) => from === 'api' || to === 'db')
        .concat(['api->db TCP 5432', 'web->db TCP 5432'])
        .sort(),
    },
    {
      name: 'ipBlock peers are addresses, never pods (pod IPs are unknown to manifests)',
      policies: policy('cidr', 'prod', '{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}'),
      expected: allPairs((_from, to) => to === 'db'),
    },
  ];
  for (const { name, policies, expected } of cases) it(name, () => assert.deepEqual(edges(mapOf(policies)), expected));
  it('computeIsolation (what risk ranking uses, without the pairwise map) agrees with the full map on every case', () => {
    for (const { name, policies } of cases) {
      const snapshot = snapshotOf(policies);
      assert.deepEqual(computeIsolation(snapshot), computeConnectivity(snapshot).isolation, name);
    }
  });

  it("external addresses: ipBlock minus except, with the rule's ports", () => {
    const map = mapOf(
      policy(
        'egress',
        'prod',
        '{podSelector: {matchLabels: {app: api}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}], ports: [{port: 443}, {port: http}]}]}',
      ),
    );
    const grants = map.external.filter((grant) => grant.workload === 'prod/Pod/api' && grant.direction === 'egress');
    assert.deepEqual(
      grants.map((grant) => `${grant.addresses.toString()} ${grant.ports.toString()}`),
      ['10.0.0.0/16, 10.2.0.0/15, 10.4.0.0/14, 10.8.0.0/13, 10.16.0.0/12, 10.32.0.0/11, 10.64.0.0/10, 10.128.0.0/9 TCP 443'],
    );
    const open = map.external.filter((grant) => grant.workload === 'prod/Pod/web');
    assert.deepEqual(
      open.map((grant) => `${grant.direction} ${grant.addresses.toString()} ${grant.ports.toString()}`),
      ['ingress 0.0.0.0/0; ::/0 all ports', 'egress 0.0.0.0/0; ::/0 all ports'],
    );
  });

  it('isolation per workload and direction, with the policies that select it', () => {
    const map = mapOf(policy('deny', 'prod', '{podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress, Egress]}'));
    assert.deepEqual(
      map.isolation.find((entry) => entry.workload === 'prod/Pod/db'),
      { workload: 'prod/Pod/db', ingress: true, egress: true, policies: ['prod/deny'] },
    );
    assert.deepEqual(
      map.isolation.find((entry) => entry.workload === 'prod/Pod/web'),
      { workload: 'prod/Pod/web', ingress: false, egress: false, policies: [] },
    );
  });

  it('Cilium and Calico policies count as isolation (namespace labels included), their rules reported as not analysed', () => {
    const cni = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: db-lockdown, namespace: prod}
spec:
  endpointSelector: {matchLabels: {"k8s:app": db}}
  ingress: [{fromEndpoints: [{matchLabels: {app: api}}]}]
  egress: [{}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: shop-ingress}
spec:
  selector: pcns.team == 'shop' && tier == 'front'
  types: [Ingress]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: dev-egress, namespace: dev}
spec:
  selector: all()
  egress: [{action: Deny, destination: {nets: [169.254.169.254/32]}}]`;
    const snapshot = snapshotOf(cni);
    const map = computeConnectivity(snapshot);
    const entries = (isolation: ConnectivityMap['isolation']) =>
      Object.fromEntries(isolation.map((entry) => [entry.workload, `${entry.ingress ? 'I' : '-'}${entry.egress ? 'E' : '-'} ${entry.policies.join(', ')}`]));
    assert.deepEqual(entries(map.isolation), {
      'prod/Pod/web': 'I- GlobalNetworkPolicy shop-ingress',
      'prod/Pod/api': '-- ',
      'prod/Pod/db': 'IE CiliumNetworkPolicy prod/db-lockdown',
      'dev/Pod/tool': '-E NetworkPolicy dev/dev-egress',
    });
    assert.deepEqual(computeIsolation(snapshot), map.isolation);
    assert.deepEqual(snapshot.networkPolicies, [], 'the Calico NetworkPolicy is not read as a Kubernetes one');
    assert.deepEqual(
      map.problems.map((problem) => `${problem.policy}: ${problem.message}`),
      [
        'CiliumNetworkPolicy prod/db-lockdown: isolates 1 workload; Cilium rules are not analysed, so connections shown to and from it are what NetworkPolicies alone allow (Cilium may allow less)',
        'GlobalNetworkPolicy shop-ingress: isolates 1 workload; Calico rules are not analysed, so connections shown to and from it are what NetworkPolicies alone allow (Calico may allow less)',
        'NetworkPolicy dev/dev-egress: isolates 1 workload; Calico rules are not analysed, so connections shown to and from it are what NetworkPolicies alone allow (Calico may allow less)',
      ],
    );
  });

  it('selectors the API server rejects are named with their field', () => {
    const map = mapOf(
      policy(
        'bad-selector',
        'prod',
        '{podSelector: {matchExpressions: [{key: app, operator: Equals, values: [db]}]}, ingress: [{from: [{podSelector: {matchExpressions: [{key: tier, operator: In}, {key: app, operator: Exists, values: [x]}]}}]}]}',
      ),
    );
    assert.deepEqual(
      map.problems.map((problem) => `${problem.path}: ${problem.message}`),
      [
        'spec.podSelector.matchExpressions[0]: operator "Equals" is not In, NotIn, Exists or DoesNotExist; the expression is ignored',
        'spec.ingress[0].from[0].podSelector.matchExpressions[0]: In needs values; the API server rejects this selector',
        'spec.ingress[0].from[0].podSelector.matchExpressions[1]: Exists takes no values; the API server rejects this selector',
      ],
    );
  });

  it('bad input is reported with policy and field, and the rest is still analysed', () => {
    const map = mapOf(
      policy(
        'bad-cidr',
        'prod',
        '{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.300/8}}, {podSelector: {matchLabels: {app: api}}}]}]}',
      ) + policy('bad-port', 'prod', '{podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: 70000}, {port: metrics}, {port: 8080}]}]}'),
    );
    assert.deepEqual(
      map.problems.map((problem) => `${problem.policy} ${problem.path}: ${problem.message}`),
      [
        'prod/bad-cidr spec.ingress[0].from[0].ipBlock: "10.0.0.300/8": "10.0.0.300" is not an IPv4 address; this peer is ignored',
        'prod/bad-port spec.ingress[0].ports: port 70000 is out of range 1-65535; ignored',
        'prod/bad-port spec.ingress[0].ports: named port "metrics" (TCP) is declared by no container; the rule allows nothing on it',
      ],
    );
    assert.ok(edges(map).includes('api->db all ports'), 'the valid peer still counts');
    assert.ok(edges(map).includes('db->web TCP 8080'), 'the valid port still counts');
  });
});

describe('connectivity diff', () => {
  it('names connections added, removed and changed, with the ports that open and close', () => {
    const before = snapshotOf(
      policy('db', 'prod', '{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 5432}]}]}'),
    );
    const after = snapshotOf(
      policy(
        'db',
        'prod',
        '{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: api}}}, {podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}, {port: 9187}]}]}',
      ) + policy('web', 'prod', '{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}'),
    );
    const lines = diffConnectivity(before, after).changes.map(
      (change) => `${change.change} ${short(change.from)}->${short(change.to)} +${change.opened.toString()} -${change.closed.toString()}`,
    );
    // The bare Pod web is one pod: it has no self edge to lose.
    assert.deepEqual(
      lines.sort(),
      [
        'added prod/Pod/web->db +TCP 5432, 9187 -none'.replace('prod/Pod/', ''),
        'changed api->db +TCP 9187 -none',
        'removed api->web +none -all ports',
        'removed db->web +none -all ports',
        'removed tool->web +none -all ports',
        'removed external:0.0.0.0/0; ::/0->web +none -all ports',
      ].sort(),
    );
  });
});

const anp = (name: string, spec: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: ${name}}\nspec: ${spec}\n---\n`;
const banp = (spec: string, name = 'default'): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: ${name}}\nspec: ${spec}\n---\n`;
const PROD = '{namespaces: {matchLabels: {kubernetes.io/metadata.name: prod}}}';
const DEV = '{namespaces: {matchLabels: {kubernetes.io/metadata.name: dev}}}';
const DB = '{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: prod}}, podSelector: {matchLabels: {app: db}}}}';
const WEB = '{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: prod}}, podSelector: {matchLabels: {app: web}}}}';

describe('AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io), with their precedence', () => {
  const cases: { name: string; policies: string; expected: string[] }[] = [
    {
      name: 'an admin Deny wins over a NetworkPolicy that allows',
      policies:
        anp('no-dev', `{priority: 10, subject: ${PROD}, ingress: [{name: deny-dev, action: Deny, from: [${DEV}]}]}`) +
        policy('allow-all', 'prod', '{podSelector: {}, ingress: [{}]}'),
      expected: allPairs((from, to) => from === 'tool' && to !== 'tool'),
    },
    {
      name: 'an admin Allow wins over a NetworkPolicy default deny, on its ports only',
      policies:
        anp('web-db', `{priority: 10, subject: ${DB}, ingress: [{action: Allow, from: [${WEB}], ports: [{portNumber: {protocol: TCP, port: 5432}}]}]}`) +
        policy('deny', 'prod', '{podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress]}'),
      expected: allPairs((_from, to) => to === 'db')
        .concat(['web->db TCP 5432'])
        .sort(),
    },
    {
      name: 'Pass hands a decision over to NetworkPolicies, skipping lower-priority admin rules',
      policies:
        anp('a-pass', `{priority: 1, subject: ${DB}, ingress: [{action: Pass, from: [${PROD}]}]}`) +
        anp('b-deny', `{priority: 2, subject: ${DB}, ingress: [{action: Deny, from: [{namespaces: {}}]}]}`),
      expected: allPairs((from, to) => to === 'db' && from === 'tool'),
    },
    {
      name: 'lower priority numbers come first',
      policies:
        anp('late-allow', `{priority: 50, subject: ${DB}, ingress: [{action: Allow, from: [${WEB}]}]}`) +
        anp('early-deny', `{priority: 5, subject: ${DB}, ingress: [{action: Deny, from: [${WEB}]}]}`),
      expected: allPairs((from, to) => from === 'web' && to === 'db'),
    },
    {
      name: 'the baseline applies only where no NetworkPolicy isolates the pod',
      policies:
        banp(`{subject: ${PROD}, ingress: [{action: Deny, from: [${DEV}]}]}`) +
        policy('db-open', 'prod', '{podSelector: {matchLabels: {app: db}}, ingress: [{}]}'),
      expected: allPairs((from, to) => from === 'tool' && (to === 'web' || to === 'api')),
    },
    {
      name: 'egress rules and named ports, resolved on the destination pod',
      policies: anp(
        'egress',
        `{priority: 10, subject: ${DEV}, egress: [{action: Allow, to: [${PROD}], ports: [{namedPort: http}]}, {action: Deny, to: [{namespaces: {}}]}]}`,
      ),
      expected: allPairs((from) => from === 'tool')
        .concat(['tool->web TCP 8080', 'tool->api TCP 9090'])
        .sort(),
    },
  ];
  for (const { name, policies, expected } of cases) it(name, () => assert.deepEqual(edges(mapOf(policies)), expected));

  it('egress to networks: admin Deny and Allow, then NetworkPolicies, then the baseline, range by range', () => {
    const map = mapOf(
      anp('no-internal', `{priority: 10, subject: ${DEV}, egress: [{action: Deny, to: [{networks: [10.0.0.0/8]}]}]}`) +
        anp(
          'psp',
          `{priority: 20, subject: ${DB}, egress: [{action: Allow, to: [{networks: [203.0.113.0/24]}], ports: [{portNumber: {protocol: TCP, port: 443}}]}]}`,
        ) +
        banp(`{subject: ${PROD}, egress: [{action: Deny, to: [{networks: [169.254.169.254/32]}]}]}`) +
        policy(
          'db-egress',
          'prod',
          '{podSelector: {matchLabels: {app: db}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 169.254.169.254/32}}], ports: [{port: 80}]}]}',
        ),
    );
    const egress = (workload: string): string[] =>
      map.external
        .filter((grant) => grant.workload === workload && grant.direction === 'egress')
        .map((grant) => `${grant.addresses.toString()} ${grant.ports.toString()}`)
        .sort();
    assert.deepEqual(egress('dev/Pod/tool'), ['0.0.0.0/0 except 10.0.0.0/8; ::/0 all ports']);
    assert.deepEqual(
      egress('prod/Pod/db'),
      ['169.254.169.254/32 TCP 80', '203.0.113.0/24 TCP 443'],
      'isolated by its NetworkPolicy: the baseline does not apply',
    );
    assert.deepEqual(egress('prod/Pod/web'), ['0.0.0.0/0 except 169.254.169.254/32; ::/0 all ports'], 'not isolated: the baseline denies the metadata address');
  });

  it('CIDRs with host bits set are masked as the API server reads them, with a warning: an admin Deny still denies', () => {
    const map = mapOf(
      anp('no-dns-out', `{priority: 5, subject: ${PROD}, egress: [{action: Deny, to: [{networks: [8.8.8.9/24, ff06::/3]}]}]}`) +
        policy(
          'db-out',
          'prod',
          '{podSelector: {matchLabels: {app: db}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.1.2.3/8, except: [10.9.9.9/16]}}]}]}',
        ),
    );
    const egress = (workload: string): string[] =>
      map.external
        .filter((grant) => grant.workload === workload && grant.direction === 'egress')
        .map((grant) => `${grant.addresses.toString()} ${grant.ports.toString()}`)
        .sort();
    assert.deepEqual(egress('prod/Pod/web'), ['0.0.0.0/0 except 8.8.8.0/24; ::/0 except e000::/3 all ports'], 'the Deny applies to the masked networks');
    assert.deepEqual(
      egress('prod/Pod/db'),
      ['10.0.0.0/13, 10.8.0.0/16, 10.10.0.0/15, 10.12.0.0/14, 10.16.0.0/12, 10.32.0.0/11, 10.64.0.0/10, 10.128.0.0/9 all ports'],
      '10.0.0.0/8 except 10.9.0.0/16',
    );
    assert.deepEqual(
      map.problems.map((problem) => `${problem.policy} ${problem.path}: ${problem.message}`),
      [
        'prod/db-out spec.egress[0].to[0].ipBlock.cidr: 10.1.2.3/8 has host bits set; read as 10.0.0.0/8, as the API server reads it',
        'prod/db-out spec.egress[0].to[0].ipBlock.except[0]: 10.9.9.9/16 has host bits set; read as 10.9.0.0/16, as the API server reads it',
        "AdminNetworkPolicy/no-dns-out spec.egress[0].to[0].networks: 8.8.8.9/24 has host bits set; read as 8.8.8.0/24, as the API server (Go's net.ParseCIDR) reads it",
        "AdminNetworkPolicy/no-dns-out spec.egress[0].to[0].networks: ff06::/3 has host bits set; read as e000::/3, as the API server (Go's net.ParseCIDR) reads it",
      ],
    );
  });

  it('reports admin policies the API server would refuse, and keeps analysing', () => {
    const map = mapOf(
      banp(`{subject: ${PROD}, ingress: [{action: Deny, from: [${DEV}]}]}`, 'not-default') +
        anp('too-high', `{priority: 2000, subject: ${PROD}, ingress: [{action: Deny, from: [${DEV}]}]}`) +
        anp('bad-action', `{priority: 1, subject: ${PROD}, ingress: [{action: Pass, from: [${DEV}]}, {action: Drop, from: [${DEV}]}]}`),
    );
    assert.deepEqual(
      map.problems.map((problem) => `${problem.policy} ${problem.path}: ${problem.message}`),
      [
        'BaselineAdminNetworkPolicy/not-default metadata.name: a BaselineAdminNetworkPolicy must be named "default" (the API server rejects others); ignored',
        'AdminNetworkPolicy/too-high spec.priority: priority must be a whole number from 0 to 1000; ignored',
        'AdminNetworkPolicy/bad-action spec.ingress[1].action: action must be Allow, Deny or Pass (got "Drop"); rule ignored',
      ],
    );
    assert.deepEqual(edges(map), allPairs());
  });
});

describe('exposure', () => {
  it('OpenShift Routes expose the Services they send to, as Ingresses do (alternate backends included)', () => {
    const snapshot = snapshotOf(`apiVersion: v1
kind: Service
metadata: {name: web, namespace: prod}
spec: {selector: {app: web}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: prod}
spec: {selector: {app: api}, ports: [{port: 9090}]}
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: shop, namespace: prod}
spec:
  host: shop.apps.example.com
  to: {kind: Service, name: web, weight: 100}
  alternateBackends: [{kind: Service, name: api, weight: 0}]
  tls: {termination: edge}`);
    assert.deepEqual(buildNetworkMap(snapshot).summary.exposed, [
      { workload: 'prod/Pod/web', via: 'Route shop (shop.apps.example.com) → Service web' },
      { workload: 'prod/Pod/api', via: 'Route shop (shop.apps.example.com) → Service api' },
    ]);
  });
});

describe('huge maps', () => {
  it('the text report of 160,000 connections renders', async () => {
    const { NETWORK_MAP_RENDERERS } = await import('../report/network/index.js');
    const map = buildNetworkMap(snapshotOf(''));
    const [connection] = map.connections;
    assert.ok(connection);
    const connections = Array.from({ length: 160_000 }, (_, index) => ({ ...connection, from: `ns/Deployment/app-${index}` }));
    const text = NETWORK_MAP_RENDERERS.txt.render({ ...map, connections });
    assert.ok(text.split('\n').length > 160_000);
  });
});
