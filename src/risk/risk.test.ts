import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSnapshot, normaliseDocument, parseImageName, parseYamlStream } from '../k8s/index.js';
import type { Finding, ImageScan, InstalledPackage, VulnerabilityMatch, VulnerabilitySeverity } from '../model/index.js';
import { computeIsolation } from '../network/index.js';
import { assessSubjects, collectGrants, serviceAccountSubjects } from '../rbac/index.js';
import { imageFactors, imageLookup, vulnerabilityRaw, type ScannedImage } from './images.js';
import { rankImages, rankVulnerabilities } from './rankings.js';
import { rankWorkloads, workloadProblems } from './workloads.js';

const NOW = new Date('2026-11-29T00:00:00Z');

const installed = (cataloger: string, ecosystem: string, name: string, version: string): InstalledPackage => ({
  cataloger,
  ecosystem,
  name,
  version,
  purl: `pkg:generic/${name}@${version}`,
  path: cataloger === 'apk' ? '/lib/apk/db/installed' : '/var/lib/dpkg/status',
});

/** A match as the scanner makes it; KEV and EPSS values are CISA's and FIRST's for the real CVEs used. */
const found = (id: string, name: string, version: string, severity: VulnerabilitySeverity, extra: Partial<VulnerabilityMatch> = {}): VulnerabilityMatch => ({
  id,
  ids: [id],
  records: [id],
  package: { ecosystem: 'Maven', name, version },
  severity,
  severitySource: { kind: 'label', detail: 'test' },
  cvss: [],
  severityLabels: [],
  fixedVersions: [],
  modified: '2024-01-01T00:00:00Z',
  references: [],
  ...extra,
});

const LOG4SHELL_KEV = {
  cve: 'CVE-2021-44228',
  dateAdded: '2021-12-10',
  dueDate: '2021-12-24',
  knownRansomwareCampaignUse: 'Known',
  vendorProject: 'Apache',
  product: 'Log4j2',
};
const LOG4SHELL_EPSS = { cve: 'CVE-2021-44228', score: 0.94358, percentile: 0.99968 };

const scanned = (
  name: string,
  packages: InstalledPackage[],
  vulnerabilities: VulnerabilityMatch[],
  created?: string,
  digest = `sha256:${'a'.repeat(64)}`,
): ScannedImage => ({
  name,
  scan: {
    image: {
      source: name,
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      exposedPorts: [],
      env: [],
      labels: {},
      layers: [],
      history: [],
      ...(created ? { created } : {}),
    },
    packages,
    vulnerabilities,
    problems: [],
  } satisfies ImageScan,
});

/** Alpine 3.11's base packages as `apk info -v` lists them, with curl added. */
const ALPINE = [
  'alpine-baselayout 3.2.0-r3',
  'alpine-keys 2.1-r2',
  'apk-tools 2.10.4-r3',
  'busybox 1.31.1-r9',
  'ca-certificates-cacert 20191127-r2',
  'libc-utils 0.7.2-r0',
  'libcrypto1.1 1.1.1d-r3',
  'libssl1.1 1.1.1d-r3',
  'libtls-standalone 2.9.1-r0',
  'musl 1.1.24-r2',
  'musl-utils 1.1.24-r2',
  'scanelf 1.2.4-r0',
  'ssl_client 1.31.1-r9',
  'zlib 1.2.11-r3',
  'curl 7.67.0-r0',
].map((entry) => {
  const [name, version] = entry.split(' ') as [string, string];
  return installed('apk', 'Alpine', name, version);
});

describe('image factors, as StackRox computes them per image', () => {
  it('image vulnerabilities: Σ s²/10 with s from the severity (Critical 9.5, High 8, Moderate 5.5, Low 2), 100 → 4', () => {
    const matches = [
      found('CVE-2021-44228', 'org.apache.logging.log4j:log4j-core', '2.14.1', 'CRITICAL', { fixedVersions: ['2.15.0'] }),
      found('CVE-2021-45046', 'org.apache.logging.log4j:log4j-core', '2.14.1', 'CRITICAL', { fixedVersions: ['2.16.0'] }),
      found('CVE-2021-45105', 'org.apache.logging.log4j:log4j-core', '2.14.1', 'MEDIUM'),
      found('CVE-2023-0001', 'x', '1', 'UNKNOWN'),
    ];
    assert.equal(vulnerabilityRaw(matches), 9.025 * 2 + 3.025);
    const factor = imageFactors(scanned('registry.example.com/shop/api:1.0', [], matches), NOW).find((entry) => entry.id === 'image-vulnerabilities');
    assert.deepEqual(factor, {
      id: 'image-vulnerabilities',
      name: 'Image vulnerabilities',
      multiplier: 1 + ((9.025 * 2 + 3.025) / 100) * 3,
      evidence: [
        'image registry.example.com/shop/api:1.0 has 4 vulnerabilities (2 CRITICAL, 1 MEDIUM, 1 unrated), 2 fixable now',
        'worst: CVE-2021-44228 in org.apache.logging.log4j:log4j-core 2.14.1 (CRITICAL, fixed in 2.15.0)',
      ],
    });
  });

  it('counts a CVE that two advisories report for one package once', () => {
    const twice = [
      found('CVE-2021-44228', 'log4j-core', '2.14.1', 'CRITICAL', { records: ['GHSA-jfh8-c2jp-5v3q'] }),
      found('CVE-2021-44228', 'log4j-core', '2.14.1', 'CRITICAL', { records: ['CVE-2021-44228'] }),
    ];
    assert.match(imageFactors(scanned('a', [], twice), NOW)[0]?.evidence[0] ?? '', /has 1 vulnerability \(1 CRITICAL\)/);
  });

  it('exploitability (Kubeward): a known exploited CVE ×1.5, plus half its EPSS probability, at most ×2', () => {
    const log4shell = found('CVE-2021-44228', 'org.apache.logging.log4j:log4j-core', '2.14.1', 'CRITICAL', {
      kev: LOG4SHELL_KEV,
      epss: LOG4SHELL_EPSS,
      fixedVersions: ['2.15.0'],
    });
    const factor = imageFactors(scanned('shop/api', [], [log4shell]), NOW).find((entry) => entry.id === 'exploitable-vulnerabilities');
    assert.deepEqual(factor, {
      id: 'exploitable-vulnerabilities',
      name: 'Exploitable vulnerabilities',
      multiplier: 1 + 0.5 + 0.5 * 0.94358,
      evidence: [
        'CVE-2021-44228 in org.apache.logging.log4j:log4j-core 2.14.1 is known exploited (CISA KEV since 2021-12-10, used by ransomware)',
        'CVE-2021-44228 in org.apache.logging.log4j:log4j-core 2.14.1 has a 94.4% chance of exploitation in the next 30 days (EPSS, percentile 100.0)',
      ],
    });
    const unlikely = found('CVE-2021-23337', 'lodash', '4.17.20', 'HIGH', { epss: { cve: 'CVE-2021-23337', score: 0.00412, percentile: 0.74001 } });
    assert.equal(
      imageFactors(scanned('web', [], [unlikely]), NOW).find((entry) => entry.id === 'exploitable-vulnerabilities'),
      undefined,
      'an EPSS of 0.4% changes nothing',
    );
  });

  it('components useful for attackers by their package names (apk-tools is apk, busybox is sh), 1 + n/20', () => {
    const factor = imageFactors(scanned('alpine:3.11', ALPINE, []), NOW).find((entry) => entry.id === 'attacker-components');
    assert.deepEqual(factor, {
      id: 'attacker-components',
      name: 'Components useful for attackers',
      multiplier: 1 + 3 / 20,
      evidence: ['image alpine:3.11 contains apk, curl, sh'],
    });
    const notOs = [installed('npm', 'npm', 'bash', '1.0.0'), installed('npm', 'npm', 'curl', '1.0.0')];
    assert.equal(
      imageFactors(scanned('node-app', notOs, []), NOW).find((entry) => entry.id === 'attacker-components'),
      undefined,
      'an npm package named curl is no curl binary',
    );
  });

  it('number of components: nothing under 10, then 1 + (n − 10)/20 up to 1.5', () => {
    const count = (n: number): number | undefined =>
      imageFactors(scanned('x', ALPINE.slice(0, n), []), NOW).find((entry) => entry.id === 'component-count')?.multiplier;
    assert.equal(count(9), undefined);
    assert.equal(count(10), 1);
    assert.equal(count(15), 1.25);
    const many = Array.from({ length: 300 }, (_, index) => installed('dpkg', 'Debian', `lib${index}`, '1'));
    assert.equal(imageFactors(scanned('x', many, []), NOW).find((entry) => entry.id === 'component-count')?.multiplier, 1.5);
  });

  it('image freshness: nothing before 90 days, linear to ×1.5 at 270; no age for epoch-stamped builds', () => {
    const age = (created: string): number | undefined => imageFactors(scanned('x', [], [], created), NOW).find((entry) => entry.id === 'image-age')?.multiplier;
    assert.equal(age('2026-09-01T00:00:00Z'), undefined);
    assert.equal(age('2026-06-02T00:00:00Z'), 1 + ((180 - 90) / 180) * 0.5);
    assert.equal(age('2020-01-01T00:00:00Z'), 1.5);
    assert.equal(age('1970-01-01T00:00:00Z'), undefined);
  });
});

describe('which scan a container image is', () => {
  const tagged = scanned('registry.example.com/shop/web:1.4', [], [], undefined, `sha256:${'1'.repeat(64)}`);
  const hub = scanned('nginx', [], [], undefined, `sha256:${'2'.repeat(64)}`);
  const pinned = scanned(`registry.example.com/pay/gw:5@sha256:${'4'.repeat(64)}`, [], [], undefined, `sha256:${'3'.repeat(64)}`);
  const lookup = imageLookup([tagged, hub, pinned]);
  const cases: [string, ScannedImage | undefined][] = [
    ['registry.example.com/shop/web:1.4', tagged],
    ['registry.example.com/shop/web:1.5', undefined],
    [`registry.example.com/shop/web@sha256:${'1'.repeat(64)}`, tagged],
    [`registry.example.com/shop/web:1.4@sha256:${'9'.repeat(64)}`, undefined],
    ['docker.io/library/nginx:latest', hub],
    ['nginx:latest', hub],
    ['index.docker.io/library/nginx', hub],
    [`registry.example.com/pay/gw:5@sha256:${'4'.repeat(64)}`, pinned],
    [`registry.example.com/pay/gw@sha256:${'3'.repeat(64)}`, pinned],
  ];
  for (const [reference, expected] of cases) it(`${reference} → ${expected?.name ?? 'none'}`, () => assert.equal(lookup(parseImageName(reference)), expected));
});

const SHOP = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers:
        - {name: web, image: registry.example.com/shop/web:1.4, securityContext: {privileged: true}, ports: [{containerPort: 8080}]}
        - {name: proxy, image: registry.example.com/shop/proxy:2.0}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 443, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      serviceAccountName: worker
      containers:
        - name: worker
          image: registry.example.com/shop/worker:3.1
          securityContext: {capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true, runAsNonRoot: true}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache, namespace: shop}
spec:
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec: {containers: [{name: redis, image: redis:7.2.4}]}
`;

describe('workloads, images and vulnerabilities ranked together', () => {
  const snapshot = buildSnapshot(
    parseYamlStream(SHOP).flatMap((document, index) =>
      document.value ? normaliseDocument(document.value, { file: 'shop.yaml', documentIndex: index, defaultNamespace: 'default' }).objects : [],
    ),
  );
  const log4shell = found('CVE-2021-44228', 'org.apache.logging.log4j:log4j-core', '2.14.1', 'CRITICAL', {
    kev: LOG4SHELL_KEV,
    epss: LOG4SHELL_EPSS,
    fixedVersions: ['2.15.0'],
    score: 10,
  });
  const qs = found('CVE-2022-24999', 'qs', '6.5.2', 'HIGH', { fixedVersions: ['6.5.3'], score: 7.5 });
  const rapidReset = found('CVE-2023-44487', 'golang.org/x/net', '0.7.0', 'HIGH', { score: 7.5 });
  const unused = found('CVE-2021-45046', 'org.apache.logging.log4j:log4j-core', '2.15.0', 'CRITICAL', {
    kev: { cve: 'CVE-2021-45046', dateAdded: '2023-05-01' },
    fixedVersions: ['2.16.0'],
    score: 9,
  });
  const images = [
    scanned('registry.example.com/shop/web:1.4', ALPINE, [log4shell, qs], '2026-11-01T00:00:00Z', `sha256:${'1'.repeat(64)}`),
    scanned('registry.example.com/shop/proxy:2.0', ALPINE.slice(0, 5), [qs], '2025-01-01T00:00:00Z', `sha256:${'2'.repeat(64)}`),
    scanned('registry.example.com/shop/worker:3.1', [], [rapidReset], '2026-11-01T00:00:00Z', `sha256:${'3'.repeat(64)}`),
    scanned('registry.example.com/old/batch:0.1', [], [unused], '2026-11-01T00:00:00Z', `sha256:${'4'.repeat(64)}`),
  ];
  const { grants } = collectGrants(snapshot);
  const workloads = rankWorkloads({
    snapshot,
    findings: [],
    isolation: computeIsolation(snapshot),
    rbac: assessSubjects(grants, serviceAccountSubjects(snapshot)),
    images,
    now: NOW,
  });
  const byId = (id: string) => workloads.find((entry) => entry.workload === id);

  it('a workload takes the worst of each image factor over its containers, and names images it has no scan of', () => {
    const web = byId('shop/Deployment/web');
    const factors = Object.fromEntries((web?.factors ?? []).map((factor) => [factor.id, factor]));
    assert.match(factors['image-vulnerabilities']?.evidence[0] ?? '', /^image registry\.example\.com\/shop\/web:1\.4 has 2 vulnerabilities/);
    assert.match(
      factors['image-age']?.evidence[0] ?? '',
      /^image registry\.example\.com\/shop\/proxy:2\.0 was built 697 days ago/,
      'the sidecar is the old one',
    );
    assert.equal(factors['image-not-scanned'], undefined);
    assert.deepEqual(web?.images, [
      { container: 'web', image: 'registry.example.com/shop/web:1.4', scanned: true },
      { container: 'proxy', image: 'registry.example.com/shop/proxy:2.0', scanned: true },
    ]);
    assert.deepEqual(byId('shop/Deployment/cache')?.factors.find((factor) => factor.id === 'image-not-scanned')?.evidence, ['image redis:7.2.4 not scanned']);
    assert.equal(workloads[0]?.workload, 'shop/Deployment/web');
  });

  it('images by the risk of the workloads that run them; an image no workload runs comes last', () => {
    const ranked = rankImages(workloads, images, NOW);
    assert.deepEqual(
      ranked.map((entry) => [entry.image, entry.scanned, entry.workloads.map((user) => user.workload)]),
      [
        ['registry.example.com/shop/web:1.4', true, ['shop/Deployment/web']],
        ['registry.example.com/shop/proxy:2.0', true, ['shop/Deployment/web']],
        [ranked[2]?.image, ranked[2]?.scanned, ranked[2]?.workloads.map((user) => user.workload)],
        [ranked[3]?.image, ranked[3]?.scanned, ranked[3]?.workloads.map((user) => user.workload)],
        ['registry.example.com/old/batch:0.1', true, []],
      ],
    );
    assert.deepEqual(new Set(ranked.slice(2, 4).map((entry) => entry.image)), new Set(['registry.example.com/shop/worker:3.1', 'redis:7.2.4']));
    assert.equal(ranked[4]?.workloadScore, 0);
    assert.match(ranked[4]?.summary ?? '', /^run by no workload in the inputs/);
  });

  it('vulnerabilities: fixable, known exploited, in the exposed privileged workload first; in no running workload last', () => {
    const ranked = rankVulnerabilities(workloads, images);
    assert.deepEqual(
      ranked.map((entry) => entry.id),
      ['CVE-2021-44228', 'CVE-2022-24999', 'CVE-2023-44487', 'CVE-2021-45046'],
    );
    const first = ranked[0];
    const webScore = byId('shop/Deployment/web')?.score ?? 0;
    assert.equal(first?.score, Number((1 * 2 * (1 + 0.94358) * 1.5 * webScore).toFixed(3)));
    assert.deepEqual(first?.reasons, [
      'CRITICAL (CVSS 10.0)',
      'known exploited (CISA KEV since 2021-12-10, used by ransomware)',
      'EPSS 94.4%',
      'fixable: org.apache.logging.log4j:log4j-core 2.14.1 → 2.15.0',
      `in shop/Deployment/web (risk ${webScore.toFixed(2)})`,
    ]);
    assert.deepEqual(ranked[1]?.images, ['registry.example.com/shop/proxy:2.0', 'registry.example.com/shop/web:1.4'], 'one CVE across two images');
    assert.deepEqual(ranked[3]?.workloads, []);
    assert.equal(ranked[3]?.reasons.at(-1), 'in no running workload (image registry.example.com/old/batch:0.1)');
    assert.ok((ranked[3]?.score ?? 0) > (ranked[2]?.score ?? 0), 'last although it scores higher: nothing runs it');
  });

  it('a workload naming a service account the inputs lack is a problem with evidence, ranked as having none', () => {
    assert.deepEqual(workloadProblems(snapshot), [
      {
        object: 'shop/Deployment/worker',
        message:
          'runs as service account worker, which is not in the inputs: the API server refuses its pods until it exists, and its RBAC level is unknown here (ranked as none)',
      },
    ]);
    assert.equal(
      byId('shop/Deployment/worker')?.factors.find((factor) => factor.id === 'rbac-permissions'),
      undefined,
    );
  });
});

/** One workload (and what surrounds it) ranked alone: its factors by id. */
const factorsOf = (yaml: string, findings: Finding[] = []): Record<string, { multiplier: number; evidence: readonly string[] }> => {
  const snapshot = buildSnapshot(
    parseYamlStream(yaml).flatMap((document, index) =>
      document.value ? normaliseDocument(document.value, { file: 'case.yaml', documentIndex: index, defaultNamespace: 'default' }).objects : [],
    ),
  );
  const { grants } = collectGrants(snapshot);
  const [ranked] = rankWorkloads({
    snapshot,
    findings,
    isolation: computeIsolation(snapshot),
    rbac: assessSubjects(grants, serviceAccountSubjects(snapshot)),
    now: NOW,
  });
  return Object.fromEntries(
    (ranked?.factors ?? []).map((factor) => [factor.id, { multiplier: Number(factor.multiplier.toFixed(4)), evidence: factor.evidence }]),
  );
};

const workload = (podSpec: string, extra = ''): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec: ${podSpec}\n${extra}`;
const HARDENED = '{containers: [{name: api, image: registry.example.com/shop/api:1.4, securityContext: {capabilities: {drop: [ALL]}}}]}';

describe('workload factors, one case each', () => {
  it('policy violations: Σ severity² (LOW 1, MEDIUM 4, HIGH 9, CRITICAL 16), 50 → 4, the worst named first', () => {
    const finding = (severity: Finding['severity'], policyName: string): Finding =>
      ({
        policyId: policyName,
        policyName,
        severity,
        categories: [],
        object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' },
        message: '',
        remediation: '',
        path: '',
        source: { file: 'case.yaml', documentIndex: 0 },
        location: { file: 'case.yaml' },
        enforcedAt: [],
      }) as unknown as Finding;
    const factors = factorsOf(workload(HARDENED), [
      finding('MEDIUM', 'No CPU request'),
      finding('CRITICAL', 'Log4Shell'),
      finding('HIGH', 'Privileged container'),
    ]);
    assert.deepEqual(factors['policy-violations'], {
      multiplier: Number((1 + (29 / 50) * 3).toFixed(4)),
      evidence: ['CRITICAL Log4Shell', 'HIGH Privileged container', 'MEDIUM No CPU request'],
    });
  });

  const configuration: [string, string, number | undefined, string[]][] = [
    ['hardened: nothing', HARDENED, undefined, []],
    ['no capability dropped: +1', '{containers: [{name: api, image: x:1}]}', 1 + 1 / 8, ['drops no capability']],
    [
      'Secret in env, read-write hostPath, SYS_ADMIN added: +4',
      '{containers: [{name: api, image: x:1, env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: p}}}], securityContext: {capabilities: {add: [SYS_ADMIN]}}, volumeMounts: [{name: data, mountPath: /data}]}], volumes: [{name: data, hostPath: {path: /srv}}]}',
      1 + 4 / 8,
      ['mounts a volume read-write', 'uses Secrets db', 'container api adds SYS_ADMIN', 'drops no capability'],
    ],
    [
      'privileged doubles the raw score, capped at 2',
      '{containers: [{name: api, image: x:1, securityContext: {privileged: true, capabilities: {add: [NET_ADMIN]}}}]}',
      1 + 4 / 8,
      ['container api adds NET_ADMIN', 'drops no capability', 'runs privileged (api)'],
    ],
  ];
  for (const [name, spec, multiplier, evidence] of configuration) {
    it(`service configuration: ${name}`, () => {
      const factor = factorsOf(workload(spec))['service-configuration'];
      assert.deepEqual(
        factor ? { multiplier: factor.multiplier, evidence: factor.evidence } : undefined,
        multiplier === undefined ? undefined : { multiplier: Number(multiplier.toFixed(4)), evidence },
      );
    });
  }

  const service = (type: string, ports: string): string =>
    `---\napiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\nspec: {type: ${type}, selector: {app: api}, ports: [${ports}]}\n`;
  const reachability: [string, string, number, string][] = [
    ['in the cluster: 1 a port', service('ClusterIP', '{port: 80}'), 1 + 1 / 10, 'reachable in the cluster through Service api (port 80)'],
    ['NodePort: 2 a port', service('NodePort', '{port: 80}, {port: 22}'), 1 + 4 / 10, 'reachable on every node through Service api (NodePort, port 80, 22)'],
    ['LoadBalancer: 3 a port', service('LoadBalancer', '{port: 443}'), 1 + 3 / 10, 'reachable from the internet through Service api (LoadBalancer, port 443)'],
    [
      'through an Ingress: 3 a port',
      `${service('ClusterIP', '{port: 80}')}---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: shop, namespace: shop}\nspec: {rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}]}}]}\n`,
      1 + 3 / 10,
      'reachable from the internet through Ingress shop → Service api (ClusterIP, port 80)',
    ],
    [
      'through an OpenShift Route: 3 a port',
      `${service('ClusterIP', '{port: 8080}')}---\napiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: shop, namespace: shop}\nspec: {host: shop.apps.example.com, to: {kind: Service, name: other, weight: 90}, alternateBackends: [{kind: Service, name: api, weight: 10}], tls: {termination: edge}}\n`,
      1 + 3 / 10,
      'reachable from the internet through Route shop → Service api (ClusterIP, port 8080)',
    ],
  ];
  for (const [name, extra, multiplier, evidence] of reachability) {
    it(`service reachability: ${name}`, () =>
      assert.deepEqual(factorsOf(workload(HARDENED, extra))['service-reachability'], { multiplier: Number(multiplier.toFixed(4)), evidence: [evidence] }));
  }

  const policy = (types: string): string =>
    `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec: {podSelector: {}, policyTypes: [${types}]}\n`;
  const isolation: [string, string, number | undefined][] = [
    ['no NetworkPolicy: ×1.3 × ×1.1', '', 1.43],
    ['ingress isolated only: ×1.1', policy('Ingress'), 1.1],
    ['egress isolated only: ×1.3', policy('Egress'), 1.3],
    ['both isolated: nothing', policy('Ingress, Egress'), undefined],
  ];
  for (const [name, extra, multiplier] of isolation)
    it(`network isolation: ${name}`, () => assert.equal(factorsOf(workload(HARDENED, extra))['network-isolation']?.multiplier, multiplier));

  const binding = (role: string, scope: 'RoleBinding' | 'ClusterRoleBinding'): string =>
    `---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: shop}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ${scope}\nmetadata: {name: api${scope === 'RoleBinding' ? ', namespace: shop' : ''}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}\nsubjects: [{kind: ServiceAccount, name: api, namespace: shop}]\n`;
  const rbac: [string, string, number | undefined][] = [
    ['view in its namespace: nothing', binding('view', 'RoleBinding'), undefined],
    ['edit in its namespace (Secrets, exec, workloads): ×1.3', binding('edit', 'RoleBinding'), 1.3],
    ['view cluster-wide (no Secrets): nothing', binding('view', 'ClusterRoleBinding'), undefined],
    ['edit cluster-wide: ×1.6', binding('edit', 'ClusterRoleBinding'), 1.6],
    ['cluster-admin: ×2', binding('cluster-admin', 'ClusterRoleBinding'), 2],
  ];
  for (const [name, extra, multiplier] of rbac) {
    it(`service account permissions: ${name}`, () => {
      const podSpec = HARDENED.replace('{containers:', '{serviceAccountName: api, containers:');
      const factor = factorsOf(workload(podSpec, extra))['rbac-permissions'];
      assert.equal(factor?.multiplier, multiplier);
      if (multiplier !== undefined)
        assert.match(factor?.evidence[0] ?? '', /^service account api is (elevated-in-namespace|elevated-cluster-wide|cluster-admin)$/);
      if (name.startsWith('edit in'))
        assert.ok(
          factor?.evidence.includes('can read Secrets in namespace shop (through RoleBinding shop/api → ClusterRole edit)'),
          factor?.evidence.join('; '),
        );
    });
  }
});
