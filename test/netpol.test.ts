import assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kubeward } from './support/cli.js';
import { temporaryDirectory } from './support/repo.js';

interface MapJson {
  schemaVersion: string;
  workloads: { id: string }[];
  entities: { id: string; cidrs: string[] }[];
  connections: { from: string; to: string; text: string; ports: Record<string, [number, number][]> }[];
  summary: { noIngressIsolation: string[]; noEgressIsolation: string[]; exposed: { workload: string; via: string }[] };
  problems: unknown[];
}

describe('kubeward netpol map on the demo application', () => {
  it('maps who may talk to postgres, on which port, and who is exposed', async () => {
    const result = await kubeward(['netpol', 'map', 'examples/', '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const map = JSON.parse(result.stdout) as MapJson;
    assert.equal(map.workloads.length, 14);
    const intoPostgres = map.connections
      .filter((edge) => edge.to === 'data/StatefulSet/postgres')
      .map((edge) => `${edge.from} ${edge.text}`)
      .sort();
    assert.ok(intoPostgres.length > 0 && intoPostgres.every((line) => line.endsWith('TCP 5432')), intoPostgres.join('\n'));
    assert.ok(map.summary.exposed.some((exposure) => exposure.workload === 'shop/Deployment/storefront' && /LoadBalancer/.test(exposure.via)));
    assert.ok(map.summary.exposed.some((exposure) => exposure.workload === 'shop/Deployment/legacy-admin' && /NodePort.*30022/.test(exposure.via)));
  });

  it("renders txt, csv, md and dot, and --focus keeps one workload's edges", async () => {
    const txt = await kubeward(['netpol', 'map', 'examples/', '--focus', 'data/postgres']);
    assert.equal(txt.code, 0, txt.stderr);
    assert.match(txt.stdout, /^\d+ workloads, \d+ connections between them/);
    assert.ok(
      txt.stdout
        .split('\n')
        .filter((line) => line.includes(' -> '))
        .every((line) => line.includes('data/StatefulSet/postgres')),
    );
    const csv = await kubeward(['netpol', 'map', 'examples/', '--format', 'csv']);
    assert.match(csv.stdout, /^from,to,ports\n/);
    const md = await kubeward(['netpol', 'map', 'examples/', '--format', 'md']);
    assert.match(md.stdout, /^\| from \| to \| ports \|\n\|---\|---\|---\|\n/);
    const dot = await kubeward(['netpol', 'map', 'examples/', '--format', 'dot']);
    assert.match(dot.stdout, /^digraph connectivity \{[\s\S]*subgraph cluster_\d+ \{[\s\S]*-> "data\/StatefulSet\/postgres" \[label="TCP 5432"\];[\s\S]*\}\n$/);
    const unknown = await kubeward(['netpol', 'map', 'examples/', '--focus', 'nothing-here']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no workload "nothing-here" in the inputs/);
  });
});

describe('kubeward netpol map --flows', () => {
  it('names observed flows the policies deny, and allowed pairs nobody used', async () => {
    const flows = join(await temporaryDirectory(), 'flows.jsonl');
    await writeFile(
      flows,
      [
        '{"source":"shop/checkout-api","destination":"data/postgres","port":5432,"protocol":"TCP"}',
        '{"source":"shop/storefront","destination":"data/postgres","port":5432,"protocol":"TCP"}',
      ].join('\n'),
    );
    const txt = await kubeward(['netpol', 'map', 'examples/', '--flows', flows, '--focus', 'data/postgres']);
    assert.equal(txt.code, 0, txt.stderr);
    assert.match(
      txt.stdout,
      /Observed flows: 1 pairs seen but not allowed, \d+ pairs allowed beyond what was seen\n {2}denied {2}shop\/Deployment\/storefront {2}-> {2}data\/StatefulSet\/postgres {2}TCP 5432\n/,
    );
    const json = JSON.parse((await kubeward(['netpol', 'map', 'examples/', '--flows', flows, '--format', 'json'])).stdout) as {
      graph: {
        nodes: { id: string; type: string }[];
        edges: { from: string; to: string; allowed: string; observed: string; unused: string; denied: string }[];
      };
    };
    const edge = (from: string, to: string) => json.graph.edges.find((candidate) => candidate.from === from && candidate.to === to);
    assert.deepEqual(edge('shop/Deployment/checkout-api', 'data/StatefulSet/postgres'), {
      from: 'shop/Deployment/checkout-api',
      to: 'data/StatefulSet/postgres',
      allowed: 'TCP 5432',
      observed: 'TCP 5432',
      unused: 'none',
      denied: 'none',
    });
    assert.equal(edge('shop/Deployment/cart-api', 'data/StatefulSet/postgres')?.unused, 'TCP 5432', 'allowed, never seen');
    assert.ok(json.graph.nodes.some((node) => node.id === 'namespace:data' && node.type === 'namespace'));
  });
});

describe('kubeward netpol diff', () => {
  it('shows what a policy change opens before it is applied: one peer merged into another by a typo', async () => {
    const after = await temporaryDirectory();
    await cp('examples', after, { recursive: true });
    // The classic mistake: `- podSelector` (a second peer, OR) where `podSelector` (same peer, AND) was meant.
    const file = join(after, 'data/network-policies.yaml');
    const text = await readFile(file, 'utf8');
    const broken = text.replace(
      /(kubernetes\.io\/metadata\.name: shop\n)(\s+)podSelector:/,
      (_match, line: string, indent: string) => `${line}${indent.slice(0, -2)}- podSelector:`,
    );
    assert.notEqual(broken, text);
    await writeFile(file, broken);
    const result = await kubeward(['netpol', 'diff', 'examples', after, '--exit-code']);
    assert.equal(result.code, 1, result.stderr);
    // Every pod of namespace shop may now reach postgres, not only the APIs (role=api).
    assert.equal(
      result.stdout,
      [
        '3 connections change: 3 added, 0 removed, 0 changed',
        '+ shop/CronJob/order-cleanup  ->  data/StatefulSet/postgres  TCP 5432',
        '+ shop/Deployment/legacy-admin  ->  data/StatefulSet/postgres  TCP 5432',
        '+ shop/Deployment/storefront  ->  data/StatefulSet/postgres  TCP 5432',
        '',
      ].join('\n'),
    );
    const same = await kubeward(['netpol', 'diff', 'examples', 'examples', '--exit-code', '--format', 'json']);
    assert.equal(same.code, 0, same.stderr);
    assert.deepEqual((JSON.parse(same.stdout) as { changes: unknown[] }).changes, []);
  });
});

describe('kubeward netpol generate', () => {
  // What a week of traffic in the demo shop looks like: the APIs and their stores, payments out to a PSP, one partner in.
  const FLOWS = [
    { source: 'shop/storefront', destination: 'shop/catalog-api', port: 8080, protocol: 'TCP' },
    { source: 'shop/storefront', destination: 'shop/cart-api', port: 8080, protocol: 'TCP' },
    { source: 'shop/storefront', destination: 'shop/checkout-api', port: 8080, protocol: 'TCP' },
    { source: 'shop/cart-api', destination: 'data/redis', port: 6379, protocol: 'TCP' },
    { source: 'shop/catalog-api', destination: 'data/postgres', port: 5432, protocol: 'TCP' },
    { source: 'shop/checkout-api', destination: 'data/postgres', port: 5432, protocol: 'TCP' },
    { source: 'shop/checkout-api', destination: 'payments/Deployment/gateway', port: 8443, protocol: 'TCP' },
    { source: 'shop/checkout-api', destination: 'messaging/rabbitmq', port: 5672, protocol: 'TCP' },
    { source: 'payments/gateway', destination: 'payments/fraud-scorer', port: 9000, protocol: 'TCP' },
    { source: 'payments/gateway', destination: '203.0.113.10', port: 443, protocol: 'TCP' },
    { source: '198.51.100.7', destination: 'shop/storefront', port: 8080, protocol: 'TCP' },
    { source: 'ops/db-backup', destination: 'data/postgres', port: 5432, protocol: 'TCP' },
  ];

  it('round trip: the generated policies, mapped by the same engine, allow every observed flow and nothing else', async () => {
    const work = await temporaryDirectory();
    const flows = join(work, 'flows.jsonl');
    await writeFile(
      flows,
      `${FLOWS.map((flow) => JSON.stringify(flow)).join('\n')}\n{"source": "shop/nowhere", "destination": "data/redis", "port": 6379, "protocol": "TCP"}\nnot json\n`,
    );
    const generated = await kubeward(['netpol', 'generate', 'examples/', '--flows', flows, '--default-deny', '-o', join(work, 'generated.yaml')]);
    assert.equal(generated.code, 0, generated.stderr);
    assert.match(generated.stderr, /flows\.jsonl:14: not JSON; skipped/);
    assert.match(generated.stderr, /flows name shop\/nowhere, which is neither a workload of the inputs nor an IP address/);
    // The workloads as they are, their current policies replaced by the generated ones.
    const cluster = join(work, 'cluster');
    await cp('examples', cluster, { recursive: true });
    await rm(join(cluster, 'data/network-policies.yaml'));
    await rm(join(cluster, 'payments/network-policies.yaml'));
    await cp(join(work, 'generated.yaml'), join(cluster, 'generated.yaml'));
    const mapped = await kubeward(['netpol', 'map', cluster, '--format', 'json']);
    assert.equal(mapped.code, 0, mapped.stderr);
    const map = JSON.parse(mapped.stdout) as MapJson;
    const id = (name: string): string => {
      if (/^\d/.test(name)) return name;
      const [namespace, ...rest] = name.split('/');
      return (
        map.workloads.find((workload) => workload.id === name || (workload.id.endsWith(`/${rest.at(-1)}`) && workload.id.startsWith(`${namespace}/`)))?.id ??
        name
      );
    };
    const observed = FLOWS.map((flow) => `${id(flow.source)} -> ${id(flow.destination)} ${flow.protocol} ${flow.port}`).sort();
    const entityOf = (entity: string): string =>
      map.entities
        .find((candidate) => candidate.id === entity)
        ?.cidrs.map((cidr) => cidr.replace(/\/32$/, ''))
        .join(',') ?? entity;
    const allowed = map.connections
      .map(
        (edge) =>
          `${edge.from.startsWith('external:') ? entityOf(edge.from) : edge.from} -> ${edge.to.startsWith('external:') ? entityOf(edge.to) : edge.to} ${edge.text}`,
      )
      .sort();
    assert.deepEqual(allowed, observed);
    assert.deepEqual(map.summary.noIngressIsolation, []);
    assert.deepEqual(map.summary.noEgressIsolation, []);
  });

  it('--from-services: a starting set from Services, namespace peers on target ports, anywhere for exposed ones', async () => {
    const work = await temporaryDirectory();
    const generated = await kubeward(['netpol', 'generate', 'examples/', '--from-services', '-o', join(work, 'generated.yaml'), '-q']);
    assert.equal(generated.code, 0, generated.stderr);
    const cluster = join(work, 'cluster');
    await cp('examples', cluster, { recursive: true });
    await rm(join(cluster, 'data/network-policies.yaml'));
    await rm(join(cluster, 'payments/network-policies.yaml'));
    await cp(join(work, 'generated.yaml'), join(cluster, 'generated.yaml'));
    const map = JSON.parse((await kubeward(['netpol', 'map', cluster, '--format', 'json'])).stdout) as MapJson;
    const edges = map.connections.map((edge) => `${edge.from.startsWith('external:') ? 'external' : edge.from} -> ${edge.to} ${edge.text}`);
    assert.ok(edges.includes('external -> shop/Deployment/storefront TCP 8080'), 'the LoadBalancer Service is reachable from anywhere on its target port');
    assert.ok(edges.includes('shop/Deployment/storefront -> shop/Deployment/cart-api TCP 8080'), 'a namespace peer reaches a Service backend');
    assert.ok(edges.includes('data/Deployment/redis -> data/StatefulSet/postgres TCP 5432'));
    assert.ok(!edges.some((edge) => edge.startsWith('shop/') && edge.includes('-> data/')), 'no cross-namespace access is assumed');
  });

  it('needs --flows, and says so', async () => {
    const result = await kubeward(['netpol', 'generate', 'examples/']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--flows <file> is required.*\nhint: or --from-services/);
  });
});
