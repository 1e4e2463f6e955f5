import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSnapshot, normaliseDocument, parseYamlStream } from '../k8s/index.js';
import type { Protocol } from '../model/index.js';
import { computeConnectivity } from './engine.js';

/**
 * The scenarios of the upstream Kubernetes NetworkPolicy end-to-end suite
 * (kubernetes/kubernetes test/e2e/network/netpol/network_policy.go), re-expressed as inputs and
 * truth tables: namespaces x, y and z, pods a, b and c in each (labelled `pod: <name>`), serving
 * TCP and UDP on ports 80 and 81 (named `serve-80-tcp` and so on). As upstream, a pod's traffic
 * to itself is not judged.
 */
const PODS = ['x/a', 'x/b', 'x/c', 'y/a', 'y/b', 'y/c', 'z/a', 'z/b', 'z/c'];

const CLUSTER = [
  ...['x', 'y', 'z'].map((namespace) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${namespace}}`),
  ...PODS.map((pod) => {
    const [namespace, name] = pod.split('/') as [string, string];
    const ports = [80, 81]
      .flatMap((port) => ['TCP', 'UDP'].map((protocol) => `{name: serve-${port}-${protocol.toLowerCase()}, containerPort: ${port}, protocol: ${protocol}}`))
      .join(', ');
    return `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${namespace}, labels: {pod: ${name}}}\nspec: {containers: [{name: server, image: agnhost:2.53, ports: [${ports}]}]}`;
  }),
].join('\n---\n');

const policy = (name: string, namespace: string, spec: string): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: ${spec}`;

/** `from -> to` pairs that are NOT allowed on a port, every other pair being allowed. */
const denied = (policies: readonly string[], port: number, protocol: Protocol = 'TCP'): string[] => {
  const objects = parseYamlStream([CLUSTER, ...policies].join('\n---\n')).flatMap((document, index) =>
    document.value ? normaliseDocument(document.value, { file: 'e2e.yaml', documentIndex: index, defaultNamespace: 'default' }).objects : [],
  );
  const map = computeConnectivity(buildSnapshot(objects));
  const allowed = new Set(
    map.connections.filter((edge) => edge.ports.has(protocol, port)).map((edge) => `${edge.from.replace('/Pod/', '/')} -> ${edge.to.replace('/Pod/', '/')}`),
  );
  return PODS.flatMap((from) => PODS.filter((to) => to !== from && !allowed.has(`${from} -> ${to}`)).map((to) => `${from} -> ${to}`));
};

/** The truth table's denied pairs, from a predicate. */
const expect = (deny: (from: string, to: string) => boolean): string[] =>
  PODS.flatMap((from) => PODS.filter((to) => to !== from && deny(from, to)).map((to) => `${from} -> ${to}`));
const ns = (pod: string): string => pod.split('/')[0] as string;

const TO_XA = 'pod: a';

describe('the upstream NetworkPolicy e2e scenarios, as truth tables', () => {
  const cases: { name: string; policies: string[]; port: number; protocol?: Protocol; deny: (from: string, to: string) => boolean }[] = [
    {
      name: "a 'default-deny-ingress' policy",
      policies: [policy('deny-ingress', 'x', '{podSelector: {}, policyTypes: [Ingress]}')],
      port: 80,
      deny: (_from, to) => ns(to) === 'x',
    },
    {
      name: "a 'default-deny-all' policy",
      policies: [policy('deny-all', 'x', '{podSelector: {}, policyTypes: [Ingress, Egress]}')],
      port: 80,
      deny: (from, to) => ns(to) === 'x' || ns(from) === 'x',
    },
    {
      name: 'allow traffic from pods within the server namespace based on PodSelector',
      policies: [policy('x-a-allows-x-b', 'x', `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]}`)],
      port: 80,
      deny: (from, to) => to === 'x/a' && from !== 'x/b',
    },
    {
      name: 'allow ingress traffic for a target',
      policies: [
        policy('deny-all', 'x', '{podSelector: {}, policyTypes: [Ingress]}'),
        policy('allow-all-to-a', 'x', `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{podSelector: {}, namespaceSelector: {}}]}]}`),
      ],
      port: 80,
      deny: (_from, to) => ns(to) === 'x' && to !== 'x/a',
    },
    {
      name: 'allow ingress traffic from pods in all namespaces',
      policies: [policy('allow-from-another-ns', 'x', `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{namespaceSelector: {}}]}]}`)],
      port: 80,
      deny: () => false,
    },
    {
      name: 'allow traffic only from a different namespace, based on NamespaceSelector',
      policies: [
        policy(
          'ns-y',
          'x',
          `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]}]}`,
        ),
      ],
      port: 80,
      deny: (from, to) => to === 'x/a' && ns(from) !== 'y',
    },
    {
      name: 'PodSelector with MatchExpressions',
      policies: [
        policy(
          'in-b',
          'x',
          `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{podSelector: {matchExpressions: [{key: pod, operator: In, values: [b]}]}}]}]}`,
        ),
      ],
      port: 80,
      deny: (from, to) => to === 'x/a' && from !== 'x/b',
    },
    {
      name: 'NamespaceSelector with MatchExpressions',
      policies: [
        policy(
          'in-y',
          'x',
          `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [y]}]}}]}]}`,
        ),
      ],
      port: 80,
      deny: (from, to) => to === 'x/a' && ns(from) !== 'y',
    },
    {
      name: 'PodSelector OR NamespaceSelector (two peers)',
      policies: [
        policy(
          'or',
          'x',
          `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]}}, {podSelector: {matchLabels: {pod: b}}}]}]}`,
        ),
      ],
      port: 80,
      deny: (from, to) => to === 'x/a' && from === 'x/c',
    },
    {
      name: 'PodSelector AND NamespaceSelector (one peer)',
      policies: [
        policy(
          'and',
          'x',
          `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]}, podSelector: {matchLabels: {pod: b}}}]}]}`,
        ),
      ],
      port: 80,
      deny: (from, to) => to === 'x/a' && from !== 'y/b' && from !== 'z/b',
    },
    {
      name: 'multiple PodSelectors and NamespaceSelectors',
      policies: [
        policy(
          'multi',
          'x',
          `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]}, podSelector: {matchExpressions: [{key: pod, operator: In, values: [b, c]}]}}]}]}`,
        ),
      ],
      port: 80,
      deny: (from, to) => to === 'x/a' && (ns(from) === 'x' || from.endsWith('/a')),
    },
    {
      name: 'any of several PodSelectors',
      policies: [
        policy(
          'b-or-c',
          'x',
          `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}, {podSelector: {matchLabels: {pod: c}}}]}]}`,
        ),
      ],
      port: 80,
      deny: (from, to) => to === 'x/a' && from !== 'x/b' && from !== 'x/c',
    },
    {
      name: 'only a pod of another namespace, by PodSelector and NamespaceSelector',
      policies: [
        policy(
          'y-a',
          'x',
          `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}, podSelector: {matchLabels: {pod: a}}}]}]}`,
        ),
      ],
      port: 80,
      deny: (from, to) => to === 'x/a' && from !== 'y/a',
    },
    {
      name: 'Ports: namespace y on port 81, checked on 81',
      policies: [
        policy(
          'y-81',
          'x',
          `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}], ports: [{port: 81, protocol: TCP}]}]}`,
        ),
      ],
      port: 81,
      deny: (from, to) => to === 'x/a' && ns(from) !== 'y',
    },
    {
      name: 'Ports: namespace y on port 81, checked on 80',
      policies: [
        policy(
          'y-81',
          'x',
          `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}], ports: [{port: 81, protocol: TCP}]}]}`,
        ),
      ],
      port: 80,
      deny: (_from, to) => to === 'x/a',
    },
    { name: 'an allow-all policy, on 81', policies: [policy('allow-all', 'x', '{podSelector: {}, ingress: [{}]}')], port: 81, deny: () => false },
    {
      name: 'ingress on one named port (serve-81-tcp), checked on 81',
      policies: [policy('named', 'x', '{podSelector: {}, ingress: [{ports: [{port: serve-81-tcp}]}]}')],
      port: 81,
      deny: () => false,
    },
    {
      name: 'ingress on one named port (serve-81-tcp), checked on 80',
      policies: [policy('named', 'x', '{podSelector: {}, ingress: [{ports: [{port: serve-81-tcp}]}]}')],
      port: 80,
      deny: (_from, to) => ns(to) === 'x',
    },
    {
      name: 'ingress from a namespace on one named port, checked on 80',
      policies: [
        policy(
          'y-named',
          'x',
          `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}], ports: [{port: serve-80-tcp, protocol: TCP}]}]}`,
        ),
      ],
      port: 80,
      deny: (from, to) => to === 'x/a' && ns(from) !== 'y',
    },
    {
      name: 'ingress from a namespace on one named port, checked on 81',
      policies: [
        policy(
          'y-named',
          'x',
          `{podSelector: {matchLabels: {${TO_XA}}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}], ports: [{port: serve-80-tcp, protocol: TCP}]}]}`,
        ),
      ],
      port: 81,
      deny: (_from, to) => to === 'x/a',
    },
    {
      name: 'egress on one named port (serve-80-tcp), checked on 80',
      policies: [policy('egress', 'x', '{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: serve-80-tcp}]}]}')],
      port: 80,
      deny: () => false,
    },
    {
      name: 'egress on one named port (serve-80-tcp), checked on 81',
      policies: [policy('egress', 'x', '{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: serve-80-tcp}]}]}')],
      port: 81,
      deny: (from) => ns(from) === 'x',
    },
    {
      name: 'a TCP rule does not open UDP',
      policies: [policy('tcp-80', 'x', '{podSelector: {}, ingress: [{ports: [{port: 80, protocol: TCP}]}]}')],
      port: 80,
      protocol: 'UDP',
      deny: (_from, to) => ns(to) === 'x',
    },
  ];
  for (const { name, policies, port, protocol, deny } of cases) it(name, () => assert.deepEqual(denied(policies, port, protocol), expect(deny)));
});
