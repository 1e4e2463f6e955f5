import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openImage, scanImage, type ImageScanLimits } from '../src/image/index.js';
import type { ImageProblem, ImageScan } from '../src/model/index.js';
import { kubeward } from './support/cli.js';
import { gzipTarOf, tarOf, writeOciLayout, type TarEntry } from './support/oci.js';
import { temporaryDirectory } from './support/repo.js';

const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const OS_RELEASE = 'ID=alpine\nVERSION_ID=3.11.6\nPRETTY_NAME="Alpine Linux v3.11"\n';
const APK_DB = 'C:Q1abc\nP:musl\nV:1.1.24-r2\nA:x86_64\no:musl\nL:MIT\n\nC:Q1def\nP:libcrypto1.1\nV:1.1.1d-r2\nA:x86_64\no:openssl\nL:OpenSSL\n\n';

const scanLayout = async (layers: readonly { data: Buffer; mediaType: string }[], limits?: ImageScanLimits): Promise<ImageScan> => {
  const directory = await temporaryDirectory();
  await writeOciLayout(directory, layers);
  const image = await openImage(`oci:${directory}:test`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } });
  return scanImage(image, limits ? { limits } : {});
};

const layer = async (entries: readonly TarEntry[]) => ({ data: gzipSync(await tarOf(entries)), mediaType: GZIP });

describe('image layers that try to escape or exhaust', () => {
  it('skips entries outside the root, keeps links inside it, never reads devices, and still catalogues the rest', async () => {
    const scan = await scanLayout([
      await layer([
        { name: 'etc/os-release', content: OS_RELEASE },
        { name: 'lib/apk/db/installed', content: APK_DB },
        { name: '../../etc/evil.json', content: 'x' },
        { name: '/etc/absolute', content: 'x' },
        { name: 'usr/lib/link-out', type: 'symlink', linkname: '../../../../../etc/shadow' },
        { name: 'hard-out', type: 'link', linkname: '../outside' },
        { name: 'dev/evil', type: 'character-device' },
      ]),
    ]);
    assert.equal(scan.os?.id, 'alpine');
    assert.equal(scan.os?.release, 'v3.11');
    assert.deepEqual(
      scan.packages.map((pkg) => `${pkg.name} ${pkg.version} ${pkg.sourceName}`),
      ['musl 1.1.24-r2 musl', 'libcrypto1.1 1.1.1d-r2 openssl'],
    );
    assert.deepEqual(scan.problems.map((problem) => `${problem.code} ${problem.path}`).sort(), [
      'unsafe-path ../../etc/evil.json',
      'unsafe-path /etc/absolute',
      'unsafe-path /hard-out',
    ]);
  });

  it('resolves symlinks as a chroot would, and honours whiteouts and opaque directories', async () => {
    const directory = await temporaryDirectory();
    await writeOciLayout(directory, [
      await layer([
        { name: 'usr/lib/os-release', content: OS_RELEASE },
        { name: 'etc/os-release', type: 'symlink', linkname: '../../../../usr/lib/os-release' },
        { name: 'lib/apk/db/installed', content: APK_DB },
        { name: 'opt/app/a', content: 'a' },
        { name: 'opt/app/b', content: 'b' },
      ]),
      await layer([
        { name: 'lib/apk/db/.wh.installed', content: '' },
        { name: 'opt/app/.wh..wh..opq', content: '' },
        { name: 'opt/app/c', content: 'c' },
      ]),
    ]);
    const image = await openImage(`oci:${directory}:test`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } });
    const scan = await scanImage(image);
    assert.equal(scan.os?.source, '/etc/os-release', 'the link climbing above / lands on /usr/lib/os-release');
    assert.deepEqual(scan.packages, [], 'the apk database was deleted in layer 2');
  });

  it('stops a decompression bomb at the layer limit, and reports a file too large to read', async () => {
    const bomb = await layer([{ name: 'zeros', content: Buffer.alloc(32 * 1024 * 1024) }]);
    assert.ok(bomb.data.length < 100 * 1024, `${bomb.data.length} bytes compressed`);
    await assert.rejects(scanLayout([bomb], { maxLayerBytes: 8 * 1024 * 1024, maxFileBytes: 1024 }), /expands past 8388608 bytes \(a decompression bomb\?\)/);
    const large = await scanLayout([await layer([{ name: 'lib/apk/db/installed', content: Buffer.alloc(4096, 0x41) }])], {
      maxLayerBytes: 1 << 30,
      maxFileBytes: 1024,
    });
    assert.deepEqual(
      large.problems.map((problem) => problem.code),
      ['too-large'],
    );
  });

  it('refuses a layer whose digest does not match, a truncated blob, and skips an unknown media type', async () => {
    const directory = await temporaryDirectory();
    const { layers } = await writeOciLayout(directory, [await layer([{ name: 'etc/os-release', content: OS_RELEASE }])]);
    const blob = join(directory, 'blobs', 'sha256', (layers[0] as string).slice(7));
    const original = await readFile(blob);
    const open = () => openImage(`oci:${directory}:test`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } });

    const tampered = Buffer.from(original);
    tampered[tampered.length - 9] = (tampered[tampered.length - 9] as number) ^ 0xff;
    await writeFile(blob, tampered);
    await assert.rejects(async () => scanImage(await open()), /does not match|cannot be read/);

    await writeFile(blob, original.subarray(0, original.length - 20));
    await assert.rejects(async () => scanImage(await open()), /truncated|cannot be read/);

    const other = await scanLayout([{ data: Buffer.from('{"not":"a layer"}'), mediaType: 'application/vnd.example.sbom+json' }]);
    assert.deepEqual(
      other.problems.map((problem) => problem.code),
      ['unknown-media-type'],
    );
  });

  it('reads docker save archives by header index, and refuses a tampered or truncated one', async () => {
    const layerTar = await tarOf([
      { name: 'etc/os-release', content: OS_RELEASE },
      { name: 'lib/apk/db/installed', content: APK_DB },
    ]);
    const layerHex = createHash('sha256').update(layerTar).digest('hex');
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { User: 'app', ExposedPorts: { '22/tcp': {} } },
      rootfs: { type: 'layers', diff_ids: [`sha256:${layerHex}`] },
      history: [{ created_by: 'ADD alpine-minirootfs.tar.gz /' }],
    });
    const configHex = createHash('sha256').update(config).digest('hex');
    // A long directory name forces a pax header, as real archives of long paths carry.
    const deep = `${'very-long-directory-name/'.repeat(6)}${layerHex}.tar`;
    const archive = await tarOf([
      { name: 'manifest.json', content: JSON.stringify([{ Config: `${configHex}.json`, RepoTags: ['registry.example.com/app:1.0'], Layers: [deep] }]) },
      { name: `${configHex}.json`, content: config },
      { name: deep, content: layerTar },
    ]);
    const directory = await temporaryDirectory();
    const file = join(directory, 'app.tar');
    await writeFile(file, archive);
    const scan = await scanImage(
      await openImage(`docker-archive:${file}:registry.example.com/app:1.0`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } }),
    );
    assert.deepEqual(
      scan.packages.map((pkg) => pkg.name),
      ['musl', 'libcrypto1.1'],
    );
    assert.deepEqual([scan.image.user, scan.image.exposedPorts, scan.image.layers[0]?.createdBy], ['app', ['22/tcp'], 'ADD alpine-minirootfs.tar.gz /']);
    await assert.rejects(
      openImage(`docker-archive:${file}:other:2.0`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } }),
      /none tagged "other:2\.0"/,
    );

    const tampered = Buffer.from(archive);
    const at = tampered.indexOf('musl');
    tampered[at] = 0x4e; // 'N'
    await writeFile(file, tampered);
    await assert.rejects(async () => scanImage(await openImage(file, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } })), /does not match/);
    await writeFile(file, archive.subarray(0, archive.length - 3000));
    await assert.rejects(openImage(file, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } }), /truncated|not a tar archive|runs past the end/);
  });

  it('reads zstd layers', async () => {
    const tarball = await tarOf([
      { name: 'etc/os-release', content: OS_RELEASE },
      { name: 'lib/apk/db/installed', content: APK_DB },
    ]);
    const compressed = execFileSync('zstd', ['-q', '-c'], { input: tarball });
    const scan = await scanLayout([{ data: compressed, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }]);
    assert.equal(scan.packages.length, 2);
  });

  it('explains a missing image or tag on the command line (exit 2)', async () => {
    const directory = await temporaryDirectory();
    await writeOciLayout(directory, [await layer([{ name: 'etc/os-release', content: OS_RELEASE }])]);
    const wrongTag = await kubeward(['image', 'scan', `oci:${directory}:latest`, '--no-vulnerabilities']);
    assert.equal(wrongTag.code, 2);
    assert.match(wrongTag.stderr, /has no image tagged "latest"\nhint: tags in it: test/);
    const packagesOnly = await kubeward(['image', 'scan', directory, '--no-vulnerabilities', '--format', 'json', '-q']);
    assert.equal(packagesOnly.code, 0, packagesOnly.stderr);
    assert.equal((JSON.parse(packagesOnly.stdout) as ImageScan).os?.id, 'alpine');
  });
});

describe('kubeward fs scan on a hostile directory', () => {
  it('resolves symbolic links inside the scanned root, never on the host', async () => {
    const root = await temporaryDirectory();
    await mkdir(join(root, 'etc'), { recursive: true });
    await mkdir(join(root, 'lib/apk/db'), { recursive: true });
    await writeFile(join(root, 'lib/apk/db/installed'), APK_DB);
    await mkdir(join(root, 'usr/lib'), { recursive: true });
    await writeFile(join(root, 'usr/lib/os-release'), OS_RELEASE);
    // An absolute link: on the host it would reach the host's own /usr/lib/os-release (Debian here).
    await symlink('/usr/lib/os-release', join(root, 'etc/os-release'));
    await symlink('../../../../../../etc/passwd', join(root, 'etc/escape'));
    // A FIFO where a package database is looked for would block a reader forever; a link loop, forever too.
    execFileSync('mkfifo', [join(root, 'lib/apk/db/triggers')]);
    await mkdir(join(root, 'usr/lib/python3/dist-packages/x.dist-info'), { recursive: true });
    execFileSync('mkfifo', [join(root, 'usr/lib/python3/dist-packages/x.dist-info/METADATA')]);
    await symlink('loop-b', join(root, 'loop-a'));
    await symlink('loop-a', join(root, 'loop-b'));
    const result = await kubeward(['fs', 'scan', root, '--no-vulnerabilities', '--format', 'json', '--quiet']);
    assert.equal(result.code, 0, result.stderr);
    const scan = JSON.parse(result.stdout) as ImageScan;
    assert.equal(scan.os?.id, 'alpine', 'the link resolved inside the root');
    assert.equal(scan.os?.source, '/etc/os-release');
    assert.deepEqual(
      scan.packages.map((pkg) => `${pkg.name} ${pkg.version}`),
      ['musl 1.1.24-r2', 'libcrypto1.1 1.1.1d-r2'],
    );
    const missing = await kubeward(['fs', 'scan', join(root, 'lib/apk/db/installed'), '--no-vulnerabilities']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /is not a directory/);
  });
});

describe('hostile OCI layout directories', () => {
  const open = (directory: string) => openImage(`oci:${directory}:test`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } });
  const fresh = async () => {
    const directory = await temporaryDirectory();
    const digests = await writeOciLayout(directory, [await layer([{ name: 'etc/os-release', content: OS_RELEASE }])]);
    return { directory, digests };
  };
  const blob = (directory: string, digest: string): string => join(directory, 'blobs', 'sha256', digest.slice(7));

  it('refuses index.json linked to /dev/zero, to a host file (never printing it) or made a FIFO, at once', async () => {
    const { directory } = await fresh();
    const { rm } = await import('node:fs/promises');
    await rm(join(directory, 'index.json'));
    await symlink('/dev/zero', join(directory, 'index.json'));
    const started = Date.now();
    await assert.rejects(open(directory), /index\.json is a symbolic link; refused/);
    await rm(join(directory, 'index.json'));
    await symlink('/etc/passwd', join(directory, 'index.json'));
    await assert.rejects(open(directory), (error: Error) => /symbolic link; refused/.test(error.message) && !error.message.includes('root:'));
    await rm(join(directory, 'index.json'));
    execFileSync('mkfifo', [join(directory, 'index.json')]);
    await assert.rejects(open(directory), /index\.json is not a regular file; refused/);
    assert.ok(Date.now() - started < 5000, 'no read hangs or grows');
  });

  it('refuses a manifest, config or layer blob that is a link, and a blobs directory linked out of the layout', async () => {
    for (const which of ['manifest', 'config', 'layer'] as const) {
      const { directory, digests } = await fresh();
      const { rm } = await import('node:fs/promises');
      const target = blob(directory, which === 'layer' ? (digests.layers[0] as string) : digests[which]);
      await rm(target);
      await symlink('/dev/zero', target);
      await assert.rejects(async () => scanImage(await open(directory)), /is a symbolic link; refused/, which);
    }
    const { directory } = await fresh();
    const outside = await temporaryDirectory();
    const { rename } = await import('node:fs/promises');
    await rename(join(directory, 'blobs'), join(outside, 'blobs'));
    await symlink(join(outside, 'blobs'), join(directory, 'blobs'));
    await assert.rejects(open(directory), /blobs is a symbolic link; refused \(layout files must be inside the layout\)/);
  });

  it('a JSON error in index.json does not quote the file', async () => {
    const { directory } = await fresh();
    await writeFile(join(directory, 'index.json'), 'root:x:0:0:root:/root:/bin/bash\n');
    await assert.rejects(
      open(directory),
      (error: Error) => /index\.json is not valid JSON \(unexpected content/.test(error.message) && !error.message.includes('root:x'),
    );
  });

  it('a layer blob larger than its descriptor says is refused before it is read', async () => {
    const { directory, digests } = await fresh();
    const layerFile = blob(directory, digests.layers[0] as string);
    await writeFile(layerFile, Buffer.concat([await readFile(layerFile), Buffer.alloc(1 << 20)]));
    await assert.rejects(async () => scanImage(await open(directory)), /bytes, more than the \d+ it may hold/);
  });
});

describe('hostile tar headers', () => {
  /** A ustar header with the checksum tar tools write, for hand-made archives. */
  const header = (name: string, size: number, type: string): Buffer => {
    const block = Buffer.alloc(512);
    block.write(name, 0);
    block.write('0000644\0', 100);
    block.write('0000000\0', 108);
    block.write('0000000\0', 116);
    block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
    block.write('00000000000\0', 136);
    block.write(type, 156);
    block.write('ustar\0', 257);
    block.write('00', 263);
    block.fill(' ', 148, 156);
    let sum = 0;
    for (const byte of block) sum += byte;
    block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    return block;
  };
  const pax = (records: Record<string, string>): Buffer => {
    const body = Object.entries(records)
      .map(([key, value]) => {
        const line = ` ${key}=${value}\n`;
        let length = line.length + 1;
        while (`${length}${line}`.length !== length) length = `${length}${line}`.length;
        return `${length}${line}`;
      })
      .join('');
    const data = Buffer.from(body);
    return Buffer.concat([header('PaxHeaders/x', data.length, 'x'), data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
  };

  it('a pax size that is negative, fractional or not a number ends the read with an error, not a loop', async () => {
    for (const size of ['-1000', '-1', '1.5', 'lots', '1e6']) {
      const archive = Buffer.concat([pax({ size }), header('manifest.json', 0, '0'), Buffer.alloc(1024)]);
      const directory = await temporaryDirectory();
      const file = join(directory, 'bad.tar');
      await writeFile(file, archive);
      const started = Date.now();
      await assert.rejects(
        openImage(`docker-archive:${file}`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } }),
        new RegExp(`the pax header of manifest\\.json at offset \\d+ gives size "${size.replace('.', '\\.')}", not a byte count`),
      );
      assert.ok(Date.now() - started < 2000, size);
    }
  });
});

describe('zip bombs that pass every per-entry check', () => {
  it('a jar whose central directory points 120 entries at one deflate stream costs one entry, not 2.4 GB', async () => {
    const { zipOf, compressible } = await import('./support/zip.js');
    const { readJavaArchive } = await import('../src/image/catalog/java.js');
    const names = Array.from({ length: 120 }, (_, index) => `BOOT-INF/lib/lib-${index}.jar`);
    const jar = zipOf(names, compressible(20 * 1024 * 1024));
    assert.ok(jar.length < 250 * 1024, `${jar.length} bytes`);
    const problems: ImageProblem[] = [];
    const before = process.memoryUsage().rss;
    const started = Date.now();
    await readJavaArchive(jar, '/app.jar', problems, '/app.jar');
    assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
    assert.ok(process.memoryUsage().rss - before < 400 * 1024 * 1024, 'memory stays bounded');
    assert.equal(problems.filter((problem) => /shares its data with another entry/.test(problem.message)).length, 119);
  });

  it('distinct entries stop at the archive budget, nested archives counted in it', async () => {
    const { zipOf, compressible } = await import('./support/zip.js');
    const { readJavaArchive } = await import('../src/image/catalog/java.js');
    const { ZipGuard } = await import('../src/zip/index.js');
    const inner = zipOf(['META-INF/MANIFEST.MF'], Buffer.from('Manifest-Version: 1.0\n'), false);
    const names = Array.from({ length: 12 }, (_, index) => `WEB-INF/lib/lib-${index}.jar`);
    const outer = zipOf(names, Buffer.concat([inner, compressible(2 * 1024 * 1024)]), false);
    const problems: ImageProblem[] = [];
    await readJavaArchive(outer, '/app.war', problems, '/app.war', 0, new ZipGuard({ maxTotalBytes: 10 * 1024 * 1024 }));
    const refused = problems.filter((problem) => /would take the archive past 10485760 inflated bytes in all/.test(problem.message));
    assert.equal(refused.length, 1, problems.map((problem) => problem.message).join('\n'));
    assert.match(refused[0]?.message ?? '', /^\/app\.war!WEB-INF\/lib\/lib-4\.jar:/);
  });

  it('an OSV zip of overlapping entries imports the one record once and reports the rest', async () => {
    const { zipOf } = await import('./support/zip.js');
    const { readZipJson } = await import('../src/vulndb/sources/zip.js');
    const record = Buffer.from(JSON.stringify({ id: 'GHSA-xxxx-yyyy-zzzz', modified: '2024-01-01T00:00:00Z', affected: [], details: 'x'.repeat(200_000) }));
    const directory = await temporaryDirectory();
    const file = join(directory, 'all.zip');
    await writeFile(
      file,
      zipOf(
        Array.from({ length: 5000 }, (_, index) => `GHSA-${index}.json`),
        record,
      ),
    );
    const started = Date.now();
    const events: { kind: string; message?: string }[] = [];
    for await (const event of readZipJson(file)) events.push(event);
    assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
    assert.equal(events.filter((event) => event.kind === 'entry').length, 1);
    assert.equal(events.filter((event) => /shares its data with another entry/.test(event.message ?? '')).length, 4999);
  });

  it('an OSV zip that inflates past its budget (100 times its size, at least 64 MiB) stops there', async () => {
    const { zipOf } = await import('./support/zip.js');
    const { readZipJson } = await import('../src/vulndb/sources/zip.js');
    const directory = await temporaryDirectory();
    const file = join(directory, 'all.zip');
    const record = Buffer.from(JSON.stringify({ id: 'X', modified: '2024-01-01T00:00:00Z', details: ' '.repeat(2_000_000) }));
    await writeFile(
      file,
      zipOf(
        Array.from({ length: 40 }, (_, index) => `X-${index}.json`),
        record,
        false,
      ),
    );
    const events: { kind: string; message?: string }[] = [];
    for await (const event of readZipJson(file, { maxEntryBytes: 32 * 1024 * 1024, maxRatio: 10_000, maxTotalRatio: 100 })) events.push(event);
    const entries = events.filter((event) => event.kind === 'entry').length;
    assert.ok(entries > 0 && entries < 40, `${entries} entries read`);
    assert.equal(events.filter((event) => /the rest of the archive is not read/.test(event.message ?? '')).length, 1);
  });
});

describe('a cataloger that trips over one file', () => {
  /** An executable with Go's build info magic whose first varint never ends. */
  const brokenGo = (): Buffer => {
    const data = Buffer.alloc(600_000);
    data.write('\x7fELF', 0, 'latin1');
    const at = 4096;
    Buffer.from('\xff Go buildinf:', 'latin1').copy(data, at);
    data[at + 14] = 8;
    data[at + 15] = 2;
    data.fill(0xff, at + 32, at + 48);
    return data;
  };
  /** An old-style build info whose ELF program headers point past the end of the file. */
  const brokenElf = (): Buffer => {
    const data = Buffer.alloc(600_000);
    data.writeUInt32BE(0x7f454c46, 0);
    data[4] = 2;
    data[5] = 1;
    data.writeBigUInt64LE(0xffff_ffff_ffffn, 32);
    data.writeUInt16LE(56, 54);
    data.writeUInt16LE(4, 56);
    const at = 8192;
    Buffer.from('\xff Go buildinf:', 'latin1').copy(data, at);
    data[at + 14] = 8;
    data[at + 15] = 0;
    data.writeBigUInt64LE(0xffff_ffff_ffff_fff0n, at + 16);
    return data;
  };

  it('image scan: the broken binaries are problems of their own, every other package is still listed (exit 0)', async () => {
    const directory = await temporaryDirectory();
    await writeOciLayout(directory, [
      await layer([
        { name: 'etc/os-release', content: OS_RELEASE },
        { name: 'lib/apk/db/installed', content: APK_DB },
        { name: 'usr/local/bin/broken-go', content: brokenGo(), mode: 0o755 },
        { name: 'usr/local/bin/broken-elf', content: brokenElf(), mode: 0o755 },
      ]),
    ]);
    const result = await kubeward(['image', 'scan', `oci:${directory}:test`, '--no-vulnerabilities', '--format', 'json', '-q']);
    assert.equal(result.code, 0, result.stderr);
    const scan = JSON.parse(result.stdout) as ImageScan;
    assert.deepEqual(
      scan.packages.map((pkg) => pkg.name),
      ['musl', 'libcrypto1.1'],
    );
    assert.deepEqual(scan.problems.map((problem) => `${problem.code} ${problem.path}`).sort(), ['catalog /usr/local/bin/broken-go']);
    assert.match(scan.problems[0]?.message ?? '', /broken-go: bad varint; not catalogued/);
  });

  it('fs scan says the same of the same files', async () => {
    const directory = await temporaryDirectory();
    await mkdir(join(directory, 'usr/local/bin'), { recursive: true });
    await mkdir(join(directory, 'etc'), { recursive: true });
    await writeFile(join(directory, 'etc/os-release'), OS_RELEASE);
    await writeFile(join(directory, 'usr/local/bin/broken-go'), brokenGo(), { mode: 0o755 });
    await writeFile(join(directory, 'usr/local/bin/broken-elf'), brokenElf(), { mode: 0o755 });
    const result = await kubeward(['fs', 'scan', directory, '--no-vulnerabilities', '--format', 'json', '-q']);
    assert.equal(result.code, 0, result.stderr);
    const scan = JSON.parse(result.stdout) as ImageScan;
    assert.deepEqual(scan.problems.map((problem) => `${problem.code} ${problem.path}`).sort(), ['catalog /usr/local/bin/broken-go']);
  });
});

describe('what catalogers read is bounded over the whole image', () => {
  it('sparse 200 MB package.json files in a small layer are refused by their size, before they are read', async () => {
    const spaces = Buffer.alloc(200 * 1024 * 1024, 0x20);
    const files = Array.from({ length: 4 }, (_, index) => ({ name: `app/node_modules/pkg-${index}/package.json`, content: spaces }));
    const big = { data: await gzipTarOf([{ name: 'etc/os-release', content: OS_RELEASE }, ...files]), mediaType: GZIP };
    assert.ok(big.data.length < 3 * 1024 * 1024, `${big.data.length} bytes compressed`);
    const before = process.memoryUsage().rss;
    const scan = await scanLayout([big]);
    assert.ok(process.memoryUsage().rss - before < 600 * 1024 * 1024, `${Math.round((process.memoryUsage().rss - before) / 2 ** 20)} MB more`);
    assert.equal(
      scan.problems.filter((problem) => /package\.json is 209715200 bytes, over the 33554432-byte limit for reading/.test(problem.message)).length,
      4,
    );
  });

  it('files under their own limit stop at the total for the image', async () => {
    const files = Array.from({ length: 8 }, (_, index) => ({ name: `usr/share/java/lib-${index}.jar`, content: Buffer.alloc(3 * 1024 * 1024, index) }));
    const scan = await scanLayout([await layer([{ name: 'etc/os-release', content: OS_RELEASE }, ...files])], {
      maxLayerBytes: 1 << 30,
      maxFileBytes: 8 * 1024 * 1024,
      maxCapturedBytes: 10 * 1024 * 1024,
    });
    const refused = scan.problems.filter((problem) => /would take the files read for cataloguing past 10485760 bytes in all/.test(problem.message));
    assert.equal(refused.length, 5, scan.problems.map((problem) => problem.message).join('\n'));
  });
});

describe('paths longer than any filesystem holds', () => {
  it('a layer entry (or link target) over 4,096 characters is skipped and reported; the rest is catalogued', async () => {
    const scan = await scanLayout([
      await layer([
        { name: 'etc/os-release', content: OS_RELEASE },
        { name: `${'deep/'.repeat(3000)}package.json`, content: '{"name": "x", "version": "1.0.0"}' },
        { name: 'usr/lib/link', type: 'symlink', linkname: 'x/'.repeat(5000) },
        { name: 'lib/apk/db/installed', content: APK_DB },
      ]),
    ]);
    assert.deepEqual(
      scan.packages.map((pkg) => pkg.name),
      ['musl', 'libcrypto1.1'],
    );
    assert.deepEqual(
      scan.problems.map((problem) => problem.message.replace(/\d+ characters \(link target \d+\)/, 'N characters')),
      ['an entry of N characters is longer than any path (4096); skipped', 'an entry of N characters is longer than any path (4096); skipped'],
    );
  });
});
