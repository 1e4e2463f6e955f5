import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { ImageScan } from '../src/model/index.js';
import { kubeward } from './support/cli.js';
import { bookwormImage, hasImageTools } from './support/images.js';
import { tarOf, writeOciLayout } from './support/oci.js';
import { hasRegistry, startRegistry, type TestRegistry } from './support/registry.js';
import { temporaryDirectory } from './support/repo.js';

const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const packagesOf = (stdout: string): string[] => (JSON.parse(stdout) as ImageScan).packages.map((pkg) => `${pkg.name} ${pkg.version} ${pkg.layerIndex}`).sort();

const alpineLayer = async (musl: string) => ({
  data: gzipSync(
    await tarOf([
      { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' },
      { name: 'lib/apk/db/installed', content: `C:Q1abc\nP:musl\nV:${musl}\nA:x86_64\no:musl\n\n` },
    ]),
  ),
  mediaType: GZIP,
});

/** An OCI layout whose tag `multi` is an image index of a linux/amd64 and a linux/arm64/v8 image. */
const multiPlatformLayout = async (): Promise<string> => {
  const directory = await temporaryDirectory();
  const amd64 = await writeOciLayout(directory, [await alpineLayer('1.2.4-r2')], { architecture: 'amd64', os: 'linux' });
  const amd64Index = JSON.parse(await readFile(join(directory, 'index.json'), 'utf8')) as { manifests: { size: number }[] };
  const arm64 = await writeOciLayout(directory, [await alpineLayer('1.2.4-r3')], { architecture: 'arm64', variant: 'v8', os: 'linux' });
  const arm64Index = JSON.parse(await readFile(join(directory, 'index.json'), 'utf8')) as { manifests: { size: number }[] };
  const manifest = 'application/vnd.oci.image.manifest.v1+json';
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: manifest, digest: amd64.manifest, size: amd64Index.manifests[0]?.size, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: manifest, digest: arm64.manifest, size: arm64Index.manifests[0]?.size, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      ],
    }),
  );
  const digest = `sha256:${createHash('sha256').update(index).digest('hex')}`;
  await writeFile(join(directory, 'blobs', 'sha256', digest.slice(7)), index);
  await writeFile(
    join(directory, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { mediaType: 'application/vnd.oci.image.index.v1+json', digest, size: index.length, annotations: { 'org.opencontainers.image.ref.name': 'multi' } },
      ],
    }),
  );
  return directory;
};

describe(
  'images on a registry (docker-registry with htpasswd over HTTPS)',
  { skip: (!hasRegistry || !hasImageTools) && 'needs docker-registry, openssl, skopeo, mmdebstrap and umoci' },
  () => {
    let registry: TestRegistry;
    let local: string[];
    before(async () => {
      registry = await startRegistry({ auth: 'htpasswd' });
      const { layout } = await bookwormImage();
      await registry.push(`oci:${layout}:bookworm`, 'library/debian:bookworm');
      const result = await kubeward(['image', 'scan', `oci:${layout}:bookworm`, '--no-vulnerabilities', '--format', 'json', '--quiet']);
      assert.equal(result.code, 0, result.stderr);
      local = packagesOf(result.stdout);
    });
    after(() => registry?.stop());

    it('reads the image with --username and --password-stdin and finds what the local layout holds', async () => {
      const result = await kubeward(
        [
          'image',
          'scan',
          `${registry.host}/library/debian:bookworm`,
          '--registry-ca',
          registry.ca as string,
          '--username',
          registry.username,
          '--password-stdin',
          '--no-vulnerabilities',
          '--format',
          'json',
          '--quiet',
        ],
        { stdin: `${registry.password}\n` },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(packagesOf(result.stdout), local);
      const scan = JSON.parse(result.stdout) as ImageScan;
      assert.equal(scan.image.source, `${registry.host}/library/debian:bookworm`);
      assert.match(scan.image.digest, /^sha256:[a-f0-9]{64}$/);
      assert.ok(!result.stdout.includes(registry.password) && !result.stderr.includes(registry.password), 'the password is never printed');
    });

    it('takes credentials from the Docker config (DOCKER_CONFIG), and reads by digest', async () => {
      const dockerConfig = await temporaryDirectory();
      const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
      await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
      const env = { DOCKER_CONFIG: dockerConfig };
      const byTag = await kubeward(
        [
          'image',
          'scan',
          `${registry.host}/library/debian:bookworm`,
          '--registry-ca',
          registry.ca as string,
          '--no-vulnerabilities',
          '--format',
          'json',
          '--quiet',
        ],
        { env },
      );
      assert.equal(byTag.code, 0, byTag.stderr);
      const digest = (JSON.parse(byTag.stdout) as ImageScan).image.digest;
      const byDigest = await kubeward(
        [
          'image',
          'scan',
          `docker://${registry.host}/library/debian@${digest}`,
          '--registry-ca',
          registry.ca as string,
          '--no-vulnerabilities',
          '--format',
          'json',
          '--quiet',
        ],
        { env },
      );
      assert.equal(byDigest.code, 0, byDigest.stderr);
      assert.deepEqual(packagesOf(byDigest.stdout), local);
    });

    it('says what is wrong with credentials, certificates and names, in one line with a hint', async () => {
      const cases: { args: string[]; env?: Record<string, string>; stdin?: string; message: RegExp }[] = [
        {
          args: [`${registry.host}/library/debian:bookworm`, '--registry-ca', registry.ca as string],
          env: { DOCKER_CONFIG: '/nonexistent' },
          message: /authentication failed for library\/debian \(no credentials found.*\n.*docker login/,
        },
        {
          args: [`${registry.host}/library/debian:bookworm`, '--registry-ca', registry.ca as string, '--username', registry.username, '--password-stdin'],
          stdin: 'wrong',
          message: /authentication failed .*credentials from --username and --password-stdin/,
        },
        {
          args: [`${registry.host}/library/debian:bookworm`],
          env: { KUBEWARD_REGISTRY_USERNAME: registry.username, KUBEWARD_REGISTRY_PASSWORD: registry.password },
          message: /TLS certificate not trusted.*\n.*--registry-ca/,
        },
        {
          args: [`${registry.host}/library/debian:nosuchtag`, '--registry-ca', registry.ca as string],
          env: { KUBEWARD_REGISTRY_USERNAME: registry.username, KUBEWARD_REGISTRY_PASSWORD: registry.password },
          message: /manifest nosuchtag: not found on 127\.0\.0\.1/,
        },
        { args: [`127.0.0.1:1/nothing:1`], message: /127\.0\.0\.1:1: connection refused/ },
        { args: ['./missing.tar'], message: /missing\.tar: no such image source/ },
      ];
      for (const { args, env, stdin, message } of cases) {
        const result = await kubeward(['image', 'scan', ...args, '--no-vulnerabilities', '--quiet'], {
          ...(env ? { env } : {}),
          ...(stdin === undefined ? {} : { stdin }),
        });
        assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, message);
        assert.ok(!result.stderr.includes(registry.password));
      }
    });

    it('fails the scan when a blob on the registry does not match its digest', async () => {
      const directory = await temporaryDirectory();
      const { layers } = await writeOciLayout(directory, [await alpineLayer('1.2.4-r2')]);
      await registry.push(`oci:${directory}:test`, 'tampered:1');
      const layerDigest = layers[0] as string;
      // The registry keeps blobs at docker/registry/v2/blobs/sha256/<2 hex>/<hex>/data: corrupt the layer there.
      const blob = join(registry.dataDir, 'docker/registry/v2/blobs/sha256', layerDigest.slice(7, 9), layerDigest.slice(7), 'data');
      const data = await readFile(blob);
      data[data.length - 1] = (data[data.length - 1] as number) ^ 0xff;
      await writeFile(blob, data);
      const env = { KUBEWARD_REGISTRY_USERNAME: registry.username, KUBEWARD_REGISTRY_PASSWORD: registry.password };
      const result = await kubeward(
        ['image', 'scan', `${registry.host}/tampered:1`, '--registry-ca', registry.ca as string, '--no-vulnerabilities', '--quiet'],
        { env },
      );
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`layer ${layerDigest}.*(content digest .* does not match|cannot be read)`));
    });
  },
);

describe(
  'images on a registry (docker-registry with a bearer-token server over plain HTTP)',
  { skip: !hasRegistry && 'needs docker-registry, openssl and skopeo' },
  () => {
    let registry: TestRegistry;
    before(async () => {
      registry = await startRegistry({ auth: 'token' });
      await registry.push(`oci:${await multiPlatformLayout()}:multi`, 'team/multi:1', ['--all']);
    });
    after(() => registry?.stop());
    const env = (): Record<string, string> => ({
      KUBEWARD_REGISTRY_USERNAME: registry.username,
      KUBEWARD_REGISTRY_PASSWORD: registry.password,
      DOCKER_CONFIG: '/nonexistent',
    });

    it('gets a token for the repository and picks the image for the platform from the index', async () => {
      const scans: Record<string, string[]> = {};
      for (const platform of ['linux/amd64', 'linux/arm64/v8', 'linux/arm64']) {
        const result = await kubeward(
          [
            'image',
            'scan',
            `${registry.host}/team/multi:1`,
            '--insecure-registry',
            '--platform',
            platform,
            '--no-vulnerabilities',
            '--format',
            'json',
            '--quiet',
          ],
          { env: env() },
        );
        assert.equal(result.code, 0, `${platform}: ${result.stderr}`);
        scans[platform] = packagesOf(result.stdout);
        assert.equal((JSON.parse(result.stdout) as ImageScan).image.platform?.architecture, platform.split('/')[1]);
      }
      assert.deepEqual(scans, { 'linux/amd64': ['musl 1.2.4-r2 0'], 'linux/arm64/v8': ['musl 1.2.4-r3 0'], 'linux/arm64': ['musl 1.2.4-r3 0'] });
      assert.ok(
        registry.tokenRequests.some((request) => request.user === registry.username && request.scope === 'repository:team/multi:pull' && request.granted),
        JSON.stringify(registry.tokenRequests),
      );
    });

    it('names the platforms an index offers when the wanted one is missing', async () => {
      const result = await kubeward(
        ['image', 'scan', `${registry.host}/team/multi:1`, '--insecure-registry', '--platform', 'linux/s390x', '--no-vulnerabilities', '--quiet'],
        { env: env() },
      );
      assert.equal(result.code, 2);
      assert.match(result.stderr, /has no image for linux\/s390x \(it has linux\/amd64, linux\/arm64\/v8\)\n.*--platform/);
    });

    it("refuses plain HTTP unless asked, and anonymous pulls get the registry's refusal", async () => {
      const plain = await kubeward(['image', 'scan', `${registry.host}/team/multi:1`, '--no-vulnerabilities', '--quiet'], { env: env() });
      assert.equal(plain.code, 2);
      assert.match(plain.stderr, /not speaking TLS.*\n.*--insecure-registry/);
      const anonymous = await kubeward(['image', 'scan', `${registry.host}/team/multi:1`, '--insecure-registry', '--no-vulnerabilities', '--quiet'], {
        env: { DOCKER_CONFIG: '/nonexistent' },
      });
      assert.equal(anonymous.code, 2);
      assert.match(anonymous.stderr, /authentication failed for team\/multi \(no credentials found\)/);
    });
  },
);
