import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { resolvePolicySet } from '../src/app/index.js';
import { startCentral, type RunningCentral } from '../src/central/index.js';
import { kubeward, startKubeward } from './support/cli.js';
import { repoPath, temporaryDirectory } from './support/repo.js';

const NOW = new Date('2026-12-07T10:00:00Z');

const call = async (central: RunningCentral, token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${central.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    json: (text.startsWith('{') ? JSON.parse(text) : undefined) as Record<string, unknown> & { items?: Record<string, unknown>[] },
  };
};

const deployment = (namespace: string, name: string, securityContext: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, uid: `uid-${name}` },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0', securityContext }] } },
  },
});

const SECRET_VALUE = 'hunter2-must-never-be-stored';
const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'db',
    namespace: 'shop',
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ stringData: { password: SECRET_VALUE } }) },
  },
  data: { password: Buffer.from(SECRET_VALUE).toString('base64') },
  stringData: { password: SECRET_VALUE },
};

describe('kubeward server (central) over its HTTP API', () => {
  let directory: string;
  let central: RunningCentral;
  let admin: string;
  before(async () => {
    directory = await temporaryDirectory();
    const set = await resolvePolicySet({ cwd: directory, paths: [], enable: [], disable: [], only: [], builtIn: true });
    central = await startCentral({
      storage: { kind: 'sqlite', file: join(directory, 'central.db') },
      host: '127.0.0.1',
      port: 0,
      set,
      version: '0.0.0-test',
      now: () => NOW,
      log: false,
    });
    admin = central.adminToken ?? '';
    assert.match(admin, /^kw_[A-Za-z0-9_-]{43}$/);
  });
  after(async () => {
    await central?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('takes a snapshot, keeps violations over time (active → resolved), and never stores a secret value', async () => {
    const sensor = (await call(central, admin, 'POST', '/api/v1/tokens', { name: 'sensor-prod', role: 'sensor', cluster: 'prod' })).json as { secret: string };
    const objects = [deployment('shop', 'web', { privileged: true }), deployment('pay', 'api', { runAsNonRoot: true }), secret];
    const first = await call(central, sensor.secret, 'POST', '/api/v1/clusters/prod/snapshots', { snapshotId: 'list-1', kubeVersion: 'v1.34.1', objects });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual([first.json.generation, first.json.duplicate, (first.json.workloads as { created: number }).created], [1, false, 2]);
    const privileged = await call(central, admin, 'GET', '/api/v1/violations?policy=privileged-container&cluster=prod');
    assert.deepEqual(
      privileged.json.items?.map((item) => [item.namespace, (item.object as { name: string }).name, item.state]),
      [['shop', 'web', 'active']],
    );
    const again = await call(central, sensor.secret, 'POST', '/api/v1/clusters/prod/snapshots', { snapshotId: 'list-1', objects: [] });
    assert.equal(again.json.duplicate, true, 'the same snapshot twice changes nothing');
    const fixed = [deployment('shop', 'web', { runAsNonRoot: true }), deployment('pay', 'api', { runAsNonRoot: true })];
    await call(central, sensor.secret, 'POST', '/api/v1/clusters/prod/snapshots', { snapshotId: 'list-2', objects: fixed });
    const id = String(privileged.json.items?.[0]?.id);
    const resolved = await call(central, admin, 'GET', `/api/v1/violations/${id}`);
    assert.deepEqual([resolved.json.state, resolved.json.resolvedAt], ['resolved', NOW.toISOString()]);
    assert.equal(
      (await call(central, admin, 'GET', '/api/v1/violations?policy=privileged-container')).json.items?.length,
      0,
      'the default list shows active ones',
    );
    const wrongCluster = await call(central, sensor.secret, 'POST', '/api/v1/clusters/staging/snapshots', { snapshotId: 'x', objects: [] });
    assert.deepEqual([wrongCluster.status, wrongCluster.json.code], [403, 'forbidden']);
    const bytes = await readFile(join(directory, 'central.db'));
    const wal = await readFile(join(directory, 'central.db-wal')).catch(() => Buffer.alloc(0));
    for (const file of [bytes, wal]) {
      assert.equal(file.includes(Buffer.from(SECRET_VALUE)), false, 'no secret value in the database');
      assert.equal(file.includes(Buffer.from(Buffer.from(SECRET_VALUE).toString('base64'))), false, 'nor its base64');
    }
  });

  it('applies change batches on top of the snapshot in order: duplicates change nothing, gaps and stale snapshots ask for a resync', async () => {
    const sensor = (await call(central, admin, 'POST', '/api/v1/tokens', { name: 'sensor-edge', role: 'sensor', cluster: 'edge' })).json as { secret: string };
    const post = (path: string, body: unknown) => call(central, sensor.secret, 'POST', `/api/v1/clusters/edge/${path}`, body);
    const active = async () =>
      ((await call(central, admin, 'GET', '/api/v1/violations?cluster=edge&policy=privileged-container')).json.items ?? []).map(
        (item) => `${String(item.namespace)}/${(item.object as { name: string }).name}`,
      );
    assert.equal((await post('snapshots', { snapshotId: 'edge-1', objects: [deployment('shop', 'web', { runAsNonRoot: true })] })).status, 200);
    const first = await post('changes', {
      snapshotId: 'edge-1',
      sequence: 1,
      upserts: [deployment('shop', 'cart', { privileged: true }), secret],
      deletes: [],
    });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual([first.json.duplicate, (first.json.workloads as { created: number }).created], [false, 1]);
    assert.deepEqual(await active(), ['shop/cart']);
    const replay = await post('changes', {
      snapshotId: 'edge-1',
      sequence: 1,
      upserts: [],
      deletes: [{ kind: 'Deployment', namespace: 'shop', name: 'cart' }],
    });
    assert.deepEqual([replay.status, replay.json.duplicate], [200, true], 'a batch applied before is a duplicate');
    assert.deepEqual(await active(), ['shop/cart'], 'and changes nothing');
    const gap = await post('changes', { snapshotId: 'edge-1', sequence: 3, upserts: [], deletes: [] });
    assert.deepEqual([gap.status, gap.json.code], [409, 'resync-required']);
    const stale = await post('changes', { snapshotId: 'edge-0', sequence: 2, upserts: [], deletes: [] });
    assert.deepEqual([stale.status, stale.json.code], [409, 'resync-required']);
    const heartbeat = await post('changes', { snapshotId: 'edge-1', sequence: 2, upserts: [], deletes: [] });
    assert.deepEqual([heartbeat.status, heartbeat.json.duplicate], [200, false], 'an empty batch is a heartbeat');
    const removed = await post('changes', {
      snapshotId: 'edge-1',
      sequence: 3,
      upserts: [],
      deletes: [{ kind: 'Deployment', namespace: 'shop', name: 'cart' }],
    });
    const cartViolations = (await call(central, admin, 'GET', '/api/v1/violations?cluster=edge&search=cart&state=active,resolved')).json.items ?? [];
    assert.deepEqual(
      [(removed.json.workloads as { removed: number }).removed, (removed.json.violations as { resolved: number }).resolved],
      [1, cartViolations.length],
    );
    assert.ok(cartViolations.length > 1 && cartViolations.every((item) => item.state === 'resolved'), 'every violation of the deleted workload is resolved');
    assert.deepEqual(await active(), []);
    const workloads = (await call(central, admin, 'GET', '/api/v1/workloads?cluster=edge')).json.items?.map((item) => item.name);
    assert.deepEqual(workloads, ['web'], 'the state equals the cluster after the batches');
    const bytes = Buffer.concat([
      await readFile(join(directory, 'central.db')),
      await readFile(join(directory, 'central.db-wal')).catch(() => Buffer.alloc(0)),
    ]);
    assert.equal(bytes.includes(Buffer.from(SECRET_VALUE)), false, 'a Secret in a change batch keeps its value out of the store');
  });

  it('checks every token: none is 401, a role without the permission 403, a namespace scope sees its namespace only', async () => {
    assert.deepEqual((await call(central, undefined, 'GET', '/api/v1/violations')).json.code, 'unauthorized');
    assert.deepEqual((await call(central, 'kw_not-a-real-token', 'GET', '/api/v1/violations')).status, 401);
    const viewer = (await call(central, admin, 'POST', '/api/v1/tokens', { name: 'shop-viewer', role: 'viewer', cluster: 'prod', namespace: 'pay' })).json as {
      secret: string;
      token: { id: string };
    };
    await call(central, admin, 'POST', '/api/v1/clusters/prod/snapshots', {
      snapshotId: 'list-3',
      objects: [deployment('shop', 'web', { privileged: true }), deployment('pay', 'api', { privileged: true })],
    });
    for (const path of ['/api/v1/violations?state=active,resolved', '/api/v1/workloads']) {
      const seen = await call(central, viewer.secret, 'GET', path);
      assert.equal(seen.status, 200, seen.text);
      assert.ok(seen.json.items?.length, `${path}: the scope sees its own`);
      assert.deepEqual([...new Set(seen.json.items?.map((item) => item.namespace))], ['pay'], `${path}: nothing outside the scope`);
    }
    assert.equal((await call(central, viewer.secret, 'GET', '/api/v1/violations?namespace=shop')).json.items?.length, 0, 'a filter cannot widen the scope');
    const [whole] = (await call(central, admin, 'GET', '/api/v1/clusters')).json.items?.filter((item) => item.name === 'prod') ?? [];
    const [scoped] = (await call(central, viewer.secret, 'GET', '/api/v1/clusters')).json.items ?? [];
    const pay = await call(central, admin, 'GET', '/api/v1/violations?cluster=prod&namespace=pay&limit=500');
    assert.deepEqual(
      [scoped?.name, scoped?.workloads, scoped?.activeViolations],
      ['prod', 1, pay.json.items?.length],
      'the cluster as the scope sees it: the counts of its namespace',
    );
    assert.ok(Number(whole?.workloads) > 1);
    const namespaces = await call(central, viewer.secret, 'GET', '/api/v1/namespaces');
    assert.deepEqual(
      namespaces.json.items?.map((item) => [item.cluster, item.name, item.workloads]),
      [['prod', 'pay', 1]],
    );
    assert.equal((await call(central, viewer.secret, 'GET', '/api/v1/clusters/prod/network?namespace=shop')).status, 403);
    const mapped = await call(central, viewer.secret, 'GET', '/api/v1/clusters/prod/network');
    assert.deepEqual(
      (mapped.json.workloads as { id: string }[]).map((workload) => workload.id),
      ['pay/Deployment/api'],
    );
    assert.equal((await call(central, viewer.secret, 'GET', '/api/v1/clusters/prod/rbac/who-can?verb=get&resource=secrets&namespace=shop')).status, 403);
    assert.equal((await call(central, viewer.secret, 'GET', '/api/v1/clusters/other/network')).status, 404, 'another cluster is not there');
    assert.equal((await call(central, viewer.secret, 'GET', `/api/v1/workloads/${encodeURIComponent('prod/pay/Deployment/api')}`)).status, 200);
    assert.equal(
      (await call(central, viewer.secret, 'GET', `/api/v1/workloads/${encodeURIComponent('prod/shop/Deployment/web')}`)).status,
      404,
      'a workload outside the scope is not there',
    );
    assert.equal((await call(central, viewer.secret, 'GET', '/api/v1/tokens')).status, 403);
    assert.equal((await call(central, viewer.secret, 'POST', '/api/v1/violations/actions', { ids: ['x'], action: 'resolve' })).status, 403);
    assert.equal((await call(central, admin, 'DELETE', `/api/v1/tokens/${viewer.token.id}`)).status, 200);
    assert.equal((await call(central, viewer.secret, 'GET', '/api/v1/workloads')).status, 401, 'a revoked token is refused');
    const audit = await call(central, admin, 'GET', '/api/v1/audit?limit=2');
    assert.deepEqual(
      audit.json.items?.map((item) => item.action),
      ['token.revoke', 'token.create'],
    );
  });

  it('answers bad input with 4xx and the reason, as data', async () => {
    const cases: [string, Awaited<ReturnType<typeof call>>, number, string][] = [
      ['unknown query field', await call(central, admin, 'GET', '/api/v1/violations?colour=red'), 400, 'invalid-request'],
      ['limit too big', await call(central, admin, 'GET', '/api/v1/violations?limit=100000'), 400, 'invalid-request'],
      ['bad cursor', await call(central, admin, 'GET', '/api/v1/violations?cursor=zzz'), 400, 'invalid-cursor'],
      ['not JSON', await call(central, admin, 'POST', '/api/v1/violations/actions', '{"ids":'), 400, 'invalid-request'],
      [
        'unknown body field',
        await call(central, admin, 'POST', '/api/v1/violations/actions', { ids: ['a'], action: 'resolve', extra: 1 }),
        400,
        'invalid-request',
      ],
      [
        'snooze in the past',
        await call(central, admin, 'POST', '/api/v1/violations/actions', { ids: ['a'], action: 'snooze', until: '2020-01-01T00:00:00Z' }),
        400,
        'invalid-request',
      ],
      ['text/plain', await call(central, admin, 'POST', '/api/v1/violations/actions', 'ids', { 'content-type': 'text/plain' }), 415, 'unsupported-media-type'],
      ['no such route', await call(central, admin, 'GET', '/api/v1/nothing'), 404, 'not-found'],
      ['bad cluster name', await call(central, admin, 'POST', '/api/v1/clusters/Bad_Name/snapshots', { snapshotId: 'a', objects: [] }), 400, 'invalid-request'],
    ];
    for (const [name, answer, status, code] of cases) {
      assert.equal(answer.status, status, `${name}: ${answer.text}`);
      assert.equal(answer.json.code, code, name);
      assert.equal(typeof answer.json.message, 'string', name);
    }
    assert.equal(cases[1]?.[1].json.field, 'querystring.limit');
    for (const [args, message] of [
      [['--postgres', 'postgres://127.0.0.1/none', '--postgres-pool', '0'], /--postgres-pool takes a number of connections/],
      [['--postgres-pool', '4'], /--postgres-pool goes with --postgres/],
    ] as const) {
      const refused = await kubeward(['server', ...args, '--port', '0']);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, message);
    }
  });

  it('exports violations as CSV with formulas defused, serves OpenAPI 3.1, health and Prometheus metrics', async () => {
    const csv = await call(central, admin, 'GET', '/api/v1/violations?format=csv&state=active,resolved');
    assert.equal(csv.status, 200);
    const [header, ...rows] = csv.text.trim().split('\r\n');
    assert.equal(header, 'id,cluster,namespace,kind,name,container,policy,severity,state,firstSeen,lastSeen,message');
    assert.ok(rows.length > 0);
    const openapi = (await call(central, undefined, 'GET', '/api/openapi.json')).json as { openapi: string; paths: Record<string, unknown> };
    assert.equal(openapi.openapi, '3.1.0');
    for (const path of ['/api/v1/violations', '/api/v1/clusters/{cluster}/snapshots', '/api/v1/workloads', '/api/v1/scan', '/api/v1/tokens'])
      assert.ok(openapi.paths[path], `${path} is documented`);
    assert.equal((await call(central, undefined, 'GET', '/readyz')).text, 'ok');
    const metrics = (await call(central, undefined, 'GET', '/metrics')).text;
    assert.match(metrics, /kubeward_violations_active\{cluster="prod",namespace="pay",severity="HIGH"\} 1/);
    assert.match(metrics, /kubeward_ingest_snapshots_total\{cluster="prod",outcome="duplicate"\} 1/);
    assert.match(metrics, /kubeward_http_request_duration_seconds_bucket\{le="0.05",method="GET",route="\/api\/v1\/violations",status="200"\}/);
  });

  it('scans manifests posted to /api/v1/scan into the report `kubeward scan --format json` prints', async () => {
    const manifests = await readFile(repoPath('examples', 'shop', 'cart-api.yaml'), 'utf8');
    const answer = await call(central, admin, 'POST', '/api/v1/scan', { manifests });
    assert.equal(answer.status, 200, answer.text);
    assert.ok(Array.isArray(answer.json.findings) && (answer.json.findings as unknown[]).length > 0);
  });
});

describe('kubeward server --demo', () => {
  it('serves the demo cluster and prints the URL and a one-time admin token', async () => {
    const directory = await temporaryDirectory();
    const server = startKubeward(['server', '--demo', '--db', join(directory, 'demo.db'), '--port', '0', '--log-level', 'silent'], { cwd: repoPath() });
    try {
      const url = (await server.waitForStderr(/central on (http:\/\/127\.0\.0\.1:\d+)/))[1];
      const token = (await server.waitForStderr(/admin token \(shown once, store it now\): (kw_\S+)/))[1];
      const clusters = (await (await fetch(`${url}/api/v1/clusters`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        items: { name: string; workloads: number }[];
      };
      assert.equal(clusters.items[0]?.name, 'demo');
      assert.ok((clusters.items[0]?.workloads ?? 0) > 5);
      const risky = (await (await fetch(`${url}/api/v1/workloads?limit=1`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        items: { risk?: { priority: number } }[];
      };
      assert.equal(risky.items[0]?.risk?.priority, 1, 'most at risk first');
      const get = async (path: string) =>
        (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<Record<string, unknown>>;
      // The demo's images are real scans (examples/images): risk by CVE and by image works.
      const images = (await get('/api/v1/images')).items as { names: string[]; digest: string; vulnerabilities: { total: number } }[];
      assert.deepEqual(images.map((image) => image.names[0]).sort(), ['postgres:16.2-bookworm', 'registry.example.com/shop/checkout-api:latest']);
      assert.ok(images.every((image) => image.vulnerabilities.total > 0));
      const cves = (await get('/api/v1/risk/cves?fixable=true&top=5')).items as {
        id: string;
        fixable: boolean;
        workloads: { workload: string }[];
        reasons: string[];
      }[];
      assert.equal(cves.length, 5);
      assert.ok(cves.every((cve) => cve.fixable && cve.reasons.length > 0));
      assert.equal(cves[0]?.workloads[0]?.workload, 'shop/Deployment/checkout-api', 'the fixable CVEs of the riskiest workload first');
      const byImage = (await get('/api/v1/risk/images')).items as { image: string; scanned: boolean }[];
      assert.deepEqual([byImage[0]?.image, byImage[0]?.scanned], ['registry.example.com/shop/checkout-api:latest', true]);
      const checkout = images.find((image) => image.names.includes('registry.example.com/shop/checkout-api:latest'));
      const sbom = await get(`/api/v1/images/${checkout?.digest}?format=cyclonedx`);
      assert.equal(sbom.bomFormat, 'CycloneDX');
      assert.ok(Array.isArray(sbom.components) && sbom.components.length > 400);
      const [top] = (await get('/api/v1/workloads?limit=1')).items as { name: string; risk: { factors: { id: string }[] } }[];
      assert.deepEqual([top?.name, top?.risk.factors.some((factor) => factor.id === 'image-vulnerabilities')], ['checkout-api', true]);
      assert.ok(
        top?.risk.factors.every((factor) => !('evidence' in factor)),
        'a list gives what each factor is and weighs',
      );
      // One workload whole, by its id: the evidence in words, its history, its open violations.
      const detail = (await get(`/api/v1/workloads/${encodeURIComponent('demo/shop/Deployment/checkout-api')}`)) as {
        risk: { factors: { id: string; evidence: string[] }[] };
        history: { change: string }[];
        violations: Record<string, number>;
      };
      assert.ok(
        detail.risk.factors.every((factor) => factor.evidence.length > 0),
        JSON.stringify(detail.risk.factors),
      );
      assert.deepEqual(
        detail.history.map((entry) => entry.change),
        ['created'],
      );
      const ofCheckout = (await get(`/api/v1/violations?workload=${encodeURIComponent('demo/shop/Deployment/checkout-api')}&limit=500`)).items as {
        severity: string;
        object: { name: string };
      }[];
      assert.ok(ofCheckout.length > 0 && ofCheckout.every((item) => item.object.name === 'checkout-api'));
      assert.equal(
        Object.values(detail.violations).reduce((sum, count) => sum + count, 0),
        ofCheckout.length,
        'the counts are its open violations',
      );
      const evidenced = (await get('/api/v1/workloads?limit=1&evidence=true')).items as { risk: { factors: { evidence: string[] }[] } }[];
      assert.deepEqual(evidenced[0]?.risk.factors, detail.risk.factors, 'evidence=true gives the factors whole in a list');
      assert.equal((await get('/api/v1/violations?workload=not-an-id')).code, 'invalid-request');
      assert.equal((await get('/api/v1/workloads/demo%2Fshop%2FDeployment%2Fnothing')).code, 'not-found');

      // The cluster's model, as the CLI answers from the same manifests: namespaces, the network map of one, RBAC who-can.
      const namespaces = (await get('/api/v1/namespaces')).items as {
        name: string;
        labels: Record<string, string>;
        workloads: number;
        activeViolations: number;
      }[];
      const shop = namespaces.find((namespace) => namespace.name === 'shop');
      assert.ok(shop && shop.workloads > 0 && shop.activeViolations > 0, JSON.stringify(namespaces));
      assert.ok(
        namespaces.some((namespace) => Object.keys(namespace.labels).length > 0),
        'labels of the declared namespaces',
      );
      const cli = async (...args: string[]) => JSON.parse((await kubeward(args, { cwd: repoPath() })).stdout) as Record<string, unknown>;
      const network = await get('/api/v1/clusters/demo/network?namespace=payments');
      const expectedNetwork = await cli('netpol', 'map', 'examples/', '--format', 'json');
      const paymentsIds = (expectedNetwork.workloads as { id: string; namespace: string }[]).filter((workload) => workload.namespace === 'payments');
      assert.ok(paymentsIds.length > 0);
      for (const workload of paymentsIds)
        assert.ok(
          (network.workloads as { id: string }[]).some((entry) => entry.id === workload.id),
          workload.id,
        );
      assert.ok((network.connections as { from: string; to: string }[]).every((edge) => edge.from.startsWith('payments/') || edge.to.startsWith('payments/')));
      const whoCan = await get('/api/v1/clusters/demo/rbac/who-can?verb=get&resource=secrets&namespace=shop');
      const expectedWhoCan = await cli('rbac', 'who-can', 'get', 'secrets', '-n', 'shop', '--file', 'examples/', '-o', 'json');
      assert.deepEqual(whoCan.subjects, expectedWhoCan.subjects, 'the same answer as the CLI on the same objects');
      assert.ok((whoCan.subjects as unknown[]).length > 0);
    } finally {
      assert.equal(await server.stop(), 0);
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('CI reports pushed to central: kubeward push and --push', () => {
  let directory: string;
  let central: RunningCentral;
  let admin: string;
  let tokenFile: string;
  before(async () => {
    directory = await temporaryDirectory();
    const set = await resolvePolicySet({ cwd: directory, paths: [], enable: [], disable: [], only: [], builtIn: true });
    central = await startCentral({
      storage: { kind: 'sqlite', file: join(directory, 'central.db') },
      host: '127.0.0.1',
      port: 0,
      set,
      version: '0.0.0-test',
      now: () => NOW,
      log: false,
    });
    admin = central.adminToken ?? '';
    const ci = (await call(central, admin, 'POST', '/api/v1/tokens', { name: 'ci-shop', role: 'ci' })).json as { secret: string };
    tokenFile = join(directory, 'ci.token');
    await writeFile(tokenFile, `${ci.secret}\n`);
  });
  after(async () => {
    await central?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('scan --push sends the JSON report under the repository and commit; the counts are the report’s, the history is per repository', async () => {
    const scanned = await kubeward(
      [
        'scan',
        'examples/shop',
        '--format',
        'json',
        '--push',
        central.url,
        '--token-file',
        tokenFile,
        '--repository',
        'github.com/acme/shop',
        '--commit',
        'c0ffee1',
        '--branch',
        'main',
        '--no-fail',
      ],
      { cwd: repoPath() },
    );
    assert.equal(scanned.code, 0, scanned.stderr);
    assert.match(scanned.stderr, /pushed the manifests report to http:\/\/127\.0\.0\.1:\d+ as \w+ \(github\.com\/acme\/shop @ c0ffee1\)/);
    const report = JSON.parse(scanned.stdout) as { summary: { bySeverity: Record<string, number>; findings: number } };
    const listed = await call(central, admin, 'GET', '/api/v1/ci/results?repository=github.com/acme/shop');
    assert.equal(listed.json.items?.length, 1);
    const [result] = listed.json.items as { id: string; commit: string; branch: string; kind: string; counts: Record<string, number> }[];
    assert.deepEqual([result?.commit, result?.branch, result?.kind], ['c0ffee1', 'main', 'manifests']);
    assert.deepEqual(result?.counts, {
      critical: report.summary.bySeverity.CRITICAL,
      high: report.summary.bySeverity.HIGH,
      medium: report.summary.bySeverity.MEDIUM,
      low: report.summary.bySeverity.LOW,
      total: report.summary.findings,
    });
    const whole = await call(central, admin, 'GET', `/api/v1/ci/results/${result?.id}`);
    assert.deepEqual(whole.json.report, report, 'central keeps the report as the scan printed it');

    // `kubeward push` of a saved report, its metadata read from GitHub Actions' variables.
    const file = join(directory, 'report.json');
    await writeFile(file, scanned.stdout);
    const pushed = await kubeward(['push', file, '--central', central.url, '--token-file', tokenFile], {
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_SHA: 'deadbeef2',
        GITHUB_REF_NAME: 'feature/x',
        GITHUB_RUN_ID: '42',
        GITHUB_RUN_NUMBER: '7',
        GITHUB_WORKFLOW: 'ci',
      },
    });
    assert.equal(pushed.code, 0, pushed.stderr);
    const history = (await call(central, admin, 'GET', '/api/v1/ci/results?repository=github.com/acme/shop')).json.items as {
      commit: string;
      pipeline: string;
      url: string;
    }[];
    assert.deepEqual(
      history.map((item) => [item.commit, item.pipeline, item.url]),
      [
        ['deadbeef2', 'ci #7', 'https://github.com/acme/shop/actions/runs/42'],
        ['c0ffee1', undefined, undefined],
      ],
      'newest first',
    );
    const repositories = (await call(central, admin, 'GET', '/api/v1/ci/repositories')).json.items as {
      repository: string;
      results: number;
      latest: { commit: string };
    }[];
    assert.deepEqual(
      repositories.map((item) => [item.repository, item.results, item.latest.commit]),
      [['github.com/acme/shop', 2, 'deadbeef2']],
    );
  });

  it('an image scan pushed from CI is kept by digest, and the workloads that run the image are judged with it', async () => {
    const report = gunzipSync(await readFile(repoPath('examples', 'images', 'checkout-api.json.gz'))).toString('utf8');
    const file = join(directory, 'image.json');
    await writeFile(file, report);
    const sensor = (
      (await call(central, admin, 'POST', '/api/v1/tokens', { name: 'sensor-ci', role: 'sensor', cluster: 'ci-cluster' })).json as { secret: string }
    ).secret;
    const workload = {
      ...deployment('shop', 'checkout-api', { runAsNonRoot: true }),
      spec: {
        selector: { matchLabels: { app: 'checkout' } },
        template: {
          metadata: { labels: { app: 'checkout' } },
          spec: { containers: [{ name: 'api', image: 'registry.example.com/shop/checkout-api:latest' }] },
        },
      },
    };
    await call(central, sensor, 'POST', '/api/v1/clusters/ci-cluster/snapshots', { snapshotId: 'c1', objects: [workload] });
    const factors = async () =>
      ((await call(central, admin, 'GET', '/api/v1/workloads?cluster=ci-cluster')).json.items?.[0] as { risk: { factors: { id: string }[] } }).risk.factors.map(
        (factor) => factor.id,
      );
    assert.ok((await factors()).includes('image-not-scanned'));
    const pushed = await kubeward([
      'push',
      file,
      '--central',
      central.url,
      '--token-file',
      tokenFile,
      '--repository',
      'github.com/acme/checkout',
      '--commit',
      'abc',
    ]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stderr, /pushed the image-scan report/);
    const images = (await call(central, admin, 'GET', '/api/v1/images?search=checkout')).json.items as { source: string; names: string[] }[];
    assert.deepEqual(
      images.map((image) => [image.source, image.names]),
      [['ci', ['registry.example.com/shop/checkout-api:latest']]],
    );
    for (let attempt = 0; attempt < 60 && !(await factors()).includes('image-vulnerabilities'); attempt++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok((await factors()).includes('image-vulnerabilities'), 'the workload is judged again with the scan');
  });

  it('refuses what it cannot keep, with the reason: not JSON, not a report, a role that may not push, a scoped viewer sees no CI results', async () => {
    const junk = join(directory, 'junk.json');
    await writeFile(junk, '{"hello": 1}');
    const notReport = await kubeward(['push', junk, '--central', central.url, '--token-file', tokenFile, '--repository', 'r', '--commit', 'c']);
    assert.deepEqual([notReport.code, /is not a kubeward JSON report/.test(notReport.stderr)], [2, true], notReport.stderr);
    const wrongShape = await call(central, admin, 'POST', '/api/v1/ci/results', {
      kind: 'image-scan',
      repository: 'r',
      commit: 'c',
      report: { summary: { bySeverity: {} } },
    });
    assert.deepEqual([wrongShape.status, wrongShape.json.code, wrongShape.json.field], [400, 'invalid-report', 'body.report']);
    const viewer = (await call(central, admin, 'POST', '/api/v1/tokens', { name: 'v', role: 'viewer', cluster: 'prod', namespace: 'pay' })).json as {
      secret: string;
    };
    const pushAsViewer = await call(central, viewer.secret, 'POST', '/api/v1/ci/results', { kind: 'manifests', repository: 'r', commit: 'c', report: {} });
    assert.equal(pushAsViewer.status, 403);
    for (const path of ['/api/v1/ci/results', '/api/v1/ci/repositories'])
      assert.deepEqual((await call(central, viewer.secret, 'GET', path)).json.items, [], path);
    const unreachable = await kubeward([
      'scan',
      'examples/shop',
      '--push',
      'http://127.0.0.1:9',
      '--token-file',
      tokenFile,
      '--repository',
      'r',
      '--commit',
      'c',
      '--no-fail',
      '--quiet',
    ]);
    assert.deepEqual([unreachable.code, /cannot reach central at http:\/\/127\.0\.0\.1:9/.test(unreachable.stderr)], [2, true], unreachable.stderr);
  });
});

describe('admission webhooks and central: the enforced set from central, decisions reported back', () => {
  const CENTRAL_ONLY = `apiVersion: kubeward.io/v1
kind: Policy
metadata:
  name: no-evil-registry
spec:
  name: Images from registry.evil.example are refused
  description: Central's own policy, which the webhook's local set does not have.
  rationale: Only central knows it.
  remediation: Use the company registry.
  severity: CRITICAL
  categories: [Image Assurance]
  lifecycleStages: [DEPLOY]
  enforcement: [DEPLOY]
  criteria:
    - conditions:
        - field: Image Registry
          values: [registry.evil.example]
`;
  const review = (uid: string, image: string): string =>
    JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
        resource: { group: 'apps', version: 'v1', resource: 'deployments' },
        namespace: 'shop',
        operation: 'CREATE',
        userInfo: { username: 'alice' },
        dryRun: false,
        object: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: 'shop' },
          spec: {
            selector: { matchLabels: { app: 'web' } },
            template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
          },
        },
      },
    });
  const validate = async (port: number, ca: Buffer, body: string): Promise<{ allowed: boolean; message?: string }> => {
    const { request } = await import('node:https');
    return new Promise((resolve, reject) => {
      const call = request(
        {
          host: '127.0.0.1',
          port,
          path: '/validate',
          method: 'POST',
          ca,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => {
            const answer = (JSON.parse(text) as { response: { allowed: boolean; status?: { message: string } } }).response;
            resolve({ allowed: answer.allowed, ...(answer.status ? { message: answer.status.message } : {}) });
          });
        },
      );
      call.on('error', reject);
      call.end(body);
    });
  };

  it('enforces central’s policies, reports its denials to central, and keeps enforcing them while central is down', async () => {
    const directory = await temporaryDirectory();
    const policyFile = join(directory, 'no-evil-registry.yaml');
    await writeFile(policyFile, CENTRAL_ONLY);
    const set = await resolvePolicySet({ cwd: directory, paths: [policyFile], enable: [], disable: [], only: [], builtIn: true });
    const central = await startCentral({
      storage: { kind: 'sqlite', file: join(directory, 'central.db') },
      host: '127.0.0.1',
      port: 0,
      set,
      version: '0.0.0-test',
      now: () => new Date(),
      log: false,
    });
    const admin = central.adminToken ?? '';
    const token = (await call(central, admin, 'POST', '/api/v1/tokens', { name: 'webhook-prod', role: 'admission', cluster: 'prod' })).json as {
      secret: string;
    };
    const tokenFile = join(directory, 'admission.token');
    await writeFile(tokenFile, token.secret);
    const tls = join(directory, 'tls');
    assert.equal((await kubeward(['admission', 'manifests', '--url', 'https://127.0.0.1:8443/validate', '--tls-dir', tls])).code, 0);
    const ca = await readFile(join(tls, 'ca.crt'));
    const webhook = startKubeward([
      'admission',
      'serve',
      '--tls-cert',
      join(tls, 'tls.crt'),
      '--tls-key',
      join(tls, 'tls.key'),
      '--port',
      '0',
      '--workers',
      '1',
      '--central',
      central.url,
      '--cluster',
      'prod',
      '--token-file',
      tokenFile,
      '--central-refresh',
      '1',
      '--quiet',
    ]);
    try {
      const port = Number(
        (
          await webhook.waitForStderr(/admission webhook on https:\/\/[\d.]+:(\d+)\/validate: \d+ DEPLOY-stage policies from central \(revision \w+\)/, 60_000)
        )[1],
      );
      const denied = await validate(port, ca, review('uid-1', 'registry.evil.example/shop/web:1.0'));
      assert.equal(denied.allowed, false);
      assert.match(denied.message ?? '', /no-evil-registry/);
      assert.equal((await validate(port, ca, review('uid-2', 'registry.example.com/shop/web:1.0'))).allowed, true);
      let reported: Record<string, unknown>[] = [];
      for (let attempt = 0; attempt < 50 && reported.length === 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        reported = (await call(central, admin, 'GET', '/api/v1/admission/decisions?outcome=denied')).json.items ?? [];
      }
      assert.deepEqual(
        reported.map((item) => [
          item.cluster,
          item.namespace,
          item.object,
          item.outcome,
          (item.findings as { policyId: string; enforced: boolean }[]).filter((finding) => finding.enforced).map((finding) => finding.policyId),
        ]),
        [['prod', 'shop', 'Deployment shop/web', 'denied', ['no-evil-registry']]],
      );
      const viewer = (await call(central, admin, 'POST', '/api/v1/tokens', { name: 'other-ns', role: 'viewer', cluster: 'prod', namespace: 'pay' })).json as {
        secret: string;
      };
      assert.deepEqual(
        (await call(central, viewer.secret, 'GET', '/api/v1/admission/decisions')).json.items,
        [],
        'a namespace scope sees its own decisions only',
      );

      await central.close();
      await webhook.waitForStderr(/central is unreachable[^\n]*enforcing central's policies, revision \w+/, 10_000);
      const stillDenied = await validate(port, ca, review('uid-3', 'registry.evil.example/shop/web:2.0'));
      assert.equal(stillDenied.allowed, false, 'the last known set is enforced while central is down');
    } finally {
      await webhook.stop();
      await central.close().catch(() => undefined);
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('exceptions with approval: policy × scope, reason, requester, approver, expiry', () => {
  let directory: string;
  let central: RunningCentral;
  let admin: string;
  let analyst: string;
  let clock = new Date('2026-12-07T10:00:00Z');
  before(async () => {
    directory = await temporaryDirectory();
    const set = await resolvePolicySet({ cwd: directory, paths: [], enable: [], disable: [], only: [], builtIn: true });
    central = await startCentral({
      storage: { kind: 'sqlite', file: join(directory, 'central.db') },
      host: '127.0.0.1',
      port: 0,
      set,
      version: '0.0.0-test',
      now: () => clock,
      log: false,
      sweepMs: 50,
    });
    admin = central.adminToken ?? '';
    analyst = ((await call(central, admin, 'POST', '/api/v1/tokens', { name: 'alice', role: 'analyst' })).json as { secret: string }).secret;
    const image = (name: string, reference: string) => ({
      ...deployment('shop', name, { privileged: true }),
      spec: {
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: reference, securityContext: { privileged: true } }] } },
      },
    });
    const answer = await call(central, admin, 'POST', '/api/v1/clusters/prod/snapshots', {
      snapshotId: 'x1',
      objects: [image('web', 'registry.example/shop/web:1.0'), image('cart', 'registry.example/legacy/cart:0.9')],
    });
    assert.equal(answer.status, 200, answer.text);
  });
  after(async () => {
    await central?.close();
    await rm(directory, { recursive: true, force: true });
  });

  const privileged = async (name: string) =>
    (await call(central, admin, 'GET', `/api/v1/violations?policy=privileged-container&state=active,excepted,resolved&search=${name}`)).json.items?.[0] as {
      id: string;
      state: string;
      exceptionId?: string;
    };
  const eventually = async (check: () => Promise<void>): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await check();
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };

  it('an analyst asks, an admin who is not the analyst approves: the violation is excepted at once; at expiry it is active again', async () => {
    const web = await privileged('web');
    assert.equal(web.state, 'active');
    const until = new Date(clock.getTime() + 3_600_000).toISOString();
    const asked = await call(central, analyst, 'POST', '/api/v1/violations/actions', {
      ids: [web.id],
      action: 'except',
      reason: 'legacy web, migrating in Q1',
      until,
    });
    assert.equal(asked.status, 200, asked.text);
    const [exceptionId] = asked.json.exceptions as string[];
    const requested = (await call(central, admin, 'GET', `/api/v1/exceptions/${exceptionId}`)).json;
    assert.deepEqual(
      [requested.state, requested.policy, requested.scope, requested.requestedBy, requested.expiresAt],
      ['requested', 'privileged-container', { cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'web' }, 'token:alice', until],
    );
    assert.equal((await privileged('web')).state, 'active', 'a request alone excuses nothing');
    assert.equal((await call(central, analyst, 'POST', `/api/v1/exceptions/${exceptionId}/approve`, {})).status, 403, 'an analyst does not approve');
    const approved = await call(central, admin, 'POST', `/api/v1/exceptions/${exceptionId}/approve`, { comment: 'ok until the migration' });
    assert.deepEqual([approved.status, approved.json.state, approved.json.decidedBy], [200, 'approved', 'token:bootstrap-admin'], approved.text);
    assert.deepEqual(await privileged('web'), { ...(await privileged('web')), state: 'excepted', exceptionId });
    assert.equal((await privileged('cart')).state, 'active', 'the exception covers its scope only');
    const active = (await call(central, admin, 'GET', '/api/v1/violations?policy=privileged-container')).json.items?.map(
      (item) => (item.object as { name: string }).name,
    );
    assert.deepEqual(active, ['cart'], 'the default list leaves excepted ones out');
    const audit = (await call(central, admin, 'GET', '/api/v1/audit?limit=5')).json.items?.map((item) => item.action);
    assert.deepEqual(audit?.slice(0, 2), ['exception.approved', 'exception.request']);

    clock = new Date(clock.getTime() + 2 * 3_600_000);
    await eventually(async () => assert.equal((await privileged('web')).state, 'active'));
    assert.equal((await call(central, admin, 'GET', `/api/v1/exceptions/${exceptionId}`)).json.state, 'expired');
  });

  it('four eyes: nobody approves their own request; an image-scoped exception covers its images until it is revoked', async () => {
    const own = await call(central, admin, 'POST', '/api/v1/exceptions', {
      policy: 'privileged-container',
      image: 'registry.example/legacy/*',
      reason: 'the legacy images are rebuilt next sprint',
    });
    assert.equal(own.status, 201, own.text);
    const selfApproved = await call(central, admin, 'POST', `/api/v1/exceptions/${String(own.json.id)}/approve`, {});
    assert.deepEqual([selfApproved.status, selfApproved.json.code], [403, 'four-eyes']);
    const byAlice = await call(central, analyst, 'POST', '/api/v1/exceptions', {
      policy: 'privileged-container',
      image: 'registry.example/legacy/*',
      reason: 'the legacy images are rebuilt next sprint',
    });
    await call(central, admin, 'POST', `/api/v1/exceptions/${String(byAlice.json.id)}/approve`, {});
    assert.equal((await privileged('cart')).state, 'excepted');
    assert.equal((await privileged('web')).state, 'active', 'web runs no legacy image');
    const revoked = await call(central, analyst, 'DELETE', `/api/v1/exceptions/${String(byAlice.json.id)}`);
    assert.deepEqual([revoked.status, revoked.json.state, revoked.json.revokedBy], [200, 'revoked', 'token:alice']);
    assert.equal((await privileged('cart')).state, 'active');
    assert.equal(
      (await call(central, admin, 'POST', `/api/v1/exceptions/${String(byAlice.json.id)}/approve`, {})).status,
      409,
      'a revoked exception is not approved',
    );
  });

  it('a namespace-scoped analyst excepts within the namespace only, and sees the exceptions of its scope only', async () => {
    const scoped = (
      (await call(central, admin, 'POST', '/api/v1/tokens', { name: 'pay-analyst', role: 'analyst', cluster: 'prod', namespace: 'pay' })).json as {
        secret: string;
      }
    ).secret;
    const elsewhere = await call(central, scoped, 'POST', '/api/v1/exceptions', { policy: '*', namespace: 'shop', reason: 'not my namespace at all' });
    assert.deepEqual([elsewhere.status, elsewhere.json.field], [403, 'body.namespace']);
    const mine = await call(central, scoped, 'POST', '/api/v1/exceptions', { policy: '*', reason: 'everything in pay, for the audit week' });
    assert.deepEqual(mine.json.scope, { cluster: 'prod', namespace: 'pay' }, 'the token’s scope is the exception’s');
    const seen = (await call(central, scoped, 'GET', '/api/v1/exceptions?state=requested,approved,revoked,expired')).json.items?.map((item) => item.id);
    assert.deepEqual(seen, [mine.json.id]);
  });
});
