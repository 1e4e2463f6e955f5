import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { deflateSync, gzipSync } from 'node:zlib';
import { cargoAuditableFixtures, cargoCommand, dumpDepSection, hasObjcopy, type CargoAuditableFixtures } from '../../../test/support/cargo-auditable.js';
import { tarOf, writeOciLayout, type TarEntry } from '../../../test/support/oci.js';
import { temporaryDirectory } from '../../../test/support/repo.js';
import type { ImageScan } from '../../model/index.js';
import { openImage, scanImage } from '../index.js';
import { elfSections, MAX_DEP_INFO_BYTES, parseDepInfo, readDepInfo } from './cargo-auditable.js';

const scanEntries = async (entries: readonly TarEntry[]): Promise<ImageScan> => {
  const directory = await temporaryDirectory();
  await writeOciLayout(directory, [{ data: gzipSync(await tarOf(entries)), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }]);
  return scanImage(await openImage(`oci:${directory}:test`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } }));
};

const listed = (scan: ImageScan): string[] =>
  scan.packages
    .filter((pkg) => pkg.cataloger === 'cargo-auditable')
    .map((pkg) => `${pkg.path} ${pkg.name} ${pkg.version}`)
    .sort();

/**
 * A minimal ELF file of either class and byte order, with a null section, the given sections
 * and a section name table: for the shapes no toolchain here produces (32-bit, big-endian, hostile).
 */
const elfOf = (sections: readonly { name: string; data: Buffer; size?: number }[], options: { wide?: boolean; little?: boolean } = {}): Buffer => {
  const wide = options.wide ?? true;
  const little = options.little ?? true;
  const headerSize = wide ? 64 : 52;
  const entsize = wide ? 64 : 40;
  const names = Buffer.concat([Buffer.from('\0.shstrtab\0'), ...sections.map((section) => Buffer.from(`${section.name}\0`))]);
  const all = [
    ...sections.map((section, index) => ({
      ...section,
      nameOffset: 11 + sections.slice(0, index).reduce((sum, previous) => sum + previous.name.length + 1, 0),
    })),
    { name: '.shstrtab', data: names, nameOffset: 1, size: undefined },
  ];
  let offset = headerSize;
  const placed = all.map((section) => {
    const at = offset;
    offset += section.data.length;
    return { ...section, at };
  });
  const shoff = offset;
  const out = Buffer.alloc(shoff + (placed.length + 1) * entsize);
  out.writeUInt32BE(0x7f454c46, 0);
  out[4] = wide ? 2 : 1;
  out[5] = little ? 1 : 2;
  out[6] = 1;
  const u16 = (value: number, at: number): number => (little ? out.writeUInt16LE(value, at) : out.writeUInt16BE(value, at));
  const u32 = (value: number, at: number): number => (little ? out.writeUInt32LE(value, at) : out.writeUInt32BE(value, at));
  const word = (value: number, at: number): number =>
    wide ? (little ? out.writeBigUInt64LE(BigInt(value), at) : out.writeBigUInt64BE(BigInt(value), at)) : u32(value, at);
  u16(2, 16); // ET_EXEC
  word(shoff, wide ? 0x28 : 0x20);
  u16(headerSize, wide ? 0x34 : 0x28);
  u16(entsize, wide ? 0x3a : 0x2e);
  u16(placed.length + 1, wide ? 0x3c : 0x30);
  u16(placed.length, wide ? 0x3e : 0x32);
  for (const [index, section] of placed.entries()) {
    section.data.copy(out, section.at);
    const at = shoff + (index + 1) * entsize;
    u32(section.nameOffset, at);
    u32(section.name === '.shstrtab' ? 3 : 1, at + 4);
    word(section.at, at + (wide ? 24 : 16));
    word(section.size ?? section.data.length, at + (wide ? 32 : 20));
  }
  return out;
};

const DEP_INFO = JSON.stringify({
  packages: [
    { name: 'app', version: '0.1.0', source: 'local', dependencies: [1, 2], root: true },
    { name: 'smallvec', version: '1.6.0', source: 'crates.io' },
    { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' },
    { name: 'weird', version: '1.0.0', kind: 'something-else' },
    { name: 'no-version' },
  ],
  format: 1,
});

describe('cargo-auditable executables (ELF shapes built here)', () => {
  it('reads 32- and 64-bit, little- and big-endian ELF files, and lists runtime crates only', () => {
    for (const wide of [true, false]) {
      for (const little of [true, false]) {
        const info = readDepInfo(
          elfOf(
            [
              { name: '.text', data: Buffer.alloc(32, 0x90) },
              { name: '.dep-v0', data: deflateSync(DEP_INFO) },
            ],
            { wide, little },
          ),
        );
        assert.ok(info && 'json' in info, `${wide ? 64 : 32}-bit ${little ? 'LE' : 'BE'}: ${JSON.stringify(info)}`);
        assert.deepEqual(
          parseDepInfo(info.json.toString()).map((crate) => `${crate.name} ${crate.version}${crate.root ? ' root' : ''}`),
          ['app 0.1.0 root', 'smallvec 1.6.0'],
        );
      }
    }
    // rust-audit 0.1 named the section differently.
    const legacy = readDepInfo(elfOf([{ name: '.rust-deps-v0', data: deflateSync(DEP_INFO) }]));
    assert.ok(legacy && 'json' in legacy);
  });

  it('ignores what is no ELF or has no dependency section', () => {
    assert.equal(readDepInfo(Buffer.from('#!/bin/sh\necho hello\n'.repeat(10))), undefined);
    assert.equal(readDepInfo(elfOf([{ name: '.text', data: Buffer.alloc(16) }])), undefined);
    assert.equal(elfSections(Buffer.from('\x7fELF')), undefined);
    // Section headers past the end of the file: no sections, no crash.
    const truncated = elfOf([{ name: '.dep-v0', data: deflateSync(DEP_INFO) }]);
    assert.equal(readDepInfo(truncated.subarray(0, truncated.length - 100)), undefined);
  });

  it('refuses decompression bombs, corrupt streams and sections past the end, as problems', async () => {
    const bomb = deflateSync(Buffer.alloc(MAX_DEP_INFO_BYTES + 1024 * 1024), { level: 9 });
    assert.ok(bomb.length < 64 * 1024, `a ${bomb.length}-byte stream`);
    assert.match(JSON.stringify(readDepInfo(elfOf([{ name: '.dep-v0', data: bomb }]))), /inflates to more than 8388608 bytes/);
    assert.match(JSON.stringify(readDepInfo(elfOf([{ name: '.dep-v0', data: Buffer.from('not zlib at all') }]))), /not zlib data/);
    assert.match(JSON.stringify(readDepInfo(elfOf([{ name: '.dep-v0', data: Buffer.alloc(8), size: 1 << 30 }]))), /runs past the end/);

    const good = elfOf([{ name: '.dep-v0', data: deflateSync(DEP_INFO) }]);
    const scan = await scanEntries([
      { name: 'usr/bin/bomb', content: elfOf([{ name: '.dep-v0', data: bomb }]), mode: 0o755 },
      { name: 'usr/bin/notjson', content: elfOf([{ name: '.dep-v0', data: deflateSync('{"packages": {') }]), mode: 0o755 },
      { name: 'usr/bin/good', content: good, mode: 0o755 },
      { name: 'usr/share/good-but-not-executable', content: good, mode: 0o644 },
    ]);
    assert.deepEqual(listed(scan), ['/usr/bin/good app 0.1.0', '/usr/bin/good smallvec 1.6.0']);
    assert.deepEqual(scan.problems.map((problem) => problem.path).sort(), ['/usr/bin/bomb', '/usr/bin/notjson']);
    assert.match(scan.problems.find((problem) => problem.path === '/usr/bin/bomb')?.message ?? '', /inflates to more than/);
    assert.equal(scan.packages.find((pkg) => pkg.name === 'smallvec')?.purl, 'pkg:cargo/smallvec@1.6.0');
    assert.equal(scan.packages.find((pkg) => pkg.name === 'smallvec')?.ecosystem, 'crates.io');
  });
});

describe(
  'cargo-auditable executables built with cargo auditable',
  { skip: !(cargoCommand && hasObjcopy) && 'needs cargo (rustup) and objcopy (binutils)' },
  () => {
    let fixtures: CargoAuditableFixtures;
    let oracle: { packages: { name: string; version: string; kind?: string; root?: boolean; source?: string }[] };
    let scratch: string;
    before(async () => {
      // First run: installs cargo-auditable from crates.io and builds the crate (a minute or two); cached after.
      fixtures = await cargoAuditableFixtures();
      scratch = await temporaryDirectory();
      oracle = JSON.parse((await dumpDepSection(fixtures.auditable, scratch)).toString()) as typeof oracle;
    });

    it('inflates the same JSON that binutils extracts', async () => {
      const info = readDepInfo(await readFile(fixtures.auditable));
      assert.ok(info && 'json' in info, JSON.stringify(info));
      assert.deepEqual(info.json, await dumpDepSection(fixtures.auditable, scratch));
      // The build dependency is recorded, with its kind: the cataloger must leave it out.
      assert.deepEqual(
        oracle.packages.filter((entry) => entry.kind === 'build').map((entry) => entry.name),
        ['version_check'],
      );
      assert.deepEqual(
        oracle.packages.filter((entry) => entry.root === true).map((entry) => `${entry.name} ${entry.source}`),
        ['kubeward-fixture local'],
      );
      assert.equal(readDepInfo(await readFile(fixtures.plain)), undefined);
    });

    it('lists the runtime crates of an executable in an image, stripped or not, as cargo-auditable recorded them', async () => {
      const stripped = join(scratch, 'stripped');
      execFileSync('objcopy', ['--strip-all', fixtures.auditable, stripped]);
      const auditable = await readFile(fixtures.auditable);
      const scan = await scanEntries([
        { name: 'usr/local/bin/fixture', content: auditable, mode: 0o755 },
        { name: 'usr/local/bin/stripped', content: await readFile(stripped), mode: 0o755 },
        { name: 'usr/local/bin/plain', content: await readFile(fixtures.plain), mode: 0o755 },
        { name: 'usr/local/share/fixture.copy', content: auditable, mode: 0o644 },
      ]);
      assert.deepEqual(scan.problems, []);
      const runtime = oracle.packages.filter((entry) => entry.kind === undefined || entry.kind === 'runtime');
      const expected = (path: string): string[] => runtime.map((entry) => `${path} ${entry.name} ${entry.version}`);
      assert.deepEqual(listed(scan), [...expected('/usr/local/bin/fixture'), ...expected('/usr/local/bin/stripped')].sort());
      assert.deepEqual(
        scan.packages
          .filter((pkg) => pkg.path === '/usr/local/bin/fixture')
          .map((pkg) => pkg.purl)
          .sort(),
        ['pkg:cargo/either@1.13.0', 'pkg:cargo/itertools@0.13.0', 'pkg:cargo/itoa@1.0.11', 'pkg:cargo/kubeward-fixture@0.1.0'],
      );
      assert.ok(scan.packages.every((pkg) => pkg.ecosystem === 'crates.io' && pkg.layerIndex === 0));
    });

    it('reports a real executable whose section was replaced by a decompression bomb, and goes on', async () => {
      const bomb = join(scratch, 'bomb.z');
      await writeFile(bomb, deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 }));
      const planted = join(scratch, 'planted');
      execFileSync('objcopy', ['--update-section', `.dep-v0=${bomb}`, fixtures.auditable, planted]);
      const scan = await scanEntries([
        { name: 'app/planted', content: await readFile(planted), mode: 0o755 },
        { name: 'app/fixture', content: await readFile(fixtures.auditable), mode: 0o755 },
      ]);
      assert.deepEqual(
        scan.problems.map((problem) => [problem.path, problem.code]),
        [['/app/planted', 'catalog']],
      );
      assert.match(scan.problems[0]?.message ?? '', /\.dep-v0 section inflates to more than 8388608 bytes/);
      assert.equal(listed(scan).filter((line) => line.startsWith('/app/fixture ')).length, 4);
      assert.equal(listed(scan).filter((line) => line.startsWith('/app/planted ')).length, 0);
    });
  },
);
