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
import { headerStream, realNdbDatabases, writeNdb } from '../../../../test/support/rpm-ndb.js';
import { readBerkeleyHashValues } from './bdb.js';
import { parseRpmHeader } from './header.js';
import { readNdbBlobs } from './ndb.js';

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
  execFileSync(
    'rpm',
    ['--dbpath', directory, '--define', `_db_backend ${backend}`, '-qa', '--qf', '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}\\n'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  )
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
      const mine = headers
        .map((header) => `${header.name} ${header.epoch ?? 0}:${header.version}-${header.release} ${header.arch ?? '(none)'} ${header.sourceRpm ?? '(none)'}`)
        .sort();
      assert.deepEqual(mine, rpmQuery(join(TESTDATA, name), 'bdb_ro'));
    });
  }

  it('reads SQLite rpm databases (RHEL 8+), write-ahead log included, from an image', async () => {
    const directory = await temporaryDirectory();
    const exported = execFileSync('rpmdb', ['--dbpath', join(TESTDATA, 'centos8-modularitylabel'), '--define', '_db_backend bdb_ro', '--exportdb'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 30,
    });
    const sqliteDirectory = join(directory, 'sqlite');
    await mkdir(sqliteDirectory);
    execFileSync('rpmdb', ['--dbpath', sqliteDirectory, '--define', '_db_backend sqlite', '--importdb'], {
      input: exported,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const files = readdirSync(sqliteDirectory);
    const entries = await Promise.all(
      files
        .filter((file) => !file.endsWith('-shm'))
        .map(async (file) => ({ name: `usr/lib/sysimage/rpm/${file}`, content: await readFile(join(sqliteDirectory, file)) })),
    );
    const layout = join(directory, 'layout');
    await writeOciLayout(layout, [
      {
        data: gzipSync(await tarOf([{ name: 'etc/os-release', content: 'ID="rocky"\nVERSION_ID="8.9"\nPRETTY_NAME="Rocky Linux 8.9"\n' }, ...entries])),
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      },
    ]);
    const scan = await scanImage(await openImage(`oci:${layout}:test`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } }));
    assert.deepEqual(scan.problems, []);
    const mine = scan.packages.map((pkg) => pkg.name).sort();
    const oracle = rpmQuery(sqliteDirectory, 'sqlite').map((line) => line.split(' ')[0]);
    assert.equal(mine.length, 517, '518 headers, less the gpg-pubkey pseudo-package');
    assert.deepEqual(mine, oracle);
    const openssl = scan.packages.find((pkg) => pkg.name === 'openssl-libs');
    assert.deepEqual([openssl?.ecosystem, openssl?.release, openssl?.sourceName], ['Rocky Linux', '8', 'openssl']);
    assert.match(openssl?.version ?? '', /^1:1\.1\.1/);
    assert.match(openssl?.purl ?? '', /^pkg:rpm\/rocky\/openssl-libs@1\.1\.1.*\?arch=x86_64&epoch=1&distro=rocky-8\.9&upstream=openssl-1\.1\.1/);
  });

  it('catalogues a CentOS 7 image with a Berkeley DB, and says when a database is unreadable', async () => {
    const directory = await temporaryDirectory();
    const packages = await readFile(join(TESTDATA, 'centos7-plain', 'Packages'));
    await writeOciLayout(directory, [
      {
        data: gzipSync(
          await tarOf([
            { name: 'etc/os-release', content: OS_RELEASE },
            { name: 'var/lib/rpm/Packages', content: packages },
          ]),
        ),
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      },
    ]);
    const scan = await scanImage(await openImage(`oci:${directory}:test`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } }));
    assert.equal(scan.packages.length, 144);
    assert.ok(scan.packages.every((pkg) => pkg.cataloger === 'rpm' && pkg.ecosystem === 'Red Hat' && pkg.release === '7'));

    const broken = Buffer.from(packages);
    broken.fill(0xff, 8192, 8192 + 4096 * 40);
    const other = await temporaryDirectory();
    await writeOciLayout(other, [
      {
        data: gzipSync(
          await tarOf([
            { name: 'etc/os-release', content: OS_RELEASE },
            { name: 'var/lib/rpm/Packages', content: broken },
          ]),
        ),
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      },
    ]);
    const damaged = await scanImage(await openImage(`oci:${other}:test`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } }));
    assert.ok(
      damaged.problems.some((problem) => problem.path === '/var/lib/rpm/Packages'),
      JSON.stringify(damaged.problems.slice(0, 3)),
    );
  });
});

/** Header blobs as rpm itself exports them (`rpmdb --exportdb`: each after the 8-byte header magic). */
const exportedBlobs = (directory: string): Buffer[] => {
  const stream = execFileSync('rpmdb', ['--dbpath', directory, '--define', '_db_backend bdb_ro', '--exportdb'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 1 << 30,
  });
  const blobs: Buffer[] = [];
  for (let at = 0; at + 16 <= stream.length;) {
    assert.equal(stream.readUInt32BE(at), 0x8eade801, `header magic at ${at}`);
    const size = 8 + stream.readUInt32BE(at + 8) * 16 + stream.readUInt32BE(at + 12);
    blobs.push(stream.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return blobs;
};

/** `rpm -qa` over the given header blobs, imported by rpm into an SQLite database. */
const rpmQueryBlobs = async (blobs: readonly Buffer[]): Promise<string[]> => {
  const directory = await temporaryDirectory();
  execFileSync('rpmdb', ['--dbpath', directory, '--define', '_db_backend sqlite', '--importdb'], {
    input: headerStream(blobs),
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  return rpmQuery(directory, 'sqlite');
};

const SUSE_RELEASE = 'NAME="SLES"\nVERSION="15-SP4"\nVERSION_ID="15.4"\nID="sles"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP4"\n';

const scanNdb = async (ndb: Buffer): Promise<Awaited<ReturnType<typeof scanImage>>> => {
  const directory = await temporaryDirectory();
  await writeOciLayout(directory, [
    {
      data: gzipSync(
        await tarOf([
          { name: 'etc/os-release', content: SUSE_RELEASE },
          { name: 'usr/lib/sysimage/rpm/Packages.db', content: ndb },
        ]),
      ),
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    },
  ]);
  return scanImage(await openImage(`oci:${directory}:test`, { cwd: '/', platform: { os: 'linux', architecture: 'amd64' } }));
};

/** `name E:V-R` of rpm's query lines, as the cataloger writes versions (no `0:` epoch). */
const nameVersion = (line: string): string => {
  const [name = '', evr = ''] = line.split(' ');
  return `${name} ${evr.replace(/^0:/, '')}`;
};

describe('rpm NDB databases (SUSE)', { skip: !(hasData && hasRpm) && 'needs golang-github-knqyf263-go-rpmdb-dev and rpm' }, () => {
  it('reads an NDB database holding real CentOS 7 headers (as rpm exports them) as rpm reads those headers', async () => {
    const blobs = exportedBlobs(join(TESTDATA, 'centos7-many'));
    const scan = await scanNdb(writeNdb(blobs));
    assert.deepEqual(scan.problems, []);
    const oracle = (await rpmQueryBlobs(blobs)).map(nameVersion).sort();
    assert.ok(oracle.length > 100, `${oracle.length} packages`);
    assert.deepEqual(scan.packages.map((pkg) => `${pkg.name} ${pkg.version}`).sort(), oracle);
    assert.ok(scan.packages.every((pkg) => pkg.cataloger === 'rpm' && pkg.path === '/usr/lib/sysimage/rpm/Packages.db'));
    assert.match(scan.packages.find((pkg) => pkg.name === 'bash')?.purl ?? '', /^pkg:rpm\/suse\/bash@4\.2\.46-.*distro=sles-15\.4/);
  });

  it('lists what it can of a damaged NDB database, and says what it could not read', async () => {
    const blobs = exportedBlobs(join(TESTDATA, 'centos7-plain'));
    const ndb = writeNdb(blobs);
    const expected = (await rpmQueryBlobs(blobs)).length;

    // One blob's byte flipped: its checksum fails, the others are listed.
    const flipped = Buffer.from(ndb);
    const third = flipped.readUInt32LE(32 + 2 * 16 + 8) * 16;
    flipped[third + 100] = (flipped[third + 100] as number) ^ 0xff;
    const one = await scanNdb(flipped);
    assert.equal(one.packages.length, expected - 1);
    assert.deepEqual(
      one.problems.map((problem) => problem.message),
      ['/usr/lib/sysimage/rpm/Packages.db: a package cannot be read (package 3: its blob fails its Adler-32 checksum)'],
    );

    // Cut short: the blobs past the end are reported, those before are listed.
    const cut = await scanNdb(ndb.subarray(0, Math.floor(ndb.length / 2 / 16) * 16));
    assert.ok(cut.packages.length > 0 && cut.packages.length < expected, `${cut.packages.length} of ${expected}`);
    assert.ok(cut.problems.every((problem) => /runs past the end of the file/.test(problem.message)) && cut.problems.length > 0);

    // A broken slot table, or no NDB at all: one problem, no crash.
    const badSlot = Buffer.from(ndb);
    badSlot.write('Xlot', 32 + 16 * 5, 'latin1');
    assert.equal(readNdbOrError(badSlot), 'bad slot magic at offset 112');
    const garbage = await scanNdb(Buffer.alloc(8192, 0x41));
    assert.deepEqual(garbage.packages, []);
    assert.match(garbage.problems[0]?.message ?? '', /cannot be read as an NDB rpm database \(not an rpm NDB database/);
    const huge = Buffer.from(ndb);
    huge.writeUInt32LE(0xffffffff, 12);
    assert.equal(readNdbOrError(huge), '4294967295 slot pages');
  });

  const real = realNdbDatabases();
  it(
    'reads real NDB databases as rpm reads their headers',
    {
      skip:
        real.length === 0 &&
        'no real NDB database provided: put <name>/Packages.db (from a SUSE image) under $KUBEWARD_RPM_NDB_DATA or rpm-ndb/ in the shared test data',
    },
    async () => {
      for (const { name, path } of real) {
        const data = await readFile(path);
        const { blobs, errors } = readNdbBlobs(data);
        assert.deepEqual(errors, [], name);
        // Every used slot (a non-zero block offset), counted straight from the slot pages.
        let used = 0;
        for (let at = 32; at < data.readUInt32LE(12) * 4096; at += 16) if (data.readUInt32LE(at + 8) !== 0) used++;
        assert.equal(blobs.length, used, name);
        const mine = blobs
          .map(parseRpmHeader)
          .filter((header) => header.name !== 'gpg-pubkey')
          .map((header) => `${header.name} ${header.epoch ?? 0}:${header.version}-${header.release} ${header.arch ?? '(none)'} ${header.sourceRpm ?? '(none)'}`)
          .sort();
        assert.deepEqual(mine, await rpmQueryBlobs(blobs), name);
      }
    },
  );
});

/** How many blobs an NDB database yields, or why it is refused whole. */
const readNdbOrError = (data: Buffer): string | number => {
  try {
    return readNdbBlobs(data).blobs.length;
  } catch (error) {
    return (error as Error).message;
  }
};
