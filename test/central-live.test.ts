import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dump } from 'js-yaml';
import { eventually } from './support/eventually.js';
import { startKubeward, type RunningKubeward } from './support/cli.js';
import { clusterSkip, kubectl, kubectlJson, startCluster, type LiveCluster } from './support/cluster.js';
import { freePort } from './support/postgres.js';
import { temporaryDirectory } from './support/repo.js';

const deployment = (name: string, securityContext: Record<string, unknown>): string =>
  dump({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.example.com/shop/app:1.4.2', securityContext }] } },
    },
  });

const SECRET_VALUE = 'hunter2-live-must-never-be-stored';

type Item = Record<string, unknown> & { name?: string; namespace?: string; state?: string; object?: { name: string } };

describe('two real clusters, two sensors, one central', { skip: clusterSkip, timeout: 15 * 60_000 }, () => {
  const clusters: Record<'east' | 'west', LiveCluster | undefined> = { east: undefined, west: undefined };
  const sensors: RunningKubeward[] = [];
  let server: RunningKubeward | undefined;
  let directory: string;
  let url: string;
  let admin: string;
  let port: number;

  const api = async (path: string, token = admin): Promise<{ items: Item[] } & Record<string, unknown>> => {
    const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as { items: Item[] };
  };

  const startServer = async (): Promise<void> => {
    server = startKubeward(['server', '--db', join(directory, 'central.db'), '--port', String(port), '--log-level', 'warn']);
    url = (await server.waitForStderr(/central on (http:\/\/127\.0\.0\.1:\d+)/, 60_000))[1] ?? '';
  };

  before(async () => {
    directory = await temporaryDirectory();
    [clusters.east, clusters.west] = await Promise.all([startCluster(), startCluster()]);
    port = await freePort();
    await startServer();
    admin = (await server!.waitForStderr(/admin token \(shown once, store it now\): (kw_\S+)/))[1] ?? '';
    for (const name of ['east', 'west'] as const) {
      const made = await fetch(`${url}/api/v1/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `sensor-${name}`, role: 'sensor', cluster: name }),
      });
      const tokenFile = join(directory, `${name}.token`);
      // The token as a user would mount it from a Secret: a file with a trailing newline.
      await writeFile(tokenFile, `${((await made.json()) as { secret: string }).secret}\n`);
      sensors.push(
        startKubeward([
          'sensor',
          '--kubeconfig',
          clusters[name]!.kubeconfig,
          '--central',
          url,
          '--cluster',
          name,
          '--token-file',
          tokenFile,
          '--debounce',
          '50',
          '--quiet',
        ]),
      );
    }
    await eventually(async () => {
      const listed = await api('/api/v1/clusters');
      assert.deepEqual(
        listed.items.filter((cluster) => Number(cluster.generation) >= 1).map((cluster) => cluster.name),
        ['east', 'west'],
      );
    }, 120_000);
  });

  after(async () => {
    await Promise.all(sensors.map((sensor) => sensor.stop()));
    await server?.stop();
    await Promise.all(Object.values(clusters).map((cluster) => cluster?.stop()));
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  const activePrivileged = async (cluster: string): Promise<string[]> =>
    (await api(`/api/v1/violations?cluster=${cluster}&policy=privileged-container`)).items.map((item) => item.object?.name ?? '');

  it('a change in either cluster reaches central within seconds, and a violation moves active → resolved', async () => {
    const sent = Date.now();
    await kubectl(clusters.east!, ['apply', '-f', '-'], { stdin: deployment('east-web', { privileged: true }) });
    await eventually(async () => assert.deepEqual(await activePrivileged('east'), ['east-web']));
    const arrivedMs = Date.now() - sent;
    assert.ok(arrivedMs < 10_000, `the violation arrived in ${arrivedMs} ms`);
    await kubectl(clusters.west!, ['apply', '-f', '-'], { stdin: deployment('west-api', { privileged: true }) });
    await eventually(async () => assert.deepEqual(await activePrivileged('west'), ['west-api']));
    assert.deepEqual(await activePrivileged('east'), ['east-web'], 'each cluster keeps its own');

    const [violation] = (await api('/api/v1/violations?cluster=east&policy=privileged-container')).items;
    await kubectl(clusters.east!, ['apply', '-f', '-'], { stdin: deployment('east-web', { runAsNonRoot: true, allowPrivilegeEscalation: false }) });
    await eventually(async () => {
      const after = await api(`/api/v1/violations/${String(violation?.id)}`);
      assert.equal(after.state, 'resolved');
      assert.ok(after.resolvedAt);
    });
    const clustersNow = await api('/api/v1/clusters');
    for (const cluster of clustersNow.items) {
      assert.match(String(cluster.kubeVersion), /^v1\.\d+\.\d+/, 'the sensor reports the API server version');
      assert.ok(cluster.lastContactAt);
    }
  });

  it('keeps Secret values out of the store', async () => {
    await kubectl(clusters.east!, ['create', 'secret', 'generic', 'db-password', '-n', 'default', `--from-literal=password=${SECRET_VALUE}`]);
    // Batches are applied in order: once a later object is in central, the Secret is too.
    await kubectl(clusters.east!, ['apply', '-f', '-'], { stdin: deployment('after-secret', { runAsNonRoot: true }) });
    await eventually(async () => assert.ok((await api('/api/v1/workloads?cluster=east')).items.some((item) => item.name === 'after-secret')));
    const bytes = Buffer.concat([
      await readFile(join(directory, 'central.db')),
      await readFile(join(directory, 'central.db-wal')).catch(() => Buffer.alloc(0)),
    ]);
    assert.equal(bytes.includes(Buffer.from(SECRET_VALUE)), false);
    assert.equal(bytes.includes(Buffer.from(Buffer.from(SECRET_VALUE).toString('base64'))), false);
  });

  it('kill -9 of central during ingest: after restart nothing partial is visible, the sensors reconnect by themselves and resync it to equal the cluster', async () => {
    const burst = Array.from({ length: 40 }, (_, index) => deployment(`burst-${index}`, { privileged: index % 2 === 0 })).join('---\n');
    const applying = kubectl(clusters.east!, ['apply', '-f', '-'], { stdin: burst });
    // Killed while the burst's batches are arriving.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server!.kill();
    await applying;
    await kubectl(clusters.east!, ['delete', 'deployment', 'east-web', '-n', 'default']);
    await startServer();
    const expected = async (): Promise<string[]> =>
      (await kubectlJson<{ items: { metadata: { name: string } }[] }>(clusters.east!, ['get', 'deployments', '-A'])).items
        .map((item) => item.metadata.name)
        .sort();
    const want = await expected();
    await eventually(async () => {
      const held = (await api('/api/v1/workloads?cluster=east&sort=name&limit=500')).items.map((item) => item.name ?? '').sort();
      assert.deepEqual(held, want);
    }, 60_000);
    const privileged = await activePrivileged('east');
    assert.deepEqual(
      privileged.sort(),
      want.filter((name) => /^burst-\d*[02468]$/.test(name)),
      'the violations are those of the cluster as it is',
    );
    // The admin token made before the crash still works: tokens are state like the rest.
    assert.ok((await api('/api/v1/tokens')).items.length >= 3);
  });
});
