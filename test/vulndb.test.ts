import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import yazl from 'yazl';
import type { VulnerabilityMatch } from '../src/model/index.js';
import { DATABASE_FILE, DatabaseBuilder, VulnerabilityDatabase, newTally } from '../src/vulndb/store/index.js';
import { kubeward } from './support/cli.js';
import { startOsvMirror, type OsvMirror } from './support/osv-mirror.js';
import { repoPath, sharedDataPath, temporaryDirectory } from './support/repo.js';

interface MatchOutput {
  readonly purl: string;
  readonly error?: string;
  readonly matches?: VulnerabilityMatch[];
}

const match = async (db: string, purls: readonly string[]): Promise<MatchOutput[]> => {
  const result = await kubeward(['db', 'match', '--db', db, '--format', 'json', ...purls]);
  assert.ok(result.code === 0 || result.code === 2, result.stderr);
  return JSON.parse(result.stdout) as MatchOutput[];
};

const status = async (
  db: string,
): Promise<{ records: number; ecosystems: { ecosystem: string; records: number }[]; kev: { entries: number }; epss: { entries: number } }> => {
  const result = await kubeward(['db', 'status', '--db', db, '--format', 'json']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
};

/** A zip in the OSV layout, with entry names patched afterwards where the writer refuses hostile ones. */
const writeZip = async (path: string, entries: readonly { name: string; text: string }[], rename: Readonly<Record<string, string>> = {}): Promise<void> => {
  const zip = new yazl.ZipFile();
  for (const entry of entries) zip.addBuffer(Buffer.from(entry.text), entry.name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  let bytes = Buffer.concat(chunks);
  for (const [from, to] of Object.entries(rename)) {
    assert.equal(from.length, to.length);
    bytes = Buffer.from(bytes.toString('latin1').replaceAll(from, to), 'latin1');
  }
  await writeFile(path, bytes);
};

const ghsaText = (id: string): Promise<string> => readFile(sharedDataPath(`ghsa/${id}.json`), 'utf8');

describe('kubeward db import and match, on the real OSV data', async () => {
  const directory = await temporaryDirectory();
  const db = join(directory, 'db');
  let imported: Awaited<ReturnType<typeof kubeward>>;
  before(async () => {
    imported = await kubeward(['db', 'import', '--db', db, sharedDataPath('osv')]);
  });

  it('imports every ecosystem folder and says what it read', async () => {
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /npm\/all\.zip: 483 read, 483 new/);
    assert.match(imported.stderr, /Go\/all\.zip: 4295 read, 4278 new, 0 updated, 0 unchanged, 17 withdrawn/);
    const summary = await status(db);
    assert.deepEqual(
      summary.ecosystems.map((row) => `${row.ecosystem} ${row.records}`),
      ['Alpine 2457', 'Debian 6830', 'Go 4278', 'Maven 9', 'PyPI 2648', 'RubyGems 1162', 'crates.io 1192', 'npm 483'],
    );
  });

  it('matches known vulnerable packages in every ecosystem, with fixed versions and merged ids', async () => {
    const expectations: readonly [string, string, string, string][] = [
      // purl, the id reported, an id it must also carry, the fixed version
      ['pkg:npm/lodash@4.17.20', 'CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm', '4.17.21'],
      ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', 'CVE-2021-44228', 'GHSA-jfh8-c2jp-5v3q', '2.15.0'],
      ['pkg:maven/org.springframework/spring-beans@5.3.17', 'CVE-2022-22965', 'GHSA-36p3-wjmg-h94x', '5.3.18'],
      ['pkg:npm/minimist@1.2.5', 'CVE-2021-44906', 'GHSA-xvch-5gv4-984h', '1.2.6'],
      ['pkg:pypi/requests@2.19.0', 'CVE-2018-18074', 'CVE-2018-18074', '2.20.0'],
      ['pkg:cargo/smallvec@1.6.0', 'CVE-2021-25900', 'RUSTSEC-2021-0003', '1.6.1'],
      ['pkg:golang/golang.org/x/net@v0.0.0-20210405180319-a5a99cb37ef4', 'CVE-2021-33194', 'GO-2021-0238', '0.0.0-20210520170846-37e1c6afe023'],
      ['pkg:apk/alpine/openssl@1.1.1d-r2?distro=alpine-3.11.3', 'CVE-2019-1551', 'ALPINE-CVE-2019-1551', '1.1.1d-r3'],
      ['pkg:deb/debian/libssl3@3.0.11-1~deb12u1?distro=debian-12&upstream=openssl', 'CVE-2026-42767', 'DEBIAN-CVE-2026-42767', '3.0.22-1~deb12u1'],
    ];
    const results = await match(
      db,
      expectations.map(([purl]) => purl),
    );
    for (const [index, [purl, id, alias, fixed]] of expectations.entries()) {
      const found = results[index]?.matches?.find((entry) => entry.id === id);
      assert.ok(found, `${purl} should be affected by ${id}; got ${results[index]?.matches?.map((entry) => entry.id).join(', ')}`);
      assert.ok(found.ids.includes(alias), `${id} carries ${alias}: ${found.ids.join(', ')}`);
      assert.ok(found.fixedVersions.includes(fixed), `${id} fixed in ${fixed}: ${found.fixedVersions.join(', ')}`);
    }
    const log4shell = results[1]?.matches?.find((entry) => entry.id === 'CVE-2021-44228');
    assert.deepEqual([log4shell?.severity, log4shell?.score, log4shell?.severitySource.detail], ['CRITICAL', 10, 'CVSS:3.1 vector of GHSA-jfh8-c2jp-5v3q']);
  });

  it('stays silent on fixed versions and on other releases of a distribution', async () => {
    const results = await match(db, [
      'pkg:npm/lodash@4.17.21',
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1',
      'pkg:apk/alpine/openssl@1.1.1d-r3?distro=alpine-3.11',
      'pkg:deb/debian/libssl3@3.0.11-1~deb12u1?distro=debian-11&upstream=openssl',
    ]);
    for (const result of results)
      assert.deepEqual(
        result.matches?.map((entry) => entry.id),
        [],
        result.purl,
      );
  });

  it('warns when a distribution package names no release, and does not pass off an uncovered release as clean', async () => {
    const anyRelease = await kubeward(['db', 'match', '--db', db, 'pkg:apk/alpine/openssl@1.0.2u-r0']);
    assert.match(anyRelease.stdout, /warning: openssl: no Alpine release given/);
    const uncovered = await kubeward(['db', 'match', '--db', db, 'pkg:apk/alpine/openssl@1.0.2u-r0?distro=alpine-3.20']);
    assert.equal(uncovered.code, 2);
    assert.match(
      uncovered.stdout,
      /alpine-3\.20: not checked\n {2}warning: openssl: the database has no Alpine v3\.20 advisories \(it covers v3\.3, v3\.4, .*, v3\.11\)/,
    );
  });

  it('reports a range it cannot read rather than guessing (Docker calendar versions in a Go record)', async () => {
    const [docker] = await match(db, ['pkg:golang/github.com/docker/docker@v1.13.1']);
    assert.equal(
      docker?.matches?.some((entry) => entry.id === 'CVE-2024-41110'),
      false,
      'v1.13.1 predates 19.03.0, which x/mod cannot read',
    );
    const result = await kubeward(['db', 'match', '--db', db, 'pkg:golang/github.com/docker/docker@v1.13.1']);
    assert.match(result.stdout, /warning: GHSA-v23v-6jw2-98fq: an ECOSYSTEM range holds "19\.03\.0", not valid go version/);
  });

  it('refuses a purl it cannot read, after answering the others (exit 2)', async () => {
    const result = await kubeward(['db', 'match', '--db', db, 'pkg:npm/lodash@4.17.20', 'pkg:npm/lodash', 'not-a-purl']);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /pkg:npm\/lodash@4\.17\.20: 1 vulnerability/);
    assert.match(result.stdout, /pkg:npm\/lodash: error: .*has no version/);
  });
});

describe('kubeward db import: idempotence, newer records, bad input', async () => {
  const directory = await temporaryDirectory();
  const db = join(directory, 'db');
  const lodash = JSON.parse(await ghsaText('GHSA-35jh-r3h4-6jhm')) as { modified: string; affected: { ranges: { events: Record<string, string>[] }[] }[] };

  it('re-importing the same data changes nothing', async () => {
    const first = await kubeward(['db', 'import', '--db', db, sharedDataPath('osv/npm/all.zip')]);
    assert.equal(first.code, 0, first.stderr);
    const again = await kubeward(['db', 'import', '--db', db, sharedDataPath('osv/npm/all.zip')]);
    assert.match(again.stderr, /483 read, 0 new, 0 updated, 483 unchanged/);
    assert.equal((await status(db)).records, 483);
  });

  it('a newer `modified` replaces a record, an older one does not, a withdrawal removes it', async () => {
    const edited = (modified: string, fixed: string, extra: Record<string, unknown> = {}) => {
      const copy = structuredClone(lodash);
      copy.modified = modified;
      (copy.affected[0]?.ranges[0]?.events[1] as Record<string, string>).fixed = fixed;
      return JSON.stringify({ ...copy, ...extra });
    };
    await writeFile(join(directory, 'newer.json'), edited('2030-01-01T00:00:00Z', '4.17.99'));
    await writeFile(join(directory, 'older.json'), edited('2020-01-01T00:00:00Z', '4.17.0'));
    assert.equal((await kubeward(['db', 'import', '--db', db, join(directory, 'newer.json'), join(directory, 'older.json')])).code, 0);
    const [after] = await match(db, ['pkg:npm/lodash@4.17.50']);
    assert.deepEqual(after?.matches?.find((entry) => entry.id === 'CVE-2021-23337')?.fixedVersions, ['4.17.99']);

    await writeFile(join(directory, 'withdrawn.json'), edited('2031-01-01T00:00:00Z', '4.17.99', { withdrawn: '2031-01-01T00:00:00Z' }));
    const withdrawn = await kubeward(['db', 'import', '--db', db, join(directory, 'withdrawn.json')]);
    assert.match(withdrawn.stderr, /1 withdrawn/);
    const [gone] = await match(db, ['pkg:npm/lodash@4.17.20']);
    assert.equal(
      gone?.matches?.some((entry) => entry.ids.includes('GHSA-35jh-r3h4-6jhm')),
      false,
    );
  });

  it('counts bad records and hostile entries per source, imports the rest, and reports an unreadable zip (exit 2)', async () => {
    const good = await ghsaText('GHSA-jfh8-c2jp-5v3q');
    const unknownEcosystem = JSON.stringify({
      ...JSON.parse(await ghsaText('GHSA-xvch-5gv4-984h')),
      id: 'HSEC-2023-0001',
      aliases: [],
      affected: [{ package: { ecosystem: 'Hackage', name: 'aeson' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
    });
    await writeZip(
      join(directory, 'mixed.zip'),
      [
        { name: 'GHSA-jfh8-c2jp-5v3q.json', text: good },
        { name: 'broken.json', text: '{"id": "X-1", "modified": ' },
        { name: 'no-modified.json', text: '{"id": "X-2"}' },
        { name: 'other.json', text: unknownEcosystem },
        { name: 'xx/evil.json', text: good },
        { name: 'README.md', text: 'not a record' },
      ],
      { 'xx/evil.json': '../evil.json' },
    );
    const whole = await readFile(sharedDataPath('osv/Maven/all.zip'));
    await writeFile(join(directory, 'truncated.zip'), whole.subarray(0, Math.floor(whole.length / 2)));
    const result = await kubeward([
      'db',
      'import',
      '--db',
      db,
      '--verbose',
      join(directory, 'mixed.zip'),
      join(directory, 'truncated.zip'),
      join(directory, 'missing.zip'),
    ]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /mixed\.zip: 4 read, 1 new, 0 updated, 0 unchanged, 0 withdrawn, 1 skipped; problems: 1 invalid-json, 1 invalid-record, 1 unknown-ecosystem, 1 unsafe-path/,
    );
    assert.match(result.stderr, /zip entry "\.\.\/evil\.json" climbs out with \.\.; ignored/);
    assert.match(result.stderr, /truncated\.zip: FAILED: not a readable zip archive/);
    assert.match(result.stderr, /missing\.zip: FAILED: no such file or directory/);
    const [log4j] = await match(db, ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1']);
    assert.ok(log4j?.matches?.some((entry) => entry.id === 'CVE-2021-44228'));
  });

  it('imports CISA KEV and EPSS files, and matches carry them', async () => {
    await writeFile(
      join(directory, 'kev.json'),
      JSON.stringify({
        title: 'CISA Catalog of Known Exploited Vulnerabilities',
        catalogVersion: '2026.11.27',
        count: 2,
        vulnerabilities: [
          {
            cveID: 'CVE-2021-44228',
            vendorProject: 'Apache',
            product: 'Log4j2',
            vulnerabilityName: 'Apache Log4j2 Remote Code Execution Vulnerability',
            dateAdded: '2021-12-10',
            dueDate: '2021-12-24',
            knownRansomwareCampaignUse: 'Known',
          },
          { cveID: 'not-a-cve', dateAdded: '2021-12-10' },
        ],
      }),
    );
    await writeFile(
      join(directory, 'epss.csv.gz'),
      gzipSync(
        '#model_version:v2025.03.14,score_date:2026-11-27T00:00:00+0000\ncve,epss,percentile\nCVE-2021-44228,0.94358,0.99968\nCVE-2021-23337,0.00412,0.74001\nbad,row\n',
      ),
    );
    const result = await kubeward(['db', 'import', '--db', db, '--kev', join(directory, 'kev.json'), '--epss', join(directory, 'epss.csv.gz')]);
    assert.equal(result.code, 0, result.stderr);
    const summary = await status(db);
    assert.deepEqual([summary.kev.entries, summary.epss.entries], [1, 2]);
    const [log4j] = await match(db, ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1']);
    const log4shell = log4j?.matches?.find((entry) => entry.id === 'CVE-2021-44228');
    assert.deepEqual(log4shell?.kev, {
      cve: 'CVE-2021-44228',
      dateAdded: '2021-12-10',
      dueDate: '2021-12-24',
      knownRansomwareCampaignUse: 'Known',
      vendorProject: 'Apache',
      product: 'Log4j2',
      vulnerabilityName: 'Apache Log4j2 Remote Code Execution Vulnerability',
    });
    assert.deepEqual(log4shell?.epss, { cve: 'CVE-2021-44228', score: 0.94358, percentile: 0.99968, date: '2026-11-27T00:00:00+0000' });
    // A feed in which nothing reads must not replace a good one; an empty cell is no score.
    await writeFile(join(directory, 'renamed.json'), JSON.stringify({ vulnerabilities: [{ cveId: 'CVE-2021-44228', date_added: '2021-12-10' }] }));
    await writeFile(join(directory, 'holes.csv'), 'cve,epss,percentile\nCVE-2021-23337,,\nCVE-2021-44228,0.9,0.99\n');
    const refused = await kubeward(['db', 'import', '--db', db, '--kev', join(directory, 'renamed.json'), '--epss', join(directory, 'holes.csv')]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /renamed\.json: FAILED: none of its 1 entries has a cveID and a dateAdded/);
    assert.match(refused.stderr, /holes\.csv: 2 read, 1 new.*1 skipped/);
    assert.equal((await status(db)).kev.entries, 1);
    const [lodash] = await match(db, ['pkg:npm/lodash@4.17.20']);
    assert.equal(lodash?.matches?.find((entry) => entry.id === 'CVE-2021-23337')?.epss, undefined);
    const [again] = await match(db, ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1']);
    assert.deepEqual(
      again?.matches?.find((entry) => entry.id === 'CVE-2021-44228')?.epss,
      { cve: 'CVE-2021-44228', score: 0.9, percentile: 0.99 },
      "no date: the old file's date does not describe the new scores",
    );
  });

  it('says how to get a database when there is none', async () => {
    const result = await kubeward(['db', 'match', '--db', join(directory, 'nowhere'), 'pkg:npm/lodash@4.17.20']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^kubeward: no vulnerability database at .*\nhint: run `kubeward db update`/);
  });
});

describe('kubeward db update from a mirror', () => {
  let mirror: OsvMirror;
  let directory: string;
  before(async () => {
    mirror = await startOsvMirror(sharedDataPath('osv'));
    directory = await temporaryDirectory();
  });
  after(() => mirror.close());
  const update = (db: string, ...extra: string[]) => kubeward(['db', 'update', '--db', db, '--mirror', mirror.url, '--retries', '1', ...extra]);

  it('downloads the ecosystems asked for, then skips what has not changed', async () => {
    const db = join(directory, 'ok');
    mirror.behaviour = 'serve';
    const first = await update(db, '--ecosystem', 'npm,Maven');
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(
      (await status(db)).ecosystems.map((row) => `${row.ecosystem} ${row.records}`),
      ['Maven 9', 'npm 483'],
    );
    const [lodash] = await match(db, ['pkg:npm/lodash@4.17.20']);
    assert.ok(lodash?.matches?.some((entry) => entry.id === 'CVE-2021-23337'));
    const second = await update(db, '--ecosystem', 'npm,Maven');
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /unchanged: (npm, Maven|Maven, npm)/);
  });

  it('reads the default ecosystems the mirror carries and notes the ones it lacks', async () => {
    const db = join(directory, 'defaults');
    const result = await update(db);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /not on the mirror: .*Ubuntu/);
    assert.ok((await status(db)).records > 19000);
  });

  it('stops every download once one fails for good, and leaves nothing behind', async () => {
    const db = join(directory, 'named-missing');
    mirror.behaviour = 'serve';
    const result = await update(db, '--ecosystem', 'npm,NuGet');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /the mirror has no NuGet data/);
    assert.doesNotMatch(result.stderr, /ENOENT|retrying/);
    assert.deepEqual(await readdir(db), []);
  });

  it('retries a failing download and succeeds when the server recovers', async () => {
    const db = join(directory, 'flaky');
    mirror.behaviour = 'fail-once';
    const result = await update(db, '--ecosystem', 'npm');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /HTTP 503 .*retrying in/);
  });

  for (const [behaviour, message] of [
    ['fail', /HTTP 500/],
    ['truncate', /not a readable zip archive/],
    ['hang-up', /terminated|closed|socket|ECONNRESET|other side closed/i],
  ] as const) {
    it(`keeps the previous database when the server ${behaviour === 'fail' ? 'fails' : behaviour === 'truncate' ? 'sends a truncated zip' : 'disappears mid-download'}`, async () => {
      const db = join(directory, `broken-${behaviour}`);
      mirror.behaviour = 'serve';
      assert.equal((await update(db, '--ecosystem', 'Maven')).code, 0);
      const before = await readFile(join(db, DATABASE_FILE));
      mirror.behaviour = behaviour;
      const result = await update(db, '--ecosystem', 'npm,Maven');
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /the database was not changed/);
      assert.ok(before.equals(await readFile(join(db, DATABASE_FILE))), 'the database file is byte for byte the same');
      assert.deepEqual(
        (await status(db)).ecosystems.map((row) => row.ecosystem),
        ['Maven'],
      );
      mirror.behaviour = 'serve';
    });
  }
});

describe('an interrupted import', () => {
  it('Ctrl-C stops it cleanly: the database stays as it was, with no temporary file or lock left', async () => {
    const directory = await temporaryDirectory();
    const db = join(directory, 'db');
    assert.equal((await kubeward(['db', 'import', '--db', db, sharedDataPath('osv/npm/all.zip')])).code, 0);
    const before = await readFile(join(db, DATABASE_FILE));
    const child = spawn(process.execPath, [repoPath('dist/src/cli/bin.js'), 'db', 'import', '--db', db, sharedDataPath('osv')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // Interrupt once it is busy importing the first archive.
      if (stderr.includes('importing') && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 2, stderr);
    assert.match(stderr, /the import was interrupted; the database was not changed/);
    assert.deepEqual(await readdir(db), [DATABASE_FILE]);
    assert.ok(before.equals(await readFile(join(db, DATABASE_FILE))));
  });
});

describe('the database file under concurrent use', () => {
  it('an open database keeps reading its snapshot while an update swaps in a new file', async () => {
    const directory = await temporaryDirectory();
    const builder = DatabaseBuilder.begin(directory);
    const tally = newTally('first');
    builder.importRecord(await ghsaText('GHSA-35jh-r3h4-6jhm'), 'first', tally);
    builder.commit(new Date('2026-11-28T00:00:00Z'));
    const reader = VulnerabilityDatabase.open(join(directory, DATABASE_FILE));
    const size = (await stat(join(directory, DATABASE_FILE))).size;
    assert.equal(reader.status(size).records, 1);

    const next = DatabaseBuilder.begin(directory);
    assert.throws(() => DatabaseBuilder.begin(directory), /another update of .* is running/);
    next.importRecord(await ghsaText('GHSA-jfh8-c2jp-5v3q'), 'second', newTally('second'));
    next.commit(new Date('2026-11-29T00:00:00Z'));

    assert.equal(reader.status(size).records, 1, 'the open handle still sees the file it opened');
    assert.ok(reader.record('GHSA-35jh-r3h4-6jhm'));
    reader.close();
    const fresh = VulnerabilityDatabase.open(join(directory, DATABASE_FILE));
    assert.equal(fresh.status(0).records, 2);
    fresh.close();
  });

  it('an aborted update leaves the previous file, and no temporary files or lock behind', async () => {
    const directory = await temporaryDirectory();
    const builder = DatabaseBuilder.begin(directory);
    builder.importRecord(await ghsaText('GHSA-35jh-r3h4-6jhm'), 'x', newTally('x'));
    builder.commit(new Date());
    const before = await readFile(join(directory, DATABASE_FILE));
    const failing = DatabaseBuilder.begin(directory);
    failing.importRecord(await ghsaText('GHSA-jfh8-c2jp-5v3q'), 'y', newTally('y'));
    failing.abort();
    assert.ok(before.equals(await readFile(join(directory, DATABASE_FILE))));
    assert.deepEqual(await readdir(directory), [DATABASE_FILE]);
    // The lock and half-written file of an update whose process died do not block or litter the next one.
    await writeFile(join(directory, 'update.lock'), '999999999');
    await writeFile(join(directory, `${DATABASE_FILE}.999999999.tmp`), 'half an update');
    DatabaseBuilder.begin(directory).abort();
    assert.deepEqual(await readdir(directory), [DATABASE_FILE]);
    assert.ok(before.equals(await readFile(join(directory, DATABASE_FILE))));
  });
});
