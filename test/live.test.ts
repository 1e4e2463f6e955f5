import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dump, load, loadAll } from 'js-yaml';
import { appliedManifest, parseCases, type PolicyCase } from '../src/policy/cases.js';
import { builtInPolicyDirectory, loadPolicyPath } from '../src/policy/files/index.js';
import { WATCHED_RESOURCES } from '../src/sensor/resources.js';
import { kubeward, startKubeward, type RunningKubeward } from './support/cli.js';
import { EXCUSE_LEGACY } from './support/ignore-rules.js';
import { clusterSkip, kubectl, kubectlJson, startCluster, type LiveCluster } from './support/cluster.js';
import { temporaryDirectory } from './support/repo.js';

/** Retries until the check passes (the API server's admission configuration and watches settle asynchronously). */
const eventually = async (check: () => Promise<void>, timeoutMs = 30_000): Promise<void> => {
  const started = Date.now();
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
};

const deployment = (namespace: string, name: string, securityContext: Record<string, unknown>, annotations: Record<string, string> = {}): string =>
  dump({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.example.com/shop/app:1.4.2', securityContext }] } },
    },
  });

/** What the cluster holds now, as the sensor's state file spells it: `Kind namespace/name` → resourceVersion. */
const freshList = async (cluster: LiveCluster): Promise<Record<string, string>> => {
  const objects: Record<string, string> = {};
  for (const resource of WATCHED_RESOURCES) {
    const group = resource.apiVersion.includes('/') ? `.${resource.apiVersion.split('/')[0]}` : '';
    const list = await kubectlJson<{ items: { metadata: { name: string; namespace?: string; resourceVersion: string } }[] }>(cluster, [
      'get',
      `${resource.plural}${group}`,
      ...(resource.namespaced ? ['-A'] : []),
      '-o',
      'json',
    ]);
    for (const item of list.items)
      objects[`${resource.kind} ${item.metadata.namespace ? `${item.metadata.namespace}/` : ''}${item.metadata.name}`] = item.metadata.resourceVersion;
  }
  return objects;
};

describe('against a real kube-apiserver', { skip: clusterSkip, timeout: 15 * 60_000 }, () => {
  let cluster: LiveCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  describe('kubeward sensor', () => {
    let sensor: RunningKubeward;
    let stateFile: string;
    const state = async (): Promise<Record<string, string>> => (JSON.parse(await readFile(stateFile, 'utf8')) as { objects: Record<string, string> }).objects;
    const inStep = () => eventually(async () => assert.deepEqual(await state(), await freshList(cluster)), 60_000);
    before(async () => {
      stateFile = join(await temporaryDirectory(), 'state.json');
      sensor = startKubeward(['sensor', '--kubeconfig', cluster.kubeconfig, '--output', 'json', '--debounce', '50', '--state-file', stateFile]);
      await sensor.waitForStdout(/"event":"synced"/, 60_000);
    });
    after(() => sensor?.stop());

    it('follows creates, updates and deletes, reporting violations as they appear and are resolved', async () => {
      await kubectl(cluster, ['create', 'namespace', 'sensed']);
      let mark = sensor.stdout().length;
      await kubectl(cluster, ['apply', '-f', '-'], { stdin: deployment('sensed', 'web', { privileged: true }) });
      await sensor.waitForStdout(
        /"event":"violation","policyId":"privileged-container","policyName":"Privileged container","severity":"HIGH","object":\{"apiVersion":"apps\/v1","kind":"Deployment","namespace":"sensed","name":"web"/,
        30_000,
        mark,
      );
      mark = sensor.stdout().length;
      await kubectl(cluster, ['apply', '-f', '-'], { stdin: deployment('sensed', 'web', { privileged: false }) });
      await sensor.waitForStdout(/"event":"resolved","policyId":"privileged-container"[^\n]*"name":"web"/, 30_000, mark);
      await kubectl(cluster, ['delete', 'deployment', '-n', 'sensed', 'web']);
      await inStep();
      assert.equal((await state())['Deployment sensed/web'], undefined);
      // Secrets are held as metadata: the sensor's model never sees a value.
      // Applied, so last-applied-configuration quotes the value: metadata-only reading must drop it.
      await kubectl(cluster, ['apply', '-f', '-'], {
        stdin: dump({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'sensed' }, stringData: { password: 'hunter2-do-not-print' } }),
      });
      await inStep();
      assert.ok(!sensor.stdout().includes('hunter2') && !(await readFile(stateFile, 'utf8')).includes('hunter2'));
    });

    it('reconnects when the API server goes away and comes back, and misses nothing', async () => {
      const mark = sensor.stdout().length;
      await cluster.stopApiServer();
      await sensor.waitForStdout(/"event":"note"[^\n]*retrying in/, 30_000, mark);
      await cluster.startApiServer();
      await kubectl(cluster, ['apply', '-f', '-'], { stdin: deployment('sensed', 'after-restart', { privileged: true }) });
      await sensor.waitForStdout(/"event":"violation","policyId":"privileged-container"[^\n]*"name":"after-restart"/, 60_000, mark);
      await inStep();
    });

    it('a watch resumed after compaction gets 410 Gone, lists again, and drops what was deleted meanwhile', async () => {
      await inStep();
      const mark = sensor.stdout().length;
      sensor.pause();
      try {
        await kubectl(cluster, ['delete', 'deployment', '-n', 'sensed', 'after-restart']);
        await kubectl(cluster, ['apply', '-f', '-'], { stdin: deployment('sensed', 'while-away', { privileged: false }) });
        await cluster.compact();
        // A fresh API server has no watch cache for the old versions either: the resumed watch is answered 410.
        await cluster.restartApiServer();
      } finally {
        sensor.resume();
      }
      await sensor.waitForStdout(/410 Gone[^\n]*listing again/, 60_000, mark);
      await inStep();
      assert.equal((await state())['Deployment sensed/after-restart'], undefined);
      assert.ok((await state())['Deployment sensed/while-away']);
      await sensor.waitForStdout(/"event":"resolved","policyId":"privileged-container"[^\n]*"name":"after-restart"/, 30_000, mark);
    });

    it('honours the .kubeward.yaml ignore: rules that kubeward scan honours', async () => {
      const directory = await temporaryDirectory();
      await writeFile(join(directory, '.kubeward.yaml'), EXCUSE_LEGACY);
      const configured = startKubeward(['sensor', '--kubeconfig', cluster.kubeconfig, '--output', 'json', '--debounce', '50'], { cwd: directory });
      try {
        await configured.waitForStdout(/"event":"synced"/, 60_000);
        assert.match(configured.stderr(), /ignore\[1\] \(policy privileged-container\) expired on 2020-01-01/);
        for (const namespace of ['legacy', 'shop']) await kubectl(cluster, ['create', 'namespace', namespace]);
        // Legacy first: by the time shop's violation is out, legacy's Deployment has been judged too.
        await kubectl(cluster, ['apply', '-f', '-'], { stdin: deployment('legacy', 'web', { privileged: true }) });
        await kubectl(cluster, ['apply', '-f', '-'], { stdin: deployment('shop', 'web', { privileged: true }) });
        await configured.waitForStdout(/"event":"violation","policyId":"privileged-container"[^\n]*"namespace":"shop","name":"web"/, 30_000);
        assert.doesNotMatch(configured.stdout(), /"policyId":"privileged-container"[^\n]*"namespace":"legacy"/);
        // The sensor without the configuration reports both.
        await sensor.waitForStdout(/"event":"violation","policyId":"privileged-container"[^\n]*"namespace":"legacy","name":"web"/, 30_000);
      } finally {
        await configured.stop();
      }
    });
  });

  describe('kubeward admission serve, registered with the API server', () => {
    let webhook: RunningKubeward;
    let webhookConfig: string;
    before(async () => {
      const tls = await temporaryDirectory();
      const manifests = await kubeward(['admission', 'manifests', '--url', 'https://127.0.0.1:1/validate', '--tls-dir', tls, '--failure-policy', 'Fail']);
      assert.equal(manifests.code, 0, manifests.stderr);
      webhook = startKubeward([
        'admission',
        'serve',
        '--tls-cert',
        join(tls, 'tls.crt'),
        '--tls-key',
        join(tls, 'tls.key'),
        '--port',
        '0',
        '--address',
        '127.0.0.1',
        '--enforce',
        'privileged-container',
      ]);
      const port = (await webhook.waitForStderr(/webhook on https:\/\/127\.0\.0\.1:(\d+)\//))[1] as string;
      webhookConfig = manifests.stdout.replace('https://127.0.0.1:1/validate', `https://127.0.0.1:${port}/validate`);
      await kubectl(cluster, ['create', 'namespace', 'guarded']);
      await kubectl(cluster, ['apply', '-f', '-'], { stdin: webhookConfig });
      // The API server picks the configuration up asynchronously.
      await eventually(async () => {
        const probe = await kubectl(cluster, ['apply', '--dry-run=server', '-f', '-'], {
          stdin: deployment('guarded', 'probe', { privileged: true }),
          allowFailure: true,
        });
        assert.match(probe.stderr, /kubeward denied/);
      });
    });
    after(async () => {
      await kubectl(cluster, ['delete', 'validatingwebhookconfiguration', 'kubeward-admission', '--ignore-not-found']);
      await webhook?.stop();
    });

    it('kubectl apply of a privileged Deployment is refused with our message; a hardened one is admitted', async () => {
      const refused = await kubectl(cluster, ['apply', '-f', '-'], { stdin: deployment('guarded', 'web', { privileged: true }), allowFailure: true });
      assert.notEqual(refused.code, 0);
      assert.match(
        refused.stderr,
        /admission webhook "policyeval\.admission\.kubeward\.io" denied the request: kubeward denied Deployment guarded\/web: 1 enforced policy violated/,
      );
      assert.match(
        refused.stderr,
        /\[privileged-container\] Privileged container: container 'app' is privileged\. Fix: Remove `securityContext\.privileged: true`/,
      );
      const admitted = await kubectl(cluster, ['apply', '-f', '-'], {
        stdin: deployment('guarded', 'api', {
          privileged: false,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        }),
      });
      assert.equal(admitted.code, 0, admitted.stderr);
      await kubectlJson(cluster, ['get', 'deployment', '-n', 'guarded', 'api', '-o', 'json']);
    });

    it('a break-glass Deployment is admitted with a warning, and the webhook records it; --dry-run=server is judged the same, without the record', async () => {
      const mark = webhook.stdout().length;
      const glass = deployment('guarded', 'hotfix', { privileged: true }, { 'admission.kubeward.io/break-glass': 'INC-4711' });
      const admitted = await kubectl(cluster, ['apply', '-f', '-'], { stdin: glass });
      assert.equal(admitted.code, 0, admitted.stderr);
      assert.match(admitted.stderr, /Warning: kubeward: break-glass \(admission\.kubeward\.io\/break-glass\) let 1 enforced violation\(s\) through/);
      await webhook.waitForStdout(
        /"event":"break-glass","outcome":"break-glass","object":"Deployment guarded\/hotfix"[^\n]*"reason":"INC-4711","dryRun":false/,
        10_000,
        mark,
      );
      const dryMark = webhook.stdout().length;
      const dry = await kubectl(cluster, ['apply', '--dry-run=server', '-f', '-'], {
        stdin: deployment('guarded', 'web', { privileged: true }),
        allowFailure: true,
      });
      assert.notEqual(dry.code, 0);
      assert.match(dry.stderr, /kubeward denied Deployment guarded\/web/);
      await webhook.waitForStdout(/"outcome":"denied","object":"Deployment guarded\/web"[^\n]*"dryRun":true/, 10_000, dryMark);
      const dryGlass = await kubectl(cluster, ['apply', '--dry-run=server', '-f', '-'], { stdin: glass.replace('hotfix', 'hotfix-2') });
      assert.equal(dryGlass.code, 0, dryGlass.stderr);
      await webhook.waitForStdout(/"event":"admission","outcome":"break-glass"[^\n]*"dryRun":true/, 10_000, dryMark);
      assert.doesNotMatch(webhook.stdout().slice(dryMark), /"event":"break-glass"/);
    });
  });

  describe('kubeward policy export-vap, enforced by the API server itself', () => {
    it("every compiled default policy: each positive case refused with the policy's message, each negative case admitted", async (t) => {
      const exported = await kubeward(['policy', 'export-vap']);
      assert.equal(exported.code, 0, exported.stderr);
      const objects = loadAll(exported.stdout) as { kind: string; metadata: { name: string; labels: Record<string, string> }; spec: Record<string, unknown> }[];
      const ids = objects
        .filter((object) => object.kind === 'ValidatingAdmissionPolicy')
        .map((object) => object.metadata.labels['policy.kubeward.io/id'] as string);
      assert.ok(ids.length >= 10, `${ids.length} policies compiled`);
      // Each policy's binding only in its own namespace, so every case meets exactly one policy.
      for (const object of objects)
        if (object.kind === 'ValidatingAdmissionPolicyBinding')
          object.spec.matchResources = { namespaceSelector: { matchLabels: { 'vap.kubeward.test/policy': object.metadata.labels['policy.kubeward.io/id'] } } };
      for (const id of ids)
        await kubectl(cluster, ['apply', '-f', '-'], {
          stdin: dump({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `vap-${id}`, labels: { 'vap.kubeward.test/policy': id } } }),
        });
      const file = join(await temporaryDirectory(), 'vap.yaml');
      await writeFile(file, objects.map((object) => dump(object, { lineWidth: -1 })).join('---\n'));
      const applied = await kubectl(cluster, ['apply', '-f', file]);
      assert.equal(applied.code, 0, applied.stderr);
      const { policies } = await loadPolicyPath(builtInPolicyDirectory(), process.cwd());
      let positives = 0;
      let negatives = 0;
      const invalid: string[] = [];
      for (const id of ids) {
        const policy = policies.find((entry) => entry.id === id);
        assert.ok(policy);
        const cases = (parseCases(load(await readFile(join(builtInPolicyDirectory(), 'tests', `${id}.yaml`), 'utf8'))) as PolicyCase[])
          .filter((testCase) => testCase.pod && !testCase.objects)
          // Refusals first: once one is refused the policy is active, so an admitted case proves something.
          .sort((a, b) => Number(b.expect > 0) - Number(a.expect > 0));
        for (const [index, testCase] of cases.entries()) {
          const manifest = appliedManifest(testCase) as Record<string, unknown> & { metadata: Record<string, unknown> };
          manifest.metadata = { ...manifest.metadata, name: `case-${index}`, namespace: `vap-${id}` };
          const apply = () => kubectl(cluster, ['apply', '--dry-run=server', '-f', '-'], { stdin: dump(manifest), allowFailure: true });
          // Some cases hold what the API server's own validation refuses before admission (privileged
          // with allowPrivilegeEscalation: false): no cluster can hold them, so no policy meets them.
          const first = await apply();
          if (/ is invalid: /.test(first.stderr)) {
            invalid.push(`${id}: ${testCase.name}`);
            continue;
          }
          if (testCase.expect > 0) {
            // Retried: a policy takes a moment to be active after it is applied.
            await eventually(async () => {
              const result = await apply();
              assert.notEqual(result.code, 0, `${id}: ${testCase.name} should be refused`);
              assert.match(
                result.stderr,
                new RegExp(`ValidatingAdmissionPolicy 'kubeward-${id}' with binding 'kubeward-${id}' denied request: \\[${id}\\]`),
                `${id}: ${testCase.name}`,
              );
            }, 30_000);
            positives++;
          } else {
            const result = await apply();
            assert.equal(result.code, 0, `${id}: ${testCase.name} should be admitted: ${result.stderr}`);
            negatives++;
          }
        }
      }
      t.diagnostic(
        `${ids.length} policies: ${positives} cases refused, ${negatives} admitted, ${invalid.length} invalid to the API server (${invalid.join('; ')})`,
      );
      assert.ok(positives >= 20 && negatives >= 15, `${positives} refused, ${negatives} admitted`);
      assert.ok(invalid.length <= 3, `cases the API server finds invalid: ${invalid.join('; ')}`);
    });
  });
});
