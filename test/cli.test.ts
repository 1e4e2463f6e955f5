import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ScanReport } from '../src/model/index.js';
import { kubeward } from './support/cli.js';
import { temporaryDirectory } from './support/repo.js';

const json = (text: string): ScanReport => JSON.parse(text) as ScanReport;
const key = (finding: ScanReport['findings'][number]) =>
  `${finding.policyId} ${finding.object.kind}/${finding.object.namespace ?? ''}/${finding.object.name}${finding.container ? `/${finding.container}` : ''} ${finding.location.file}:${finding.location.line}`;

describe('kubeward scan examples/', async () => {
  const result = await kubeward(['scan', 'examples', '--format', 'json']);
  const report = json(result.stdout);

  it('fails the build on HIGH findings (exit 1) and prints a summary on stderr', () => {
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /kubeward: \d+ findings/);
    assert.equal(report.summary.errors, 0);
    assert.equal(report.summary.workloads, 14);
  });

  it('finds what a reviewer expects, at the offending line', () => {
    const keys = new Set(report.findings.map(key));
    const expected = [
      'privileged-container Deployment/shop/legacy-admin/admin examples/shop/legacy-admin.yaml:37',
      'container-runtime-socket Deployment/shop/legacy-admin/admin examples/shop/legacy-admin.yaml:42',
      'ssh-port Deployment/shop/legacy-admin/admin examples/shop/legacy-admin.yaml:31',
      'env-var-secret Deployment/shop/legacy-admin/admin examples/shop/legacy-admin.yaml:34',
      'cluster-admin-role-binding ClusterRoleBinding//legacy-admin examples/shop/legacy-admin.yaml:71',
      'env-var-secret Deployment/shop/checkout-api/api examples/shop/checkout-api.yaml:39',
      'run-as-root-user Deployment/shop/checkout-api/api examples/shop/checkout-api.yaml:49',
      'latest-tag Deployment/shop/checkout-api/api examples/shop/checkout-api.yaml:32',
      'duplicate-env-var Deployment/shop/checkout-api/api examples/shop/checkout-api.yaml:43',
      'invalid-target-ports Service/shop/checkout-api examples/shop/checkout-api.yaml:61',
      'liveness-port Deployment/shop/cart-api/api examples/shop/cart-api.yaml:50',
      'default-service-account-token Deployment/shop/cart-api examples/shop/cart-api.yaml:22',
      'privileged-container DaemonSet/ops/node-agent/agent examples/ops/node-agent.yaml:26',
      'host-pid DaemonSet/ops/node-agent examples/ops/node-agent.yaml:18',
      'host-network DaemonSet/ops/node-agent examples/ops/node-agent.yaml:17',
      'bidirectional-mount-propagation DaemonSet/ops/node-agent/agent examples/ops/node-agent.yaml:38',
      'sensitive-host-mounts DaemonSet/ops/node-agent/agent examples/ops/node-agent.yaml:40',
      'env-var-secret CronJob/ops/db-backup/backup examples/ops/db-backup.yaml:64',
      'host-path-volume DaemonSet/ops/log-shipper examples/ops/log-shipper.yaml:84',
      'wildcard-in-rules Role/shop/deployer examples/ops/ci-deployer.yaml:19',
      'rbac-pod-exec ClusterRole//support-debug examples/ops/ci-deployer.yaml:46',
      'unset-memory-requirements Deployment/payments/fraud-scorer/scorer examples/payments/fraud-scorer.yaml:52',
      'namespace-without-network-policy Namespace//shop examples/namespaces.yaml:6',
    ];
    for (const entry of expected) assert.ok(keys.has(entry), `missing: ${entry}`);
  });

  it('leaves the hardened workloads alone', () => {
    const hardened = ['storefront', 'catalog-api', 'gateway', 'redis', 'order-cleanup'];
    const noisy = report.findings.filter((finding) => hardened.includes(finding.object.name) && finding.object.kind !== 'Namespace');
    assert.deepEqual(noisy.map(key), []);
  });

  it('never prints Secret values', () => {
    for (const secret of [
      'c3VwZXItc2VjcmV0LWRlbW8tcGFzc3dvcmQ=',
      'super-secret-demo-password',
      'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
      'pk_live_do_not_commit_me',
      'wJalrXUtnFEMI',
    ]) {
      assert.ok(!result.stdout.includes(secret), `${secret} printed`);
    }
  });
});

describe('kubeward scan exit codes and inputs', () => {
  it('exits 0 when clean, and with --no-fail whatever the findings', async () => {
    assert.equal((await kubeward(['scan', 'examples/shop/storefront.yaml'])).code, 0);
    assert.equal((await kubeward(['scan', 'examples', '--no-fail'])).code, 0);
    assert.equal((await kubeward(['scan', 'examples', '--fail-on', 'critical'])).code, 0);
  });

  it('exits 2 for bad input after reporting everything that could be scanned', async () => {
    const result = await kubeward(['scan', 'examples/shop', 'test/fixtures/bad', '--format', 'json']);
    assert.equal(result.code, 2);
    const report = json(result.stdout);
    assert.deepEqual(
      report.problems.map((problem) => `${problem.file}:${problem.line}:${problem.column} ${problem.code}`),
      ['test/fixtures/bad/broken.yaml:5:17 syntax'],
    );
    assert.ok(report.findings.some((finding) => finding.object.name === 'legacy-admin'));
  });

  it('exits 2 with a one-line error and a hint for usage mistakes', async () => {
    const badFlag = await kubeward(['scan', 'examples', '--fail-on', 'SEVERE']);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /--fail-on <severity>' argument 'SEVERE' is invalid/);
    const nothing = await kubeward(['scan']);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /^kubeward: nothing to scan.*\nhint: kubeward scan examples\/\n$/);
  });

  it('reads stdin, a kubectl List dump and Helm output', async () => {
    const list = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'x' }, spec: { hostPID: true, containers: [{ name: 'c', image: 'busybox:1.36' }] } },
      ],
    });
    const fromStdin = await kubeward(['scan', '-', '--only', 'host-pid', '--format', 'json'], { stdin: list });
    assert.equal(fromStdin.code, 1);
    assert.deepEqual(json(fromStdin.stdout).findings.map(key), ['host-pid Pod/x/p <stdin>:1']);
    const helm =
      '---\n# Source: shop/templates/pod.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n  containers: [{name: c, image: busybox:1.36}]\n';
    const fromHelm = await kubeward(['scan', '-', '--only', 'host-pid', '--format', 'json'], { stdin: helm });
    assert.deepEqual(json(fromHelm.stdout).findings.map(key), ['host-pid Pod/default/p shop/templates/pod.yaml:6']);
  });

  it('applies .kubeward.yaml, and refuses an unknown policy id in it', async () => {
    const directory = await temporaryDirectory();
    await mkdir(join(directory, 'manifests'));
    await writeFile(
      join(directory, 'manifests/pod.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: app}\nspec: {hostPID: true, containers: [{name: c, image: busybox:1.36}]}\n',
    );
    await writeFile(join(directory, '.kubeward.yaml'), 'policies:\n  disable: [host-pid]\nseverityThreshold: HIGH\n');
    const configured = await kubeward(['scan', 'manifests', '--format', 'json'], { cwd: directory });
    assert.deepEqual(
      json(configured.stdout).findings.map((finding) => finding.policyId),
      [],
    );
    assert.equal(configured.code, 0);
    await writeFile(join(directory, '.kubeward.yaml'), 'policies:\n  disable: [host-pdi]\n');
    const typo = await kubeward(['scan', 'manifests'], { cwd: directory });
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /no policy has the id "host-pdi"/);
  });

  it('fails on findings --severity hides, applies ignore rules, and names where a typo was made', async () => {
    const directory = await temporaryDirectory();
    await mkdir(join(directory, 'manifests'));
    await writeFile(
      join(directory, 'manifests/pods.yaml'),
      [
        'apiVersion: v1\nkind: Pod\nmetadata: {name: debug, namespace: legacy}\nspec: {hostPID: true, containers: [{name: c, image: busybox:1.36}]}',
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: tool\n  namespace: legacy\n  annotations: {kubeward.io/ignore: "host-ipc,host-ipcc"}\nspec: {containers: [{name: c, image: busybox:1.36}]}',
      ].join('\n---\n'),
    );
    const hidden = await kubeward(['scan', 'manifests', '--severity', 'critical', '--format', 'json'], { cwd: directory });
    assert.equal(hidden.code, 1, 'a HIGH finding hidden by --severity still fails the scan');
    assert.equal(json(hidden.stdout).findings.length, 0);
    assert.ok(json(hidden.stdout).summary.belowSeverity > 0);
    assert.match(hidden.stderr, /1 failing finding is below --severity CRITICAL/);
    assert.deepEqual(
      json(hidden.stdout).problems.map((problem) => `${problem.level} ${problem.code} ${problem.file}:${problem.line}`),
      ['warning unknown-policy manifests/pods.yaml:11'],
    );

    await writeFile(
      join(directory, '.kubeward.yaml'),
      [
        'ignore:',
        '  - {policy: namespace-without-network-policy, namespace: legacy, reason: platform team owns it}',
        '  - {policy: "host-*", kind: Pod, name: "deb*", reason: node debugging, expires: 2099-01-01}',
        '  - {policy: "*", file: "manifests/**", expires: 2020-01-01}',
      ].join('\n'),
    );
    const ignored = await kubeward(['scan', 'manifests', '--only', 'host-pid,namespace-without-network-policy', '--format', 'json'], { cwd: directory });
    assert.equal(ignored.code, 0, ignored.stderr);
    assert.deepEqual(
      json(ignored.stdout)
        .suppressed.map((finding) => `${finding.policyId} ${finding.suppressed?.by} ${finding.suppressed?.reason}`)
        .sort(),
      ['host-pid config node debugging', 'namespace-without-network-policy config platform team owns it'],
    );
    assert.match(ignored.stderr, /ignore\[2\] \(policy \*\) expired on 2020-01-01/);

    const typo = await kubeward(['scan', 'manifests', '--disable', 'host-pdi'], { cwd: directory });
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /^kubeward: command line --disable: no policy has the id "host-pdi"/);
  });

  it('reads typed API lists whose items carry no kind', async () => {
    const podList = JSON.stringify({
      apiVersion: 'v1',
      kind: 'PodList',
      items: [{ metadata: { name: 'p', namespace: 'x' }, spec: { hostPID: true, containers: [{ name: 'c', image: 'busybox:1.36' }] } }],
    });
    const result = await kubeward(['scan', '-', '--only', 'host-pid', '--format', 'json'], { stdin: podList });
    assert.deepEqual(json(result.stdout).findings.map(key), ['host-pid Pod/x/p <stdin>:1']);
  });

  it('writes every format to a file and honours the ignore annotation', async () => {
    const directory = await temporaryDirectory();
    for (const format of ['table', 'json', 'sarif', 'junit', 'github']) {
      const output = join(directory, `report.${format}`);
      const result = await kubeward(['scan', 'examples/ops', '--format', format, '--output', output, '--no-fail']);
      assert.equal(result.code, 0, result.stderr);
      assert.ok((await readFile(output, 'utf8')).length > 100, format);
    }
    const annotated =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    kubeward.io/ignore: host-pid\n    kubeward.io/ignore-reason: node debugging tool\nspec: {hostPID: true, containers: [{name: c, image: busybox:1.36}]}\n';
    const suppressed = await kubeward(['scan', '-', '--only', 'host-pid', '--format', 'json'], { stdin: annotated });
    assert.equal(suppressed.code, 0);
    assert.deepEqual(
      json(suppressed.stdout).suppressed.map((finding) => finding.suppressed?.reason),
      ['node debugging tool'],
    );
  });
});

describe('kubeward policy', () => {
  it('lists at least 80 policies, explains one and lists fields', async () => {
    const list = await kubeward(['policy', 'list', '--format', 'json']);
    assert.equal(list.code, 0);
    assert.ok((JSON.parse(list.stdout) as unknown[]).length >= 80);
    const explain = await kubeward(['policy', 'explain', 'privileged-container']);
    assert.match(explain.stdout, /^privileged-container: Privileged container\n/);
    assert.match(explain.stdout, /Fix: Remove `securityContext.privileged: true`/);
    assert.match(explain.stdout, /cisKubernetes: 5\.2\.2/);
    const unknown = await kubeward(['policy', 'explain', 'privileged']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /did you mean privileged-container/);
    const fields = await kubeward(['policy', 'fields', '--target', 'Role']);
    assert.match(fields.stdout, /Granted Permission/);
  });

  it('imports a StackRox export into policies that scan runs', async () => {
    const directory = await temporaryDirectory();
    const imported = await kubeward(['policy', 'import-stackrox', 'test/fixtures/stackrox-export.json', '--output', join(directory, 'policies')]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /stackrox-fixable-cvss-7: Fixed By and CVSS combined into Fixable CVSS/);
    assert.match(imported.stderr, /converted 4 of 6 policies/);
    const scan = await kubeward([
      'scan',
      'examples/ops/node-agent.yaml',
      '--no-builtin-policies',
      '--policies',
      join(directory, 'policies'),
      '--format',
      'json',
    ]);
    assert.deepEqual(
      json(scan.stdout).findings.map((finding) => finding.policyId),
      ['stackrox-privileged-container'],
    );
  });
});

describe('kubeward policy test', () => {
  it('runs the cases next to user policies and fails on a wrong expectation', async () => {
    const directory = await temporaryDirectory();
    await mkdir(join(directory, 'tests'));
    await writeFile(
      join(directory, 'no-docker-hub.yaml'),
      'apiVersion: kubeward.io/v1\nkind: Policy\nmetadata: {name: no-docker-hub}\nspec:\n  name: Image from Docker Hub\n  description: d\n  rationale: r\n  remediation: Use the internal registry.\n  severity: MEDIUM\n  lifecycleStages: [DEPLOY]\n  criteria:\n    - conditions:\n        - {field: Image Registry, values: [docker\\.io]}\n',
    );
    await writeFile(
      join(directory, 'tests/no-docker-hub.yaml'),
      '- name: nginx from Docker Hub\n  expect: 1\n  pod: {containers: [{name: web, image: nginx:1.25}]}\n- name: internal registry\n  expect: 0\n  pod: {containers: [{name: web, image: registry.example.com/nginx:1.25}]}\n',
    );
    const passing = await kubeward(['policy', 'test', directory]);
    assert.equal(passing.code, 0, passing.stdout + passing.stderr);
    assert.match(passing.stderr, /^2 cases passed, 0 failed/m);
    await writeFile(join(directory, 'tests/no-docker-hub.yaml'), '- name: wrong\n  expect: 0\n  pod: {containers: [{name: web, image: nginx:1.25}]}\n');
    const failing = await kubeward(['policy', 'test', directory]);
    assert.equal(failing.code, 1);
    assert.match(failing.stdout, /✖ {2}no-docker-hub: wrong\n {5}expected 0 findings, got 1/);
  });
});
