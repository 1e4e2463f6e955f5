import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from './support/eventually.js';
import { kubeward, startKubeward, type RunningKubeward } from './support/cli.js';
import { bookwormImage, hasImageTools } from './support/images.js';
import { startOsvMirror, type OsvMirror } from './support/osv-mirror.js';
import { hasRegistry, startRegistry, type TestRegistry } from './support/registry.js';
import { sharedDataPath, temporaryDirectory } from './support/repo.js';

describe(
  'kubeward server --scan-images: the server pulls and scans what workloads run, and matches again after a database update',
  { skip: (!hasRegistry || !hasImageTools) && 'needs docker-registry, openssl, skopeo, mmdebstrap and umoci', timeout: 10 * 60_000 },
  () => {
    let registry: TestRegistry;
    let mirror: OsvMirror;
    let server: RunningKubeward;
    let directory: string;
    let url: string;
    let admin: string;
    let image: string;

    const api = async (
      method: string,
      path: string,
      token = admin,
      body?: unknown,
    ): Promise<Record<string, unknown> & { items?: Record<string, unknown>[] }> => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    };

    before(async () => {
      directory = await temporaryDirectory();
      registry = await startRegistry({ auth: 'htpasswd' });
      await registry.push(`oci:${(await bookwormImage()).layout}:bookworm`, 'library/debian:bookworm');
      image = `${registry.host}/library/debian:bookworm`;
      mirror = await startOsvMirror(sharedDataPath('osv'));
      // The database starts without Debian's advisories: the first scan finds the packages and none of their vulnerabilities.
      const db = join(directory, 'vulndb');
      const imported = await kubeward(['db', 'import', '--db', db, sharedDataPath('osv', 'Maven', 'all.zip')]);
      assert.equal(imported.code, 0, imported.stderr);
      server = startKubeward(
        [
          'server',
          '--db',
          join(directory, 'central.db'),
          '--port',
          '0',
          '--log-level',
          'info',
          '--scan-images',
          '--vuln-db',
          db,
          '--osv-mirror',
          mirror.url,
          '--registry-ca',
          registry.ca as string,
          '--username',
          registry.username,
        ],
        { env: { KUBEWARD_REGISTRY_PASSWORD: registry.password, KUBEWARD_OSV_MIRROR: mirror.url } },
      );
      url = (await server.waitForStderr(/central on (http:\/\/127\.0\.0\.1:\d+)/, 60_000))[1] ?? '';
      admin = (await server.waitForStderr(/admin token \(shown once, store it now\): (kw_\S+)/))[1] ?? '';
    });
    after(async () => {
      await server?.stop();
      await registry?.stop();
      await mirror?.close();
      if (directory) await rm(directory, { recursive: true, force: true });
    });

    it('scans an image a workload runs, then after db update its Debian vulnerabilities appear and the workload’s risk rises', async () => {
      const workload = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'db', namespace: 'data' },
        spec: {
          selector: { matchLabels: { app: 'db' } },
          template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image }] } },
        },
      };
      await api('POST', '/api/v1/clusters/prod/snapshots', admin, { snapshotId: 's1', objects: [workload] });
      const scanned = await eventually(async () => {
        const [found] = (await api('GET', `/api/v1/images?search=${encodeURIComponent('library/debian')}`)).items ?? [];
        assert.equal(found?.source, 'server', `no server scan yet; the server said: ${server.stdout().slice(-3000)} ${server.stderr().slice(-1000)}`);
        return found as { digest: string; packages: number; vulnerabilities: { total: number } };
      }, 60_000);
      assert.ok(scanned.packages > 50, 'the packages of the pulled image');
      assert.equal(scanned.vulnerabilities.total, 0, 'no Debian advisories yet');
      // The clusters are judged again a second after a scan arrives.
      const before = await eventually(async () => {
        const risk = ((await api('GET', '/api/v1/workloads?cluster=prod')).items?.[0] as { risk: { score: number; factors: { id: string }[] } }).risk;
        assert.ok(!risk.factors.some((factor) => factor.id === 'image-not-scanned'), 'the workload is judged with the scan');
        return risk;
      });

      const update = await api('POST', '/api/v1/vulndb/update');
      assert.deepEqual([update.updated, update.changed], [true, 1]);
      const after = await api('GET', `/api/v1/images/${scanned.digest}`);
      assert.ok((after.vulnerabilities as { total: number }).total > 10, 'matched again against the updated database');
      await eventually(async () => {
        const risk = ((await api('GET', '/api/v1/workloads?cluster=prod')).items?.[0] as { risk: { score: number; factors: { id: string }[] } }).risk;
        assert.ok(risk.factors.some((factor) => factor.id === 'image-vulnerabilities'));
        assert.ok(risk.score >= before.score, 'vulnerabilities never lower the risk');
      }, 60_000);
      const again = await api('POST', '/api/v1/vulndb/update');
      assert.deepEqual([again.updated, again.changed], [false, 0], 'an unchanged mirror changes nothing');
    });
  },
);
