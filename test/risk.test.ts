import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { normalise, type RiskProblem, type VulnerabilityRisk, type WorkloadRisk } from '../src/risk/index.js';
import { kubeward } from './support/cli.js';
import { appImage, hasAppImageTools } from './support/images.js';
import { hasRegistry, startRegistry, type TestRegistry } from './support/registry.js';
import { sharedDataPath, temporaryDirectory } from './support/repo.js';

describe('risk ranking of the demo application', () => {
  it('ranks the cluster-admin, privileged, NodePort-exposed legacy admin first, then the privileged node agent, each with its reasons', async () => {
    const result = await kubeward(['risk', 'examples/', '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const { workloads } = JSON.parse(result.stdout) as { workloads: WorkloadRisk[] };
    assert.equal(workloads.length, 14);
    assert.deepEqual(
      workloads.slice(0, 2).map((entry) => entry.workload),
      ['shop/Deployment/legacy-admin', 'ops/DaemonSet/node-agent'],
    );
    const factors = (id: string): string[] => workloads.find((entry) => entry.workload === id)?.factors.map((factor) => factor.id) ?? [];
    assert.deepEqual(factors('shop/Deployment/legacy-admin').sort(), [
      'image-not-scanned',
      'network-isolation',
      'policy-violations',
      'rbac-permissions',
      'service-configuration',
      'service-reachability',
    ]);
    const legacy = workloads[0] as WorkloadRisk;
    assert.match(legacy.summary, /service account legacy-admin is cluster-admin/);
    assert.match(legacy.summary, /reachable on every node through Service legacy-admin \(NodePort, port 80, 22\)/);
    assert.ok(
      workloads.every((entry, index) => index === 0 || (workloads[index - 1] as WorkloadRisk).score >= entry.score),
      'sorted by score',
    );
    // The hardened, isolated stores rank below every exposed, unisolated shop API.
    const rank = (id: string): number => workloads.findIndex((entry) => entry.workload === id);
    assert.ok(rank('data/StatefulSet/postgres') > rank('shop/Deployment/checkout-api'));
    const top = await kubeward(['risk', 'examples/', '--top', '1']);
    assert.match(top.stdout, /^ {2}1\. shop\/Deployment\/legacy-admin {2}risk \d+\.\d\d\n/);
    assert.doesNotMatch(top.stdout, /\n {2}2\./);
  });

  it('writes a self-contained HTML report: well-formed, no script or external resource, every value escaped', async () => {
    const result = await kubeward(['risk', 'examples/', '--format', 'html']);
    assert.equal(result.code, 0, result.stderr);
    const html = result.stdout;
    assert.match(html, /^<!doctype html>\n<html lang="en">/);
    assert.doesNotMatch(html, /<script|<link|src=|href=/i);
    assert.equal((html.match(/<tr><td class="rank">/g) ?? []).length, 14);
    assert.match(html, /<code>shop\/Deployment\/legacy-admin<\/code><\/td><td class="score">\d+\.\d\d<\/td>/);
    assert.match(html, /service account legacy-admin is cluster-admin/);
    const { XMLValidator } = await import('fast-xml-parser');
    // The body (without the doctype) is well-formed as XML: every element closed, every value escaped.
    assert.equal(XMLValidator.validate(html.replace(/^<!doctype html>\n/, '').replace(/<meta[^>]*>/g, '')), true);
  });

  it('normalises raw scores as StackRox does: 1 + raw/saturation × (max − 1), capped', () => {
    assert.equal(normalise(0, 50, 4), 1);
    assert.equal(normalise(25, 50, 4), 2.5);
    assert.equal(normalise(500, 50, 4), 4);
  });
});

describe(
  'risk with image scans: the application image as shop/checkout-api runs it',
  { skip: !hasAppImageTools && 'needs mmdebstrap, umoci, go and go-dep-parser test data' },
  () => {
    const CHECKOUT = 'registry.example.com/shop/checkout-api:latest';
    let reference: string;
    let db: string;
    let directory: string;
    before(async () => {
      reference = (await appImage()).reference;
      directory = await temporaryDirectory();
      db = join(directory, 'db');
      // The EPSS row is FIRST's published score for lodash's CVE-2021-23337 (a real CVE the image carries).
      await writeFile(
        join(directory, 'epss.csv'),
        '#model_version:v2025.03.14,score_date:2026-11-27T00:00:00+0000\ncve,epss,percentile\nCVE-2021-23337,0.00412,0.74001\n',
      );
      const imported = await kubeward([
        'db',
        'import',
        '--db',
        db,
        sharedDataPath('osv/Debian/all.zip'),
        sharedDataPath('osv/Maven/all.zip'),
        sharedDataPath('osv/npm/all.zip'),
        '--epss',
        join(directory, 'epss.csv'),
      ]);
      assert.equal(imported.code, 0, imported.stderr);
    });

    it('--images scans the image, and its vulnerabilities, tools and size lift checkout-api to the top with the reasons', async () => {
      const result = await kubeward(['risk', 'examples/', '--db', db, '--images', `${reference}=${CHECKOUT}`, '--format', 'json', '--quiet']);
      assert.equal(result.code, 0, result.stderr);
      const { workloads, problems } = JSON.parse(result.stdout) as { workloads: WorkloadRisk[]; problems: RiskProblem[] };
      assert.deepEqual(
        workloads.slice(0, 3).map((entry) => entry.workload),
        ['shop/Deployment/checkout-api', 'shop/Deployment/legacy-admin', 'ops/DaemonSet/node-agent'],
      );
      const checkout = workloads[0] as WorkloadRisk;
      const factors = Object.fromEntries(checkout.factors.map((factor) => [factor.id, factor]));
      assert.match(
        factors['image-vulnerabilities']?.evidence[0] ?? '',
        /^image registry\.example\.com\/shop\/checkout-api:latest has \d+ vulnerabilities \(\d+ HIGH, \d+ MEDIUM, \d+ unrated\), \d+ fixable now$/,
      );
      assert.deepEqual(factors['attacker-components']?.evidence, ['image registry.example.com/shop/checkout-api:latest contains apt, bash, sh']);
      assert.equal(factors['component-count']?.multiplier, 1.5);
      assert.equal(factors['image-not-scanned'], undefined);
      // Image policies now judge the workload that runs the image, as StackRox alerts on deployments.
      assert.match(factors['policy-violations']?.evidence.join('\n') ?? '', /Fixable vulnerability of high or critical severity/);
      assert.ok(workloads.slice(1).every((entry) => entry.factors.some((factor) => factor.id === 'image-not-scanned')));
      assert.deepEqual(problems, []);
    });

    it('--by cve: fixable HIGHs of the riskiest workload first, each with the package, the fix and where it runs; --by image: the scanned image first', async () => {
      const cves = await kubeward(['risk', 'examples/', '--db', db, '--images', `${reference}=${CHECKOUT}`, '--by', 'cve', '--format', 'json', '--quiet']);
      assert.equal(cves.code, 0, cves.stderr);
      const { vulnerabilities, by } = JSON.parse(cves.stdout) as { by: string; vulnerabilities: VulnerabilityRisk[] };
      assert.equal(by, 'cve');
      assert.ok(vulnerabilities.length > 20);
      assert.ok(
        vulnerabilities.slice(0, 6).every((entry) => entry.severity === 'HIGH' && entry.fixable),
        'the fixable HIGHs lead',
      );
      assert.ok(vulnerabilities.every((entry, index) => index === 0 || (vulnerabilities[index - 1] as VulnerabilityRisk).score >= entry.score));
      const lodash = vulnerabilities.find((entry) => entry.id === 'CVE-2021-23337');
      assert.deepEqual(lodash?.epss, { cve: 'CVE-2021-23337', score: 0.00412, percentile: 0.74001, date: '2026-11-27T00:00:00+0000' });
      assert.deepEqual(
        lodash?.packages.map((found) => `${found.name} ${found.version} → ${found.fixedVersions[0]}`),
        ['lodash 4.17.11 → 4.17.21'],
      );
      assert.deepEqual(
        lodash?.workloads.map((user) => user.workload),
        ['shop/Deployment/checkout-api'],
      );
      const images = await kubeward(['risk', 'examples/', '--db', db, '--images', `${reference}=${CHECKOUT}`, '--by', 'image', '--top', '2']);
      assert.equal(images.code, 0, images.stderr);
      assert.match(
        images.stdout,
        /^ {2}1\. registry\.example\.com\/shop\/checkout-api:latest {2}workload risk \d+\.\d\d\n {7}Run by: shop\/Deployment\/checkout-api/,
      );
      assert.match(images.stdout, /\n {2}2\. registry\.example\.com\/backoffice\/admin {2}workload risk [\d.]+\n[^]*\(image not scanned\)\n$/);
    });

    it('--by cve --format html: a self-contained report of the top vulnerabilities, well-formed', async () => {
      const result = await kubeward([
        'risk',
        'examples/',
        '--db',
        db,
        '--images',
        `${reference}=${CHECKOUT}`,
        '--by',
        'cve',
        '--top',
        '20',
        '--format',
        'html',
        '--quiet',
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal((result.stdout.match(/<tr><td class="rank">/g) ?? []).length, 20);
      assert.match(result.stdout, /<th>Vulnerability<\/th><th>Priority<\/th>/);
      assert.match(result.stdout, /<code>CVE-\d{4}-\d+<\/code>/);
      assert.doesNotMatch(result.stdout, /<script|<link|src=|href=/i);
      const { XMLValidator } = await import('fast-xml-parser');
      assert.equal(XMLValidator.validate(result.stdout.replace(/^<!doctype html>\n/, '').replace(/<meta[^>]*>/g, '')), true);
    });

    it('--image-scans ranks from a saved image scan report exactly as --images does', async () => {
      const report = join(directory, 'checkout.json');
      const scan = await kubeward(['image', 'scan', reference, '--db', db, '--format', 'json', '-o', report, '--quiet']);
      assert.equal(scan.code, 0, scan.stderr);
      const saved = await kubeward(['risk', 'examples/', '--image-scans', `${report}=${CHECKOUT}`, '--format', 'json']);
      const scanned = await kubeward(['risk', 'examples/', '--db', db, '--images', `${reference}=${CHECKOUT}`, '--format', 'json', '--quiet']);
      assert.equal(saved.code, 0, saved.stderr);
      assert.deepEqual(JSON.parse(saved.stdout), JSON.parse(scanned.stdout));
    });

    it('an image no workload runs is a warning that says how to name it; a file that is no scan report exits 2 with a hint', async () => {
      const unnamed = await kubeward(['risk', 'examples/', '--db', db, '--images', reference, '--by', 'cve', '--format', 'json']);
      assert.equal(unnamed.code, 0, unnamed.stderr);
      assert.match(
        unnamed.stderr,
        /warning: image oci:\S+:app: no workload in the inputs runs this image; name it as the manifests do with --images <reference>=<image>/,
      );
      const { vulnerabilities } = JSON.parse(unnamed.stdout) as { vulnerabilities: VulnerabilityRisk[] };
      assert.ok(
        vulnerabilities.length > 0 &&
          vulnerabilities.every((entry) => entry.workloads.length === 0 && /^in no running workload/.test(entry.reasons.at(-1) ?? '')),
      );
      const notReport = join(directory, 'not-a-report.json');
      await writeFile(notReport, JSON.stringify({ schemaVersion: '1.0', findings: [] }));
      const refused = await kubeward(['risk', 'examples/', '--image-scans', notReport]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /not-a-report\.json is not a Kubeward image scan report[^\n]*\n.*kubeward image scan --format json/);
      const noDb = await kubeward(['risk', 'examples/', '--db', join(directory, 'nowhere'), '--images', reference]);
      assert.equal(noDb.code, 2);
      assert.match(noDb.stderr, /--no-vulnerabilities/);
    });
  },
);

describe('risk: bad input', () => {
  it('workloads naming absent service accounts and bindings to unknown subjects are problems in the report, never crashes', async () => {
    const directory = await temporaryDirectory();
    await writeFile(
      join(directory, 'app.yaml'),
      `apiVersion: v1
kind: ServiceAccount
metadata: {name: api, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {serviceAccountName: api-sa, containers: [{name: api, image: registry.example.com/shop/api:1.0}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: api-reads-secrets, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
subjects: [{kind: ServiceAccount, name: api-sa}, {kind: Robot, name: r2}]
`,
    );
    const result = await kubeward(['risk', directory, '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const { problems, workloads } = JSON.parse(result.stdout) as { problems: RiskProblem[]; workloads: WorkloadRisk[] };
    assert.deepEqual(problems, [
      {
        object: 'RoleBinding shop/api-reads-secrets',
        message: 'subject "r2" has kind "Robot", not ServiceAccount, User or Group (kinds are case-sensitive); the API server rejects the binding',
      },
      {
        object: 'RoleBinding shop/api-reads-secrets',
        message: 'binds ServiceAccount shop/api-sa, which is not in the inputs: whoever creates that account gets the grant',
      },
      {
        object: 'RoleBinding shop/api-reads-secrets',
        message: 'refers to Role secret-reader, which is not in the inputs (nor a built-in role); it grants nothing here',
      },
      {
        object: 'shop/Deployment/api',
        message:
          'runs as service account api-sa, which is not in the inputs: the API server refuses its pods until it exists, and its RBAC level is unknown here (ranked as none)',
      },
    ]);
    assert.equal(workloads.length, 1);
    assert.match(result.stderr, /warning: shop\/Deployment\/api: runs as service account api-sa/);
    const bad = await kubeward(['risk', directory, '--by', 'namespace']);
    assert.equal(bad.code, 2);
  });
});

describe(
  'risk --scan-images: every image the workloads run, from its registry',
  { skip: (!hasRegistry || !hasAppImageTools) && 'needs docker-registry, skopeo, mmdebstrap, umoci, go and go-dep-parser test data' },
  () => {
    let registry: TestRegistry;
    let directory: string;
    before(async () => {
      registry = await startRegistry({ auth: 'htpasswd' });
      await registry.push((await appImage()).reference, 'shop/api:1.4');
      directory = await temporaryDirectory();
      const deployment = (name: string, image: string): string =>
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec: {containers: [{name: main, image: "${image}"}]}\n`;
      await writeFile(
        join(directory, 'app.yaml'),
        [deployment('api', `${registry.host}/shop/api:1.4`), deployment('worker', `${registry.host}/shop/worker:2.0`)].join('---\n'),
      );
    });
    after(() => registry?.stop());

    it('pulls and scans each distinct image; one the registry does not have is a problem, and its workload is ranked as not scanned', async () => {
      const env = { KUBEWARD_REGISTRY_USERNAME: registry.username, KUBEWARD_REGISTRY_PASSWORD: registry.password };
      const result = await kubeward(['risk', directory, '--scan-images', '--no-vulnerabilities', '--registry-ca', registry.ca as string, '--format', 'json'], {
        env,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /scanning 2 images the workloads run/);
      const { workloads, problems } = JSON.parse(result.stdout) as { workloads: WorkloadRisk[]; problems: RiskProblem[] };
      const api = workloads.find((entry) => entry.workload === 'shop/Deployment/api');
      assert.deepEqual(api?.images, [{ container: 'main', image: `${registry.host}/shop/api:1.4`, scanned: true }]);
      assert.ok(
        api?.factors.some(
          (factor) => factor.id === 'attacker-components' && factor.evidence[0] === `image ${registry.host}/shop/api:1.4 contains apt, bash, sh`,
        ),
      );
      assert.deepEqual(
        problems.map((problem) => problem.object),
        [`image ${registry.host}/shop/worker:2.0`],
      );
      assert.match(problems[0]?.message ?? '', /^not scanned: .*worker.*not found/);
      assert.deepEqual(
        workloads.find((entry) => entry.workload === 'shop/Deployment/worker')?.factors.find((factor) => factor.id === 'image-not-scanned')?.evidence,
        [`image ${registry.host}/shop/worker:2.0 not scanned`],
      );
      assert.ok(!result.stdout.includes(registry.password) && !result.stderr.includes(registry.password), 'the password is never printed');
    });
  },
);
