import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ImageFilesystem } from '../src/image/filesystem.js';
import { decompress, compressionOf } from '../src/image/decompress.js';
import { openImage } from '../src/image/index.js';
import type { ImageScan } from '../src/model/index.js';
import { readZipJson } from '../src/vulndb/sources/zip.js';
import { bookwormImage, convertedBookworm, hasImageTools, type BuiltImage } from './support/images.js';
import { kubeward } from './support/cli.js';
import { sharedDataPath, temporaryDirectory } from './support/repo.js';
import { sarifValidator } from './support/schemas.js';

const dpkgLessThan = (a: string, b: string): boolean => {
  try {
    execFileSync('dpkg', ['--compare-versions', a, 'lt', b], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

describe('kubeward image scan on a real Debian 12 image', { skip: !hasImageTools && 'needs mmdebstrap and umoci, as root' }, () => {
  let image: BuiltImage;
  let db: string;
  let scan: ImageScan;
  before(async () => {
    image = await bookwormImage();
    db = join(await temporaryDirectory(), 'db');
    const imported = await kubeward(['db', 'import', '--db', db, sharedDataPath('osv/Debian/all.zip')]);
    assert.equal(imported.code, 0, imported.stderr);
    const result = await kubeward(['image', 'scan', `oci:${image.layout}:bookworm`, '--db', db, '--format', 'json', '--quiet']);
    assert.equal(result.code, 0, result.stderr);
    scan = JSON.parse(result.stdout) as ImageScan;
  });

  it('detects Debian 12 and lists exactly the packages dpkg lists', () => {
    assert.equal(scan.os?.id, 'debian');
    assert.equal(scan.os?.release, '12');
    const oracle = execFileSync('dpkg-query', [`--admindir=${join(image.rootfs, 'var/lib/dpkg')}`, '-W', '-f', '${Package} ${Version}\\n'], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .sort();
    assert.ok(oracle.length > 80, `${oracle.length} packages`);
    assert.deepEqual(scan.packages.map((pkg) => `${pkg.name} ${pkg.version}`).sort(), oracle);
    assert.ok(
      scan.packages.every((pkg) => pkg.layerIndex === 0 && pkg.layer === scan.image.layers[0]?.digest),
      'every package came with layer 1',
    );
    const libc = scan.packages.find((pkg) => pkg.name === 'libc6');
    assert.equal(libc?.sourceName, 'glibc');
    assert.equal(
      libc?.purl,
      `pkg:deb/debian/libc6@${encodeURIComponent(libc?.version ?? '')}?arch=amd64&distro=debian-12&upstream=glibc%40${encodeURIComponent(libc?.version ?? '')}`,
    );
  });

  it('finds exactly the Debian 12 advisories that dpkg itself says apply to the installed versions', async () => {
    const installed = new Map<string, { name: string; version: string }[]>();
    for (const pkg of scan.packages) {
      const source = pkg.sourceName ?? pkg.name;
      installed.set(source, [...(installed.get(source) ?? []), { name: pkg.name, version: pkg.sourceVersion ?? pkg.version }]);
    }
    const expected = new Set<string>();
    for await (const event of readZipJson(sharedDataPath('osv/Debian/all.zip'))) {
      if (event.kind !== 'entry') continue;
      const record = JSON.parse(event.text) as { id: string; affected: { package: { name: string }; ranges: { events: Record<string, string>[] }[] }[] };
      for (const affected of record.affected) {
        for (const pkg of installed.get(affected.package.name) ?? []) {
          const fixed = affected.ranges.flatMap((range) => range.events).find((entry) => entry.fixed)?.fixed;
          if (fixed && dpkgLessThan(pkg.version, fixed)) expected.add(`${record.id} ${pkg.name}`);
        }
      }
    }
    const found = new Set(scan.vulnerabilities.flatMap((match) => match.records.map((record) => `${record} ${match.package.name}`)));
    assert.ok(expected.size > 20, `${expected.size} expected findings`);
    assert.deepEqual([...found].sort(), [...expected].sort());
    assert.ok(scan.vulnerabilities.every((match) => match.fixedVersions.length > 0 && match.id.startsWith('CVE-')));
  });

  it('kubeward fs scan of the root filesystem directory finds what the image scan finds', async () => {
    const result = await kubeward(['fs', 'scan', image.rootfs, '--db', db, '--format', 'json', '--quiet']);
    assert.equal(result.code, 0, result.stderr);
    const directory = JSON.parse(result.stdout) as ImageScan;
    assert.equal(directory.os?.id, 'debian');
    assert.deepEqual(directory.packages.map((pkg) => `${pkg.name} ${pkg.version}`).sort(), scan.packages.map((pkg) => `${pkg.name} ${pkg.version}`).sort());
    assert.deepEqual(
      directory.vulnerabilities.map((match) => `${match.id} ${match.package.name}`).sort(),
      scan.vulnerabilities.map((match) => `${match.id} ${match.package.name}`).sort(),
    );
  });

  it('writes SARIF that validates against the SARIF 2.1.0 schema: a rule per vulnerability, a result per vulnerable package', async () => {
    const result = await kubeward(['image', 'scan', `oci:${image.layout}:bookworm`, '--db', db, '--format', 'sarif', '--quiet']);
    assert.equal(result.code, 0, result.stderr);
    const log = JSON.parse(result.stdout) as {
      runs: {
        tool: { driver: { rules: { id: string; properties: { 'security-severity': string } }[] } };
        results: { ruleId: string; ruleIndex: number; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
      }[];
    };
    const validate = await sarifValidator();
    assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    const [run] = log.runs;
    assert.equal(run?.results.length, scan.vulnerabilities.length);
    assert.equal(run?.tool.driver.rules.length, new Set(scan.vulnerabilities.map((match) => match.id)).size);
    for (const entry of run?.results ?? []) {
      assert.equal(run?.tool.driver.rules[entry.ruleIndex]?.id, entry.ruleId);
      assert.equal(entry.locations[0]?.physicalLocation.artifactLocation.uri, 'var/lib/dpkg/status');
    }
    assert.ok(run?.tool.driver.rules.every((rule) => Number(rule.properties['security-severity']) >= 0));
  });

  it('reads the same image as a docker save archive, an OCI archive and with zstd layers, with the same results', async () => {
    const converted = await convertedBookworm();
    const zstdManifest = await openImage(`oci:${converted.zstdLayout}:bookworm`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } });
    assert.ok(
      zstdManifest.manifest.layers.every((layer) => layer.mediaType.endsWith('+zstd')),
      'skopeo wrote zstd layers',
    );
    const summary = (report: ImageScan): string[] =>
      [
        ...report.packages.map((pkg) => `${pkg.name} ${pkg.version} ${pkg.layerIndex}`),
        ...report.vulnerabilities.map((match) => `${match.id} ${match.package.name}`),
      ].sort();
    for (const reference of [
      converted.dockerArchive,
      `docker-archive:${converted.dockerArchive}:bookworm:latest`,
      converted.ociArchive,
      `oci-archive:${converted.ociArchive}:bookworm`,
      `oci:${converted.zstdLayout}:bookworm`,
    ]) {
      const result = await kubeward(['image', 'scan', reference, '--db', db, '--format', 'json', '--quiet']);
      assert.equal(result.code, 0, `${reference}: ${result.stderr}`);
      assert.deepEqual(summary(JSON.parse(result.stdout) as ImageScan), summary(scan), reference);
    }
  });

  it('stacks layers: the whiteout of layer 2 removes /usr/share/doc, its files are added', async () => {
    const resolved = await openImage(`oci:${image.layout}:bookworm`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } });
    const filesystem = new ImageFilesystem();
    for (const [index, layer] of resolved.manifest.layers.entries()) {
      const stream = await resolved.openLayer(layer);
      await filesystem.addLayer(decompress(stream, compressionOf(layer.mediaType, Buffer.alloc(0)), 2 ** 34), index, layer.digest, {
        wants: () => false,
        maxBytes: 0,
      });
    }
    assert.equal(filesystem.node('/usr/share/doc'), undefined);
    assert.equal(
      [...filesystem.nodes()].some((node) => node.path.startsWith('/usr/share/doc/')),
      false,
    );
    assert.equal(filesystem.node('/app/hello.txt')?.layer, 1);
    assert.equal(filesystem.node('/usr/bin/bash')?.type, 'file');
    assert.equal(filesystem.resolve('/bin/bash'), '/usr/bin/bash', '/bin is a symlink to usr/bin in bookworm');
  });
});
