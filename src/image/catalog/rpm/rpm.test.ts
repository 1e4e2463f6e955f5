import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { temporaryDirectory } from '../../../../test/support/repo.js';
import { tarOf, writeOciLayout } from '../../../../test/support/oci.js';
import { openImage, scanImage } from '../../index.js';
import { readBerkeleyHashValues } from './bdb.js';
import { parseRpmHeader } from './header.js';

/** Real rpm databases of CentOS 5 to 8 images, shipped by Debian's golang-github-knqyf263-go-rpmdb-dev. */
const TESTDATA = '/usr/share/gocode/src/github.com/knqyf263/go-rpmdb/pkg/testdata';
const hasData = existsSync(TESTDATA);
const hasRpm = (() => {
  try {
    execFileSync('rpm', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** rpm's own answer: `rpm --dbpath <dir> -qa` with the read-only Berkeley DB backend, or SQLite. */
const rpmQuery = (directory: string, backend: 'bdb_ro' | 'sqlite'): string[] =>
  execFileSync('rpm', ['--dbpath', directory, '--define', `_db_backend ${backend}`, '-qa', '--qf', '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}\\n'], { stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('gpg-pubkey '))
    .sort();

const OS_RELEASE = 'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nVERSION_ID="7"\nPRETTY_NAME="CentOS Linux 7 (Core)"\n';

describe('rpm databases', { skip: !(hasData && hasRpm) && 'needs golang-github-knqyf263-go-rpmdb-dev and rpm' }, () => {
  const databases = hasData ? readdirSync(TESTDATA).sort() : [];

  for (const name of databases) {
    it(`reads ${name}'s Berkeley DB as rpm does`, async () => {
      const headers = readBerkeleyHashValues(await readFile(join(TESTDATA, name, 'Packages')))
        .filter((blob) => blob.length >= 16)
        .map(parseRpmHeader)
        .filter((header) => header.name !== 'gpg-pubkey');
      const mine = headers.map((header) => `${header.name} ${header.epoch ?? 0}:${header.version}-${header.release} ${header.arch ?? '(none)'} ${header.sourceRpm ?? '(none)'}`).sort();
      assert.deepEqual(mine, rpmQuery(join(TESTDATA, name), 'bdb_ro'));
    });
  }

  it('reads SQLite rpm databases (RHEL 8+), write-ahead log included, from an image', async () => {
    const directory = await temporaryDirectory();
    const exported = execFileSync('rpmdb', ['--dbpath', join(TESTDATA, 'centos8-modularitylabel'), '--define', '_db_backend bdb_ro', '--exportdb'], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 30 });
    const sqliteDirectory = join(directory, 'sqlite');
    await mkdir(sqliteDirectory);
    execFileSync('rpmdb', ['--dbpath', sqliteDirectory, '--define', '_db_backend sqlite', '--importdb'], { input: exported, stdio: ['pipe', 'ignore', 'ignore'] });
    const files = readdirSync(sqliteDirectory);
    const entries = await Promise.all(files.filter((file) => !file.endsWith('-shm')).map(async (file) => ({ name: `usr/lib/sysimage/rpm/${file}`, content: await readFile(join(sqliteDirectory, file)) })));
    const layout = join(directory, 'layout');
    await writeOciLayout(layout, [{ data: gzipSync(await tarOf([{ name: 'etc/os-release', content: 'ID="rocky"\nVERSION_ID="8.9"\nPRETTY_NAME="Rocky Linux 8.9"\n' }, ...entries])), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }]);
    const scan = await scanImage(await openImage(`oci:${layout}:test`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } }));
    assert.deepEqual(scan.problems, []);
    const mine = scan.packages.map((pkg) => pkg.name).sort();
    const oracle = rpmQuery(sqliteDirectory, 'sqlite').map((line) => line.split(' ')[0]);
    assert.equal(mine.length, 517, "518 headers, less the gpg-pubkey pseudo-package");
    assert.deepEqual(mine, oracle);
    const openssl = scan.packages.find((pkg) => pkg.name === 'openssl-libs');
    assert.deepEqual([openssl?.ecosystem, openssl?.release, openssl?.sourceName], ['Rocky Linux', '8', 'openssl']);
    assert.match(openssl?.version ?? '', /^1:1\.1\.1/);
    assert.match(openssl?.purl ?? '', /^pkg:rpm\/rocky\/openssl-libs@1\.1\.1.*\?arch=x86_64&epoch=1&distro=rocky-8\.9&upstream=openssl-1\.1\.1/);
  });

  it('catalogues a CentOS 7 image with a Berkeley DB, and says when a database is unreadable', async () => {
    const directory = await temporaryDirectory();
    const packages = await readFile(join(TESTDATA, 'centos7-plain', 'Packages'));
    await writeOciLayout(directory, [{ data: gzipSync(await tarOf([{ name: 'etc/os-release', content: OS_RELEASE }, { name: 'var/lib/rpm/Packages', content: packages }])), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }]);
    const scan = await scanImage(await openImage(`oci:${directory}:test`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } }));
    assert.equal(scan.packages.length, 144);
    assert.ok(scan.packages.every((pkg) => pkg.cataloger === 'rpm' && pkg.ecosystem === 'Red Hat' && pkg.release === '7'));

    const broken = Buffer.from(packages);
    broken.fill(0xff, 8192, 8192 + 4096 * 40);
    const other = await temporaryDirectory();
    await writeOciLayout(other, [{ data: gzipSync(await tarOf([{ name: 'etc/os-release', content: OS_RELEASE }, { name: 'var/lib/rpm/Packages', content: broken }])), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }]);
    const damaged = await scanImage(await openImage(`oci:${other}:test`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } }));
    assert.ok(damaged.problems.some((problem) => problem.path === '/var/lib/rpm/Packages'), JSON.stringify(damaged.problems.slice(0, 3)));
  });
});
