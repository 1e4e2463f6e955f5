import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openImage, scanImage } from '../src/image/index.js';
import type { ImageScan } from '../src/model/index.js';
import { tarOf, writeOciLayout, type TarEntry } from './support/oci.js';
import { sharedDataPath, temporaryDirectory } from './support/repo.js';
import { matchPackages } from '../src/vulndb/index.js';
import { importZip } from '../src/vulndb/sources/files.js';
import { DATABASE_FILE, DatabaseBuilder, VulnerabilityDatabase } from '../src/vulndb/store/index.js';

/** Real inputs with expected results, from Trivy's dependency parser (Debian's golang-github-aquasecurity-go-dep-parser-dev). */
const DEP_PARSER = '/usr/share/gocode/src/github.com/aquasecurity/go-dep-parser/pkg';
const hasDepParser = existsSync(DEP_PARSER);
const hasGo = (() => {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const scanEntries = async (entries: readonly TarEntry[]): Promise<ImageScan> => {
  const directory = await temporaryDirectory();
  await writeOciLayout(directory, [{ data: gzipSync(await tarOf(entries)), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }]);
  return scanImage(await openImage(`oci:${directory}:test`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } }));
};

const list = (scan: ImageScan, cataloger: string): string[] =>
  scan.packages.filter((pkg) => pkg.cataloger === cataloger).map((pkg) => `${pkg.name} ${pkg.version}`);

describe('Go binaries', () => {
  it(
    'reads the build info of pre-1.18 binaries (pointer format), as Trivy expects',
    { skip: !hasDepParser && 'needs golang-github-aquasecurity-go-dep-parser-dev' },
    async () => {
      const scan = await scanEntries([
        { name: 'usr/local/bin/app', content: await readFile(join(DEP_PARSER, 'golang/binary/testdata/test.elf')), mode: 0o755 },
        { name: 'usr/local/bin/replaced', content: await readFile(join(DEP_PARSER, 'golang/binary/testdata/replace.elf')), mode: 0o755 },
        { name: 'usr/local/share/not-executable.elf', content: await readFile(join(DEP_PARSER, 'golang/binary/testdata/test.elf')), mode: 0o644 },
      ]);
      // parse_test.go of go-dep-parser lists these modules for test.elf and replace.elf.
      assert.deepEqual(list(scan, 'go-binary').sort(), [
        'github.com/aquasecurity/go-pep440-version v0.0.0-20210121094942-22b2f8951d46',
        'github.com/aquasecurity/go-version v0.0.0-20210121072130-637058cfe492',
        'github.com/davecgh/go-spew v1.1.1',
        'github.com/go-sql-driver/mysql v1.5.0',
        'golang.org/x/xerrors v0.0.0-20200804184101-5ec99f83aff1',
        'stdlib 1.15.2',
        'stdlib 1.16.4',
      ]);
      assert.deepEqual([...new Set(scan.packages.map((pkg) => pkg.path))].sort(), ['/usr/local/bin/app', '/usr/local/bin/replaced']);
    },
  );

  it('reads the inline build info of a binary built here with the Go toolchain, replacements included', { skip: !hasGo && 'needs go' }, async () => {
    const directory = await temporaryDirectory();
    await mkdir(join(directory, 'lib'), { recursive: true });
    await writeFile(join(directory, 'lib', 'go.mod'), 'module example.com/lib\n\ngo 1.21\n');
    await writeFile(join(directory, 'lib', 'lib.go'), 'package lib\n\nfunc Hello() string { return "hello" }\n');
    await writeFile(
      join(directory, 'go.mod'),
      'module example.com/app\n\ngo 1.21\n\nrequire example.com/lib v1.2.3\n\nreplace example.com/lib v1.2.3 => ./lib\n',
    );
    await writeFile(join(directory, 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\t"example.com/lib"\n)\n\nfunc main() { fmt.Println(lib.Hello()) }\n');
    execFileSync('go', ['build', '-o', 'app', '.'], {
      cwd: directory,
      env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' },
      stdio: 'ignore',
    });
    const version = execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim().replace(/^go/, '');
    const scan = await scanEntries([{ name: 'app/server', content: await readFile(join(directory, 'app')), mode: 0o755 }]);
    // A module replaced by a local directory has no version to match: only the standard library is listed.
    assert.deepEqual(list(scan, 'go-binary'), [`stdlib ${version}`]);
    assert.equal(scan.packages[0]?.purl, `pkg:golang/stdlib@${version}`);
  });
});

/** The expected libraries of a go-dep-parser test case: `{"name", "version", "license"}` entries of a Go variable. */
const expectedLibraries = async (file: string, variable: string): Promise<string[]> => {
  const source = await readFile(join(DEP_PARSER, file), 'utf8');
  const start = source.indexOf(`${variable} = []types.Library{`);
  assert.ok(start >= 0, `${variable} in ${file}`);
  const body = source.slice(start, source.indexOf('\n\t}', start));
  return [...body.matchAll(/\{"([^"]+)", "([^"]+)", "[^"]*"\}/g)].map((match) => `${match[1]} ${match[2]}`).sort();
};

describe('npm', { skip: !hasDepParser && 'needs golang-github-aquasecurity-go-dep-parser-dev' }, () => {
  for (const [file, variable] of [
    ['package-lock_normal.json', 'npmNormal'],
    ['package-lock_react.json', 'npmReact'],
    ['package-lock_with_dev.json', 'npmWithDev'],
    ['package-lock_many.json', 'npmMany'],
    ['package-lock_nested.json', 'npmNested'],
  ] as const) {
    it(`reads ${file} as Trivy expects (development dependencies left out)`, async () => {
      const scan = await scanEntries([{ name: 'srv/app/package-lock.json', content: await readFile(join(DEP_PARSER, 'nodejs/npm/testdata', file)) }]);
      assert.deepEqual([...new Set(list(scan, 'npm-lockfile'))].sort(), await expectedLibraries('nodejs/npm/parse_testcase.go', variable));
    });
  }

  it('lists installed node_modules packages (scoped ones too), and prefers them to the lockfile beside them', async () => {
    const manifest = (name: string, version: string, license = 'MIT') => JSON.stringify({ name, version, license });
    const scan = await scanEntries([
      { name: 'srv/app/package-lock.json', content: await readFile(join(DEP_PARSER, 'nodejs/npm/testdata/package-lock_normal.json')) },
      { name: 'srv/app/node_modules/lodash/package.json', content: manifest('lodash', '4.17.20') },
      { name: 'srv/app/node_modules/lodash/fp/package.json', content: manifest('lodash-fp-internal', '0.0.0') },
      { name: 'srv/app/node_modules/@babel/core/package.json', content: manifest('@babel/core', '7.12.3') },
      { name: 'srv/app/node_modules/express/node_modules/qs/package.json', content: manifest('qs', '6.7.0', 'BSD-3-Clause') },
      { name: 'srv/app/node_modules/broken/package.json', content: '{ not json' },
    ]);
    assert.deepEqual(list(scan, 'npm').sort(), ['@babel/core 7.12.3', 'lodash 4.17.20', 'qs 6.7.0']);
    assert.deepEqual(list(scan, 'npm-lockfile'), []);
    assert.equal(scan.packages.find((pkg) => pkg.name === '@babel/core')?.purl, 'pkg:npm/%40babel/core@7.12.3');
    assert.deepEqual(
      scan.problems.map((problem) => problem.path),
      ['/srv/app/node_modules/broken/package.json'],
    );
  });
});

describe('Python', { skip: !hasDepParser && 'needs golang-github-aquasecurity-go-dep-parser-dev' }, () => {
  it('reads wheel METADATA, egg-info PKG-INFO and egg-info files, as Trivy expects', async () => {
    const data = (name: string) => readFile(join(DEP_PARSER, 'python/packaging/testdata', name));
    const scan = await scanEntries([
      { name: 'usr/lib/python3/dist-packages/simple-0.1.0.dist-info/METADATA', content: await data('simple-0.1.0.METADATA') },
      { name: 'usr/local/lib/python3.9/site-packages/distlib-0.3.1.dist-info/METADATA', content: await data('distlib-0.3.1.METADATA') },
      {
        name: 'usr/local/lib/python3.8/site-packages/setuptools-51.3.3-py3.8.egg-info/PKG-INFO',
        content: await data('setuptools-51.3.3-py3.8.egg-info.PKG-INFO'),
      },
      { name: 'usr/lib/python3.9/site-packages/distlib-0.3.1-py3.9.egg-info', content: await data('distlib-0.3.1-py3.9.egg-info') },
    ]);
    // parse_test.go: simple 0.1.0 (no license), distlib 0.3.1 ("Python license"), setuptools 51.3.3 ("UNKNOWN").
    assert.deepEqual(list(scan, 'python').sort(), ['distlib 0.3.1', 'distlib 0.3.1', 'setuptools 51.3.3', 'simple 0.1.0']);
    assert.deepEqual(scan.packages.find((pkg) => pkg.name === 'distlib')?.licenses, ['Python license']);
    assert.equal(scan.packages.find((pkg) => pkg.name === 'setuptools')?.licenses, undefined, 'UNKNOWN is no license');
  });
});

describe('Java archives', { skip: !hasDepParser && 'needs golang-github-aquasecurity-go-dep-parser-dev' }, () => {
  // go-dep-parser's java/jar/parse_test.go, offline expectations (no Maven Central lookups).
  for (const [file, variable] of [
    ['maven.war', 'wantMaven'],
    ['gradle.war', 'wantGradle'],
    ['test.jar', 'wantOffline'],
    ['hadoop-shaded-guava-1.1.0-SNAPSHOT.jar', 'wantFatjar'],
  ] as const) {
    it(`reads ${file} (nested archives, pom.properties, MANIFEST.MF) as Trivy expects`, async () => {
      const scan = await scanEntries([{ name: `opt/app/${file}`, content: await readFile(join(DEP_PARSER, 'java/jar/testdata', file)) }]);
      const source = await readFile(join(DEP_PARSER, 'java/jar/parse_test.go'), 'utf8');
      const start = source.indexOf(`${variable} = []types.Library{`);
      const body = source.slice(start, source.indexOf('\n\t}', start));
      const expected = [...body.matchAll(/\{"([^"]+)", "([^"]+)", "[^"]*"\}/g)].map((match) => `${match[1]} ${match[2]}`).sort();
      assert.ok(expected.length > 0);
      assert.deepEqual(list(scan, 'java-archive').sort(), expected);
    });
  }

  it('finds Log4Shell in a jar nested in a war, and names the nesting', async () => {
    const yazl = (await import('yazl')).default;
    const zipOf = async (entries: Record<string, Buffer | string>): Promise<Buffer> => {
      const zip = new yazl.ZipFile();
      for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.from(content), name);
      zip.end();
      const chunks: Buffer[] = [];
      for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };
    const log4j = await zipOf({
      'META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties': 'groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n',
    });
    const war = await zipOf({ 'WEB-INF/lib/log4j-core-2.14.1.jar': log4j, 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n' });
    const scan = await scanEntries([{ name: 'usr/local/tomcat/webapps/shop.war', content: war }]);
    assert.deepEqual(
      scan.packages.map((pkg) => [pkg.name, pkg.version, pkg.path, pkg.purl]),
      [
        [
          'org.apache.logging.log4j:log4j-core',
          '2.14.1',
          '/usr/local/tomcat/webapps/shop.war!WEB-INF/lib/log4j-core-2.14.1.jar',
          'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
        ],
      ],
    );
    const directory = await temporaryDirectory();
    const builder = DatabaseBuilder.begin(directory);
    await importZip(builder, sharedDataPath('osv/Maven/all.zip'), 'Maven');
    builder.commit(new Date());
    const database = VulnerabilityDatabase.open(join(directory, DATABASE_FILE));
    const { matches } = matchPackages(scan.packages, database);
    database.close();
    assert.deepEqual(matches.map((match) => `${match.id} ${match.severity}`).slice(0, 1), ['CVE-2021-44228 CRITICAL']);
  });
});

describe('Ruby, Rust, PHP and .NET dependency files', { skip: !hasDepParser && 'needs golang-github-aquasecurity-go-dep-parser-dev' }, () => {
  // [test data file, where it sits in the image, go-dep-parser's expected variable, its test case file, cataloger]
  const cases: readonly [string, string, string, string, string][] = [
    ['ruby/bundler/testdata/Gemfile_normal.lock', 'srv/app/Gemfile.lock', 'BundlerNormal', 'ruby/bundler/parse_testcase.go', 'bundler'],
    ['ruby/bundler/testdata/Gemfile_rails.lock', 'srv/app/Gemfile.lock', 'BundlerRails', 'ruby/bundler/parse_testcase.go', 'bundler'],
    ['ruby/bundler/testdata/Gemfile_many.lock', 'srv/app/Gemfile.lock', 'BundlerMany', 'ruby/bundler/parse_testcase.go', 'bundler'],
    ['rust/cargo/testdata/cargo_normal.lock', 'src/app/Cargo.lock', 'cargoNormal', 'rust/cargo/parse_testcase.go', 'cargo'],
    ['rust/cargo/testdata/cargo_many.lock', 'src/app/Cargo.lock', 'cargoMany', 'rust/cargo/parse_testcase.go', 'cargo'],
    ['rust/cargo/testdata/cargo_nickel.lock', 'src/app/Cargo.lock', 'cargoNickel', 'rust/cargo/parse_testcase.go', 'cargo'],
    ['php/composer/testdata/composer_normal.lock', 'var/www/composer.lock', 'ComposerNormal', 'php/composer/parse_testcase.go', 'composer'],
    ['php/composer/testdata/composer_laravel.lock', 'var/www/composer.lock', 'ComposerLaravel', 'php/composer/parse_testcase.go', 'composer'],
    ['php/composer/testdata/composer_symfony.lock', 'var/www/composer.lock', 'ComposerSymfony', 'php/composer/parse_testcase.go', 'composer'],
    ['php/composer/testdata/composer_with_dev.lock', 'var/www/composer.lock', 'ComposerWithDev', 'php/composer/parse_testcase.go', 'composer'],
    ['nuget/lock/testdata/packages_lock_simple.json', 'app/packages.lock.json', 'nuGetSimple', 'nuget/lock/parse_testcase.go', 'nuget'],
    ['nuget/lock/testdata/packages_lock_subdependencies.json', 'app/packages.lock.json', 'nuGetSubDependencies', 'nuget/lock/parse_testcase.go', 'nuget'],
    ['nuget/lock/testdata/packages_lock_legacy.json', 'app/packages.lock.json', 'nuGetLegacy', 'nuget/lock/parse_testcase.go', 'nuget'],
    ['nuget/lock/testdata/packages_lock_multi.json', 'app/packages.lock.json', 'nuGetMultiTarget', 'nuget/lock/parse_testcase.go', 'nuget'],
  ];
  for (const [file, path, variable, testcase, cataloger] of cases) {
    it(`${file} as Trivy expects`, async () => {
      const scan = await scanEntries([{ name: path, content: await readFile(join(DEP_PARSER, file)) }]);
      assert.deepEqual([...new Set(list(scan, cataloger))].sort(), await expectedLibraries(testcase, variable));
    });
  }

  it('installed gemspecs, as Trivy expects, and a malformed one reported', async () => {
    const data = (name: string) => readFile(join(DEP_PARSER, 'ruby/gemspec/testdata', name));
    const scan = await scanEntries([
      { name: 'usr/local/bundle/specifications/rake-13.0.3.gemspec', content: await data('normal00.gemspec') },
      { name: 'usr/local/bundle/specifications/async-1.25.0.gemspec', content: await data('normal01.gemspec') },
      { name: 'usr/local/lib/ruby/gems/3.0.0/specifications/async-1.25.0.gemspec', content: await data('license.gemspec') },
      { name: 'usr/local/bundle/specifications/test-unit-3.3.7.gemspec', content: await data('multiple_licenses.gemspec') },
      { name: 'usr/local/bundle/specifications/wrong-variable.gemspec', content: await data('malformed00.gemspec') },
      { name: 'usr/local/bundle/specifications/no-version.gemspec', content: await data('malformed01.gemspec') },
    ]);
    assert.deepEqual(list(scan, 'gemspec').sort(), ['async 1.25.0', 'async 1.25.0', 'rake 13.0.3', 'test-unit 3.3.7']);
    assert.deepEqual(scan.problems.map((problem) => problem.path).sort(), [
      '/usr/local/bundle/specifications/no-version.gemspec',
      '/usr/local/bundle/specifications/wrong-variable.gemspec',
    ]);
  });
});

describe('dpkg status', () => {
  const WANTS = ['unknown', 'install', 'hold', 'deinstall', 'purge'];
  const FLAGS = ['ok', 'reinstreq'];
  const STATES = ['not-installed', 'config-files', 'half-installed', 'unpacked', 'half-configured', 'triggers-awaited', 'triggers-pending', 'installed'];

  /** Every want × flag × state dpkg defines, written as dpkg writes its database. */
  const statusFile = (): string => {
    const paragraphs: string[] = [];
    for (const want of WANTS) {
      for (const flag of FLAGS) {
        for (const state of STATES) {
          const name = `pkg-${want}-${flag}-${state}`;
          const lines = [`Package: ${name}`, `Status: ${want} ${flag} ${state}`, 'Priority: optional', 'Section: misc'];
          if (state !== 'not-installed') lines.push('Installed-Size: 12', 'Maintainer: Test <test@example.com>', 'Architecture: amd64', 'Version: 1.2-3');
          if (state === 'triggers-awaited') lines.push('Triggers-Awaited: pkg-install-ok-installed');
          if (state === 'triggers-pending') lines.push('Triggers-Pending: ldconfig');
          if (state === 'config-files') lines.push('Conffiles:', ` /etc/${name}.conf 0123456789abcdef0123456789abcdef`);
          if (state !== 'not-installed') lines.push(`Description: package in state ${state}`, ' A continuation line of the long description.');
          paragraphs.push(lines.join('\n'));
        }
      }
    }
    return `${paragraphs.join('\n\n')}\n`;
  };

  it('lists exactly the packages whose files dpkg has on disk, for every want, flag and state, as dpkg-query reads the same file', async () => {
    const status = statusFile();
    const admin = await temporaryDirectory();
    await mkdir(join(admin, 'updates'), { recursive: true });
    await mkdir(join(admin, 'info'), { recursive: true });
    await writeFile(join(admin, 'status'), status);
    await writeFile(join(admin, 'available'), '');
    // dpkg's own reading of each paragraph's state, then dpkg's rule: files exist past config-files.
    const oracle = execFileSync('dpkg-query', [`--admindir=${admin}`, '-W', '-f', '${Package} ${Version} ${db:Status-Status}\\n'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([, , state]) => state !== 'not-installed' && state !== 'config-files')
      .map(([name, version]) => `${name} ${version}`)
      .sort();
    const scan = await scanEntries([
      { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' },
      { name: 'var/lib/dpkg/status', content: status },
    ]);
    assert.deepEqual(list(scan, 'dpkg').sort(), oracle);
    // Covered both ways: triggers-pending/-awaited counted, purge/deinstall-with-config-files not.
    assert.ok(oracle.includes('pkg-install-ok-triggers-pending 1.2-3') && oracle.includes('pkg-hold-reinstreq-triggers-awaited 1.2-3'));
    assert.ok(!list(scan, 'dpkg').some((entry) => entry.startsWith('pkg-purge-ok-not-installed') || entry.startsWith('pkg-deinstall-ok-config-files')));
    assert.equal(list(scan, 'dpkg').length, WANTS.length * FLAGS.length * 6);
    assert.deepEqual(scan.problems, []);
  });

  it('reports a state dpkg does not define and keeps reading', async () => {
    const scan = await scanEntries([
      { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
      {
        name: 'var/lib/dpkg/status',
        content: 'Package: odd\nStatus: install ok weird-state\nVersion: 1\n\nPackage: fine\nStatus: install ok installed\nVersion: 2\n',
      },
    ]);
    assert.deepEqual(list(scan, 'dpkg'), ['fine 2']);
    assert.match(scan.problems.map((problem) => problem.message).join('\n'), /odd has a Status dpkg does not define \(install ok weird-state\)/);
  });
});
