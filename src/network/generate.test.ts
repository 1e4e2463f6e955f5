import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFlows } from './generate.js';

// Lines as `hubble observe -o json` prints them (Cilium's flow.proto, JSON-encoded), shortened.
const HUBBLE = [
  '{"flow":{"time":"2026-11-28T10:00:00.1Z","verdict":"FORWARDED","IP":{"source":"10.0.1.15","destination":"10.0.2.31","ipVersion":"IPv4"},"l4":{"TCP":{"source_port":51234,"destination_port":8080,"flags":{"SYN":true}}},"source":{"ID":1234,"identity":5678,"namespace":"shop","labels":["k8s:app.kubernetes.io/name=storefront","k8s:io.kubernetes.pod.namespace=shop"],"pod_name":"storefront-7d9c8b-x2x4k","workloads":[{"name":"storefront","kind":"Deployment"}]},"destination":{"ID":2345,"identity":6789,"namespace":"shop","labels":["k8s:app.kubernetes.io/name=cart-api"],"pod_name":"cart-api-5f6d7-abcde","workloads":[{"name":"cart-api","kind":"Deployment"}]},"Type":"L3_L4","node_name":"worker-1","event_type":{"type":4},"traffic_direction":"EGRESS","is_reply":false,"Summary":"TCP Flags: SYN"},"node_name":"worker-1","time":"2026-11-28T10:00:00.1Z"}',
  '{"flow":{"verdict":"FORWARDED","IP":{"source":"10.0.2.31","destination":"10.0.1.15"},"l4":{"TCP":{"source_port":8080,"destination_port":51234}},"source":{"namespace":"shop","workloads":[{"name":"cart-api","kind":"Deployment"}]},"destination":{"namespace":"shop","workloads":[{"name":"storefront","kind":"Deployment"}]},"is_reply":true}}',
  '{"flow":{"verdict":"DROPPED","drop_reason_desc":"POLICY_DENIED","IP":{"source":"10.0.1.15","destination":"10.0.3.9"},"l4":{"TCP":{"destination_port":5432}},"source":{"namespace":"shop","workloads":[{"name":"storefront","kind":"Deployment"}]},"destination":{"namespace":"data","workloads":[{"name":"postgres","kind":"StatefulSet"}]}}}',
  '{"flow":{"verdict":"FORWARDED","IP":{"source":"10.0.4.2","destination":"203.0.113.10"},"l4":{"TCP":{"destination_port":443}},"source":{"namespace":"payments","pod_name":"gateway-0","workloads":[{"name":"gateway","kind":"Deployment"}]},"destination":{"identity":2,"labels":["reserved:world"]}}}',
  '{"flow":{"verdict":"FORWARDED","IP":{"source":"10.0.4.2","destination":"10.96.0.10"},"l4":{"UDP":{"destination_port":53}},"source":{"namespace":"payments","workloads":[{"name":"gateway","kind":"Deployment"}]},"destination":{"namespace":"kube-system","pod_name":"coredns-5d78c9869d-abcde","workloads":[{"name":"coredns","kind":"Deployment"}]}}}',
];

describe('observed flows', () => {
  it('reads Hubble JSON: forwarded requests only (no replies, no drops), by workload, else by IP', () => {
    assert.deepEqual(parseFlows(HUBBLE.join('\n')), {
      flows: [
        { source: 'shop/Deployment/storefront', destination: 'shop/Deployment/cart-api', port: 8080, protocol: 'TCP' },
        { source: 'payments/Deployment/gateway', destination: '203.0.113.10', port: 443, protocol: 'TCP' },
        { source: 'payments/Deployment/gateway', destination: 'kube-system/Deployment/coredns', port: 53, protocol: 'UDP' },
      ],
      problems: [],
    });
  });

  it('reads Kubeward flow lines, and names each bad line', () => {
    const text = [
      '{"source":"shop/web","destination":"data/db","port":5432}',
      '# a comment',
      '{"source":"shop/web","destination":"data/db","port":70000,"protocol":"TCP"}',
      '{"flow": {"verdict": "FORWARDED", "l4": {"TCP": {"destination_port": 80}}}}',
      'nope',
      '{"other": 1}',
    ].join('\n');
    assert.deepEqual(parseFlows(text), {
      flows: [{ source: 'shop/web', destination: 'data/db', port: 5432, protocol: 'TCP' }],
      problems: [
        { line: 3, message: 'a flow needs source and destination (strings), port (1-65535) and protocol (TCP, UDP or SCTP)' },
        { line: 4, message: 'Hubble flow without a known source or destination' },
        { line: 5, message: 'not JSON' },
        { line: 6, message: 'neither a flow ({source, destination, port, protocol}) nor a Hubble flow ({"flow": ...})' },
      ],
    });
  });
});
