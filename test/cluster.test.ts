import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clusterSkip, kubectl, kubectlJson, startCluster, type LiveCluster } from './support/cluster.js';

/** The live test cluster itself: etcd and kube-apiserver v1.35.4 started here, driven with kubectl. */
describe('live test cluster', { skip: clusterSkip, timeout: 10 * 60_000 }, () => {
  let cluster: LiveCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  const manifest = `apiVersion: v1
kind: Namespace
metadata:
  name: kubeward-smoke
  labels:
    kubeward.test/smoke: "true"
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: kubeward-smoke
spec:
  containers:
  - name: web
    image: nginx:1.27
    securityContext:
      privileged: true
`;

  interface Pod {
    metadata: { name: string; namespace: string; uid: string };
    spec: { containers: { image: string; securityContext?: { privileged?: boolean } }[]; nodeName?: string };
    status: { phase?: string };
  }

  test('kubectl applies a Namespace and a Pod and reads them back', async () => {
    const applied = await kubectl(cluster, ['apply', '-f', '-'], { stdin: manifest });
    assert.match(applied.stdout, /namespace\/kubeward-smoke created/);
    assert.match(applied.stdout, /pod\/web created/);
    const namespace = await kubectlJson<{ metadata: { name: string; labels: Record<string, string> }; status: { phase: string } }>(cluster, [
      'get',
      'namespace',
      'kubeward-smoke',
    ]);
    assert.equal(namespace.metadata.name, 'kubeward-smoke');
    assert.equal(namespace.metadata.labels['kubeward.test/smoke'], 'true');
    assert.equal(namespace.status.phase, 'Active');
    const pod = await kubectlJson<Pod>(cluster, ['get', 'pod', 'web', '-n', 'kubeward-smoke']);
    assert.equal(pod.metadata.namespace, 'kubeward-smoke');
    assert.equal(pod.spec.containers[0]?.image, 'nginx:1.27');
    assert.equal(pod.spec.containers[0]?.securityContext?.privileged, true);
    // No scheduler and no kubelet: the Pod is stored, never placed.
    assert.equal(pod.spec.nodeName, undefined);
    assert.equal(pod.status.phase, 'Pending');
  });

  test('kubectl and the API server are v1.35.4', async () => {
    const version = await kubectlJson<{
      clientVersion: { gitVersion: string; major: string; minor: string };
      serverVersion: { gitVersion: string; major: string; minor: string; gitTreeState: string };
    }>(cluster, ['version']);
    assert.equal(version.clientVersion.gitVersion, 'v1.35.4');
    assert.equal(version.serverVersion.gitVersion, 'v1.35.4');
    assert.equal(version.serverVersion.major, '1');
    assert.equal(version.serverVersion.minor, '35');
    assert.equal(version.serverVersion.gitTreeState, 'clean');
  });

  test('RBAC is enforced for users outside system:masters', async () => {
    const denied = await kubectl(cluster, ['auth', 'can-i', 'list', 'secrets', '--as', 'someone', '-n', 'kubeward-smoke'], { allowFailure: true });
    assert.equal(denied.stdout.trim(), 'no');
    const allowed = await kubectl(cluster, ['auth', 'can-i', 'list', 'secrets', '-n', 'kubeward-smoke']);
    assert.equal(allowed.stdout.trim(), 'yes');
  });

  test('the API server restarts on the same port with the same etcd', async () => {
    const before = await kubectlJson<Pod>(cluster, ['get', 'pod', 'web', '-n', 'kubeward-smoke']);
    const oldPid = cluster.pids().kubeApiserver;
    await cluster.stopApiServer();
    const down = await kubectl(cluster, ['get', 'namespaces', '--request-timeout=5s'], { allowFailure: true });
    assert.notEqual(down.code, 0, 'kubectl reached a stopped API server');
    await cluster.startApiServer();
    assert.notEqual(cluster.pids().kubeApiserver, oldPid);
    const ready = await kubectl(cluster, ['get', '--raw', '/readyz']);
    assert.equal(ready.stdout.trim(), 'ok');
    const afterRestart = await kubectlJson<Pod>(cluster, ['get', 'pod', 'web', '-n', 'kubeward-smoke']);
    assert.equal(afterRestart.metadata.uid, before.metadata.uid);
    await cluster.restartApiServer();
    assert.equal((await kubectl(cluster, ['get', '--raw', '/readyz'])).stdout.trim(), 'ok');
  });

  test('etcd compacts on demand: older revisions are gone', async () => {
    await kubectl(cluster, ['label', 'pod', 'web', '-n', 'kubeward-smoke', 'step=one']);
    const revision = await cluster.compact();
    assert.ok(revision > 1);
    await assert.rejects(
      cluster.etcdGateway('/v3/kv/range', {
        key: Buffer.from('/').toString('base64'),
        range_end: Buffer.from('0').toString('base64'),
        revision: String(revision - 1),
        count_only: true,
      }),
      /compacted/,
    );
    // The API server carries on over the compacted store.
    await kubectl(cluster, ['label', 'pod', 'web', '-n', 'kubeward-smoke', 'step=two', '--overwrite']);
    const pod = await kubectlJson<Pod & { metadata: { labels: Record<string, string> } }>(cluster, ['get', 'pod', 'web', '-n', 'kubeward-smoke']);
    assert.equal(pod.metadata.labels.step, 'two');
  });
});
