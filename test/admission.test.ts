import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { load } from 'js-yaml';
import { EXCUSE_LEGACY } from './support/ignore-rules.js';
import { kubeward, startKubeward, type RunningKubeward } from './support/cli.js';
import { temporaryDirectory } from './support/repo.js';

interface Answer {
  readonly status: number;
  readonly body: string;
}

const post = (
  port: number,
  ca: Buffer,
  path: string,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  method = 'POST',
  client: { cert?: Buffer; key?: Buffer } = {},
): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const request = httpsRequest(
      { host: '127.0.0.1', port, path, method, ca, ...client, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });

const review = (object: Record<string, unknown>, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'e911857d-c318-11e8-bbad-025000000001',
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'alice' },
      object,
      dryRun: false,
      ...extra,
    },
  });

const PRIVILEGED = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', securityContext: { privileged: true } }] } },
  },
};

describe('kubeward admission serve, over HTTPS', () => {
  let tls: string;
  let ca: Buffer;
  let server: RunningKubeward;
  let port: number;
  before(async () => {
    tls = await temporaryDirectory();
    const manifests = await kubeward(['admission', 'manifests', '--url', 'https://127.0.0.1:8443/validate', '--tls-dir', tls]);
    assert.equal(manifests.code, 0, manifests.stderr);
    ca = await readFile(join(tls, 'ca.crt'));
    const webhook = load(manifests.stdout) as { webhooks: { clientConfig: { url: string; caBundle: string } }[] };
    assert.equal(webhook.webhooks[0]?.clientConfig.url, 'https://127.0.0.1:8443/validate');
    assert.equal(
      Buffer.from(webhook.webhooks[0]?.clientConfig.caBundle ?? '', 'base64').toString(),
      ca.toString(),
      'caBundle is the CA that signed the serving certificate',
    );
    server = startKubeward([
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
    port = Number((await server.waitForStderr(/webhook on https:\/\/127\.0\.0\.1:(\d+)\/validate/))[1]);
  });
  after(() => server?.stop());

  it('answers an AdmissionReview with one, denying the privileged Deployment, and logs the decision as a JSON line', async () => {
    const answer = await post(port, ca, '/validate', review(PRIVILEGED));
    assert.equal(answer.status, 200);
    const body = JSON.parse(answer.body) as {
      apiVersion: string;
      kind: string;
      response: { uid: string; allowed: boolean; status: { code: number; message: string } };
    };
    assert.equal(body.apiVersion, 'admission.k8s.io/v1');
    assert.equal(body.kind, 'AdmissionReview');
    assert.equal(body.response.uid, 'e911857d-c318-11e8-bbad-025000000001');
    assert.equal(body.response.allowed, false);
    assert.match(body.response.status.message, /\[privileged-container\] Privileged container: container 'web' is privileged\. Fix:/);
    assert.doesNotMatch(answer.body, /namespace-without-network-policy/, 'policies that need other objects are not judged on one object');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const event = JSON.parse(server.stdout().trim().split('\n').at(-1) ?? '{}') as { event: string; outcome: string; object: string; user: string };
    assert.deepEqual([event.event, event.outcome, event.object, event.user], ['admission', 'denied', 'Deployment shop/web', 'alice']);
  });

  it('refuses what is not an AdmissionReview with the reason, and serves health probes', async () => {
    const cases: [string, Promise<Answer>, number, RegExp][] = [
      ['not JSON', post(port, ca, '/validate', '{"apiVersion":'), 400, /the body is not JSON/],
      [
        'v1beta1',
        post(port, ca, '/validate', await readFile(join('test', 'fixtures', 'admission', 'v1beta1-review.json'), 'utf8')),
        400,
        /expected an admission\.k8s\.io\/v1 AdmissionReview/,
      ],
      ['text/plain', post(port, ca, '/validate', review(PRIVILEGED), { 'content-type': 'text/plain' }), 415, /is not application\/json/],
      ['17 MiB', post(port, ca, '/validate', ' '.repeat(17 * 1024 * 1024)), 413, /over the 16777216-byte limit/],
      ['another path', post(port, ca, '/mutate', '{}'), 404, /answers POST \/validate/],
      ['GET', post(port, ca, '/validate', '', {}, 'GET'), 405, /POST an AdmissionReview/],
      ['health', post(port, ca, '/healthz', '', {}, 'GET'), 200, /^ok$/],
    ];
    for (const [name, answer, status, body] of cases) {
      const { status: got, body: text } = await answer;
      assert.equal(got, status, name);
      assert.match(text, body, name);
    }
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const other = startKubeward([
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
    ]);
    await other.waitForStderr(/webhook on/);
    assert.equal(await other.stop(), 0);
  });

  it('a decision past its time budget gets the failure policy: closed denies, open admits with a warning', async () => {
    for (const [policy, allowed] of [
      ['closed', false],
      ['open', true],
    ] as const) {
      const budgeted = startKubeward([
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
        '--time-budget',
        '0',
        '--failure-policy',
        policy,
      ]);
      const budgetPort = Number((await budgeted.waitForStderr(/webhook on https:\/\/127\.0\.0\.1:(\d+)\//))[1]);
      const body = JSON.parse((await post(budgetPort, ca, '/validate', review(PRIVILEGED))).body) as {
        response: { allowed: boolean; status?: { code: number; message: string }; warnings?: string[] };
      };
      assert.equal(body.response.allowed, allowed, policy);
      if (policy === 'closed') assert.deepEqual([body.response.status?.code, /fail-closed/.test(body.response.status?.message ?? '')], [503, true]);
      else assert.match(body.response.warnings?.[0] ?? '', /not checked \(the 0 ms time budget ran out\); allowed by the fail-open policy/);
      await budgeted.waitForStderr(/the 0 ms time budget ran out before the decision; answered/);
      await budgeted.stop();
    }
  });

  it('a Deployment with 3,000 privileged containers is still denied: enforced policies are judged first, the others only while the budget lasts', async () => {
    const containers = Array.from({ length: 3000 }, (_, index) => ({ name: `c${index}`, image: 'busybox:1.36', securityContext: { privileged: true } }));
    const huge = { ...PRIVILEGED, spec: { ...PRIVILEGED.spec, template: { ...PRIVILEGED.spec.template, spec: { containers } } } };
    const body = JSON.parse((await post(port, ca, '/validate', review(huge))).body) as { response: { allowed: boolean; status: { message: string } } };
    assert.equal(body.response.allowed, false);
    assert.match(body.response.status.message, /\[privileged-container\] Privileged container: container 'c0' is privileged; .*; and 2995 more\. Fix:/);
    assert.ok(body.response.status.message.length < 2000, 'the denial stays short');
  });

  it('kubectl debug adds containers through pods/ephemeralcontainers: judged like the Pod; a Pod being deleted may lose its finalizers', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'app', namespace: 'shop' },
      spec: {
        containers: [{ name: 'app', image: 'nginx:1.27' }],
        ephemeralContainers: [{ name: 'debugger', image: 'busybox:1.36', securityContext: { privileged: true } }],
      },
    };
    const podKind = { kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' } };
    const debug = JSON.parse(
      (await post(port, ca, '/validate', review(pod, { ...podKind, subResource: 'ephemeralcontainers', operation: 'UPDATE' }))).body,
    ) as { response: { allowed: boolean; status?: { message: string } } };
    assert.equal(debug.response.allowed, false);
    assert.match(debug.response.status?.message ?? '', /container 'debugger' is privileged/);
    const deleting = { ...PRIVILEGED, metadata: { ...PRIVILEGED.metadata, deletionTimestamp: '2026-11-29T06:00:00Z', finalizers: [] } };
    const finalizer = JSON.parse((await post(port, ca, '/validate', review(deleting, { operation: 'UPDATE' }))).body) as { response: { allowed: boolean } };
    assert.equal(finalizer.response.allowed, true);
  });

  it('--client-ca: /validate answers only callers with a certificate of that CA (the API server); probes stay open', async () => {
    const pki = await temporaryDirectory();
    const openssl = (args: string[]): void => void execFileSync('openssl', args, { cwd: pki, stdio: 'ignore' });
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=apiserver-client-ca', '-keyout', 'ca.key', '-out', 'ca.crt']);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=kube-apiserver', '-keyout', 'client.key', '-out', 'client.csr']);
    openssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'client.crt']);
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=intruder', '-keyout', 'other.key', '-out', 'other.crt']);
    const guarded = startKubeward([
      'admission',
      'serve',
      '--tls-cert',
      join(tls, 'tls.crt'),
      '--tls-key',
      join(tls, 'tls.key'),
      '--client-ca',
      join(pki, 'ca.crt'),
      '--port',
      '0',
      '--address',
      '127.0.0.1',
    ]);
    try {
      const guardedPort = Number((await guarded.waitForStderr(/webhook on https:\/\/127\.0\.0\.1:(\d+)\/validate.*client certificates required/))[1]);
      const read = (name: string) => readFile(join(pki, name));
      const anonymous = await post(guardedPort, ca, '/validate', review(PRIVILEGED));
      assert.deepEqual([anonymous.status, /client certificate/.test(anonymous.body)], [401, true]);
      const intruder = await post(guardedPort, ca, '/validate', review(PRIVILEGED), { 'content-type': 'application/json' }, 'POST', {
        cert: await read('other.crt'),
        key: await read('other.key'),
      });
      assert.equal(intruder.status, 401, 'a self-signed certificate is no certificate of the CA');
      const apiServer = await post(guardedPort, ca, '/validate', review(PRIVILEGED), { 'content-type': 'application/json' }, 'POST', {
        cert: await read('client.crt'),
        key: await read('client.key'),
      });
      assert.equal(apiServer.status, 200);
      assert.equal((JSON.parse(apiServer.body) as { response: { allowed: boolean } }).response.allowed, true, 'nothing enforced here: warnings only');
      assert.equal((await post(guardedPort, ca, '/healthz', '', {}, 'GET')).status, 200);
    } finally {
      await guarded.stop();
    }
  });

  it(".kubeward.yaml ignore: rules are the operator's: they let an enforced violation through where an object's own annotation cannot", async () => {
    const directory = await temporaryDirectory();
    // The same rules as test/ignore-rules.test.ts gives scan and risk: legacy excused, shop's rule lapsed.
    await writeFile(join(directory, '.kubeward.yaml'), EXCUSE_LEGACY);
    const configured = startKubeward(
      [
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
      ],
      { cwd: directory },
    );
    try {
      const configuredPort = Number((await configured.waitForStderr(/webhook on https:\/\/127\.0\.0\.1:(\d+)\/validate/))[1]);
      assert.match(configured.stderr(), /ignore\[1\] \(policy privileged-container\) expired on 2020-01-01/);
      const inNamespace = (namespace: string, annotations: Record<string, string> = {}) => {
        return review({ ...PRIVILEGED, metadata: { ...PRIVILEGED.metadata, namespace, annotations } }, { namespace });
      };
      const allowed = async (port: number, body: string): Promise<boolean> =>
        (JSON.parse((await post(port, ca, '/validate', body)).body) as { response: { allowed: boolean } }).response.allowed;
      assert.equal(await allowed(configuredPort, inNamespace('legacy')), true, 'excused by the configuration');
      assert.equal(await allowed(configuredPort, inNamespace('shop')), false, 'the rule for shop has lapsed');
      assert.equal(
        await allowed(configuredPort, inNamespace('shop', { 'kubeward.io/ignore': 'privileged-container' })),
        false,
        'an annotation does not switch enforcement off',
      );
      assert.equal(await allowed(port, inNamespace('legacy')), false, 'without the configuration, the same request is denied');
    } finally {
      await configured.stop();
    }
  });

  it('bad settings exit 2 with one line', async () => {
    const noCert = await kubeward(['admission', 'serve']);
    assert.equal(noCert.code, 2);
    assert.match(noCert.stderr, /--tls-cert is required/);
    const typo = await kubeward([
      'admission',
      'serve',
      '--tls-cert',
      join(tls, 'tls.crt'),
      '--tls-key',
      join(tls, 'tls.key'),
      '--enforce',
      'privileged-containr',
    ]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /--enforce privileged-containr matches no active DEPLOY-stage policy/);
  });
});

describe('kubeward admission manifests', () => {
  it('prints an installable set: hardened Deployment, Service, TLS Secret, webhook for every workload kind', async () => {
    const result = await kubeward(['admission', 'manifests', '--enforce', 'privileged-container', '--failure-policy', 'Fail']);
    assert.equal(result.code, 0, result.stderr);
    const objects = result.stdout.split(/^---$/m).map(
      (text) =>
        load(text) as {
          kind: string;
          metadata: { name: string };
          webhooks?: { failurePolicy: string; rules: { resources: string[] }[]; sideEffects: string }[];
        },
    );
    assert.deepEqual(
      objects.map((object) => object.kind),
      ['Namespace', 'ServiceAccount', 'Secret', 'Deployment', 'Service', 'NetworkPolicy', 'PodDisruptionBudget', 'ValidatingWebhookConfiguration'],
    );
    const webhook = objects.at(-1)?.webhooks?.[0];
    assert.equal(webhook?.failurePolicy, 'Fail');
    assert.equal(webhook?.sideEffects, 'NoneOnDryRun');
    assert.deepEqual(webhook?.rules.flatMap((rule) => rule.resources).sort(), [
      'cronjobs',
      'daemonsets',
      'deployments',
      'jobs',
      'pods',
      'pods/ephemeralcontainers',
      'replicasets',
      'replicationcontrollers',
      'statefulsets',
    ]);
    // The manifests pass Kubeward's own default policies.
    const directory = await temporaryDirectory();
    const file = join(directory, 'install.yaml');
    await (await import('node:fs/promises')).writeFile(file, result.stdout);
    const scan = await kubeward(['scan', file, '--format', 'json', '--fail-on', 'medium']);
    assert.equal(scan.code, 0, scan.stdout.slice(0, 2000));
    const globbed = await kubeward(['admission', 'manifests', '--exclude-namespace', 'team-*', '--exclude-namespace', 'legacy']);
    assert.match(globbed.stdout, /values:\n(\s+- [a-z-]+\n)*\s+- legacy\n/);
    assert.doesNotMatch(globbed.stdout.slice(globbed.stdout.indexOf('kind: ValidatingWebhookConfiguration')), /team-\*/, 'a glob is no label value');
    assert.match(globbed.stdout, /- '--exclude-namespace'\n\s+- team-\*/, 'the webhook itself checks the glob');
    const certManager = await kubeward(['admission', 'manifests', '--cert-manager']);
    assert.match(certManager.stdout, /kind: Certificate\n/);
    assert.match(certManager.stdout, /cert-manager\.io\/inject-ca-from: kubeward\/kubeward-admission/);
    assert.doesNotMatch(certManager.stdout, /BEGIN/);
  });
});

describe('kubeward admission serve under load and abuse', () => {
  let tls: string;
  let ca: Buffer;
  before(async () => {
    tls = await temporaryDirectory();
    assert.equal((await kubeward(['admission', 'manifests', '--url', 'https://127.0.0.1:8443/validate', '--tls-dir', tls])).code, 0);
    ca = await readFile(join(tls, 'ca.crt'));
  });
  const serve = async (extra: string[]): Promise<{ server: RunningKubeward; port: number }> => {
    const server = startKubeward([
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
      ...extra,
    ]);
    return { server, port: Number((await server.waitForStderr(/webhook on https:\/\/127\.0\.0\.1:(\d+)\/validate/))[1]) };
  };
  const huge = (count: number) => ({
    ...PRIVILEGED,
    spec: {
      ...PRIVILEGED.spec,
      template: {
        ...PRIVILEGED.spec.template,
        spec: {
          containers: Array.from({ length: count }, (_, index) => ({
            name: `c${index}`,
            image: `registry.example.com/app-${index}:1`,
            securityContext: { privileged: index === count - 1 },
          })),
        },
      },
    },
  });

  it('a slow decision holds neither the probes nor the other requests (decisions run in worker threads)', async () => {
    const { server, port } = await serve(['--workers', '2', '--time-budget', '60000']);
    try {
      const slow = post(port, ca, '/validate', review(huge(19_000)));
      await new Promise((resolve) => setTimeout(resolve, 150));
      const times: number[] = [];
      for (let index = 0; index < 10; index++) {
        const started = performance.now();
        const answer = await post(port, ca, '/validate', review(PRIVILEGED));
        times.push(performance.now() - started);
        assert.equal((JSON.parse(answer.body) as { response: { allowed: boolean } }).response.allowed, false);
        assert.equal((await post(port, ca, '/healthz', '', {}, 'GET')).status, 200);
      }
      const slowAnswer = JSON.parse((await slow).body) as { response: { allowed: boolean; status?: { message: string } } };
      assert.equal(slowAnswer.response.allowed, false, 'the huge one is still judged, and denied');
      assert.ok(Math.max(...times) < 1000, `small decisions took ${times.map((time) => time.toFixed(0)).join(', ')} ms`);
    } finally {
      await server.stop();
    }
  });

  it('a decision past its hard deadline is stopped, answered by the failure policy, and the next one is judged', async () => {
    const { server, port } = await serve(['--workers', '1', '--hard-timeout', '300', '--failure-policy', 'closed']);
    try {
      const stopped = JSON.parse((await post(port, ca, '/validate', review(huge(40_000)))).body) as {
        response: { allowed: boolean; status?: { code: number; message: string } };
      };
      assert.deepEqual([stopped.response.allowed, stopped.response.status?.code], [false, 503]);
      assert.match(stopped.response.status?.message ?? '', /the decision took over 300 ms/);
      await server.waitForStderr(/was still running after 300 ms and was stopped; answered closed/);
      // The replacement worker loads and compiles the policies first, which on a loaded machine
      // takes longer than this server's 300 ms hard deadline: let it start before judging.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const next = JSON.parse((await post(port, ca, '/validate', review(PRIVILEGED))).body) as { response: { allowed: boolean; status?: { code: number } } };
      assert.deepEqual([next.response.allowed, next.response.status?.code], [false, 403], 'a fresh worker judged it');
    } finally {
      await server.stop();
    }
  });

  it('connections beyond the per-source cap are closed at once, and other sources are still answered', async () => {
    const { server, port } = await serve(['--max-connections-per-source', '50']);
    const sockets: Socket[] = [];
    try {
      let closed = 0;
      await Promise.all(
        Array.from(
          { length: 400 },
          () =>
            new Promise<void>((resolve) => {
              // 127.0.0.2 is loopback too: a flood from one address that is not the API server's.
              const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' }, () => resolve());
              socket.on('close', () => closed++);
              socket.on('error', () => resolve());
              sockets.push(socket);
            }),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(closed >= 340, `${closed} of 400 flooding connections closed`);
      const answer = await post(port, ca, '/validate', review(PRIVILEGED));
      assert.equal(answer.status, 200);
      await server.waitForStderr(/more than 50 connections from (::ffff:)?127\.0\.0\.2; new ones are closed/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.stop();
    }
  });
});
