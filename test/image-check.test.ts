import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { ScanReport } from '../src/model/index.js';
import { kubeward } from './support/cli.js';
import { appImage, hasAppImageTools } from './support/images.js';
import { tarOf, writeOciLayout } from './support/oci.js';
import { sharedDataPath, temporaryDirectory } from './support/repo.js';

const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

/**
 * An image config as `docker build` records it (classic builder and BuildKit history lines),
 * over an Alpine layer with apk-tools and curl installed.
 */
const builtImage = async (config: Record<string, unknown>): Promise<string> => {
  const directory = await temporaryDirectory();
  const apk = 'C:Q1a\nP:apk-tools\nV:2.10.4-r3\nA:x86_64\no:apk-tools\n\nC:Q1b\nP:curl\nV:7.67.0-r0\nA:x86_64\no:curl\n\n';
  const layer = gzipSync(
    await tarOf([
      { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.11.6\n' },
      { name: 'lib/apk/db/installed', content: apk },
    ]),
  );
  await writeOciLayout(directory, [{ data: layer, mediaType: GZIP }], config);
  return directory;
};

const DOCKERFILE_HISTORY = [
  { created_by: '/bin/sh -c #(nop) ADD file:3b7f2e1c0a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7 in / ' },
  { created_by: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer: true },
  { created_by: 'RUN /bin/sh -c apk update && apk upgrade # buildkit', empty_layer: true },
  { created_by: 'ADD https://example.com/tool.tar.gz /opt/ # buildkit', empty_layer: true },
  { created_by: 'EXPOSE map[22/tcp:{} 8080/tcp:{}]', empty_layer: true },
  { created_by: 'CMD ["server" "--insecure"]', empty_layer: true },
];

const findingsOf = (stdout: string): Record<string, string> =>
  Object.fromEntries((JSON.parse(stdout) as ScanReport).findings.map((finding) => [finding.policyId, finding.message]));

describe('kubeward image check', () => {
  it('judges an image by its config and history: root user, update step, SSH port, insecure CMD, package managers', async () => {
    const layout = await builtImage({
      created: '2020-02-01T00:00:00Z',
      config: { ExposedPorts: { '22/tcp': {}, '8080/tcp': {} }, Cmd: ['server', '--insecure'] },
      history: DOCKERFILE_HISTORY,
    });
    const result = await kubeward([
      'image',
      'check',
      `oci:${layout}:test`,
      '--no-vulnerabilities',
      '--name',
      'registry.example.com/shop/api:2.1',
      '--enable',
      'dockerfile-add-instead-of-copy,curl-in-image',
      '--format',
      'json',
      '--quiet',
    ]);
    assert.equal(result.code, 1, `the HIGH ssh finding fails the check: ${result.stderr}`);
    const findings = findingsOf(result.stdout);
    assert.deepEqual(Object.keys(findings).sort(), [
      'apk-in-image',
      'curl-in-image',
      'dockerfile-add-instead-of-copy',
      'dockerfile-update-instruction',
      'image-age-90-days',
      'image-user-root',
      'insecure-cmd',
      'ssh-port-exposed-in-image',
    ]);
    assert.match(findings['image-user-root'] ?? '', /image 'registry\.example\.com\/shop\/api:2\.1' sets no USER, so it runs as root/);
    assert.match(findings['dockerfile-update-instruction'] ?? '', /was built with RUN \/bin\/sh -c apk update && apk upgrade/);
    assert.match(findings['dockerfile-add-instead-of-copy'] ?? '', /ADD https:\/\/example\.com\/tool\.tar\.gz/);
    assert.doesNotMatch(findings['dockerfile-add-instead-of-copy'] ?? '', /file:3b7f/, 'the base image rootfs ADD is not flagged');
    assert.match(findings['ssh-port-exposed-in-image'] ?? '', /exposes port 22\/tcp/);
    assert.match(findings['apk-in-image'] ?? '', /contains apk-tools 2\.10\.4-r3/);
  });

  it('passes a hardened image, and names the image by digest when no --name is given', async () => {
    const layout = await builtImage({
      created: '2999-01-01T00:00:00Z',
      config: { User: '10001:10001', ExposedPorts: { '8080/tcp': {} } },
      history: [{ created_by: 'COPY app /app # buildkit' }],
    });
    const result = await kubeward(['image', 'check', layout, '--no-vulnerabilities', '--disable', 'apk-in-image', '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(findingsOf(result.stdout), {});
    assert.match(result.stderr, /local\/[^@]+@sha256:[a-f0-9]{64}: \d+ image policies, 0 findings/);
  });

  it('--fail-on and --no-fail decide the exit code as in kubeward scan', async () => {
    const layout = await builtImage({ history: [] });
    const low = await kubeward(['image', 'check', layout, '--no-vulnerabilities', '--fail-on', 'low', '--quiet']);
    assert.equal(low.code, 1, low.stderr);
    const noFail = await kubeward(['image', 'check', layout, '--no-vulnerabilities', '--fail-on', 'low', '--no-fail', '--quiet']);
    assert.equal(noFail.code, 0);
    const missing = await kubeward(['image', 'check', join(layout, 'nothing-here'), '--no-vulnerabilities', '--quiet']);
    assert.equal(missing.code, 2);
  });
});

describe(
  'kubeward image check on the application image, with vulnerabilities and the digest cache',
  { skip: !hasAppImageTools && 'needs mmdebstrap, umoci, go and go-dep-parser test data' },
  () => {
    let reference: string;
    let db: string;
    before(async () => {
      reference = (await appImage()).reference;
      db = join(await temporaryDirectory(), 'db');
      const imported = await kubeward(['db', 'import', '--db', db, sharedDataPath('osv/Maven/all.zip'), sharedDataPath('osv/Go/all.zip')]);
      assert.equal(imported.code, 0, imported.stderr);
    });

    it('fails the build on fixable HIGH vulnerabilities (a policy enforced at BUILD), naming package, version and fix', async () => {
      const result = await kubeward(['image', 'check', reference, '--db', db, '--format', 'json', '--quiet', '--disable', 'apt-in-image,image-user-root']);
      assert.equal(result.code, 1, result.stderr);
      const report = JSON.parse(result.stdout) as ScanReport;
      const fixable = report.findings.find((finding) => finding.policyId === 'fixable-severity-important');
      assert.ok(fixable, JSON.stringify(report.findings.map((finding) => finding.policyId)));
      assert.match(fixable.message, /(HIGH|CRITICAL)[ 0-9.]*\) in \S+ \S+, fixed in /);
      assert.deepEqual(fixable.enforcedAt, ['BUILD']);
    });

    it('caches the scan by image digest: a second check reads no layer and finds the same', async () => {
      const cache = await temporaryDirectory();
      const env = { KUBEWARD_NO_CACHE: '', KUBEWARD_CACHE_DIR: cache };
      const first = await kubeward(['image', 'check', reference, '--db', db, '--format', 'json', '--no-fail'], { env });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /layer 3\/3/);
      assert.equal((await readdir(cache)).filter((name) => name.endsWith('.json')).length, 1);
      const second = await kubeward(['image', 'check', reference, '--db', db, '--format', 'json', '--no-fail'], { env });
      assert.equal(second.code, 0, second.stderr);
      assert.doesNotMatch(second.stderr, /layer \d\/\d/);
      assert.match(second.stderr, /scanned before: packages from the cache/);
      assert.deepEqual(findingsOf(second.stdout), findingsOf(first.stdout));
      const scanned = await kubeward(['image', 'scan', reference, '--db', db, '--format', 'json', '--quiet'], { env });
      const uncached = await kubeward(['image', 'scan', reference, '--db', db, '--format', 'json', '--quiet', '--no-cache'], { env });
      assert.deepEqual(JSON.parse(scanned.stdout), JSON.parse(uncached.stdout), 'a scan from the cache equals a fresh one');
    });
  },
);
