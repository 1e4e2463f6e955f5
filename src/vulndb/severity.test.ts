import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { sharedDataPath } from '../../test/support/repo.js';
import type { OsvRecord } from './osv/types.js';
import { judgeSeverity, labelSeverity, scoreVector } from './severity.js';
import { readZipJson } from './sources/zip.js';

const ghsa = async (id: string): Promise<OsvRecord> => JSON.parse(await readFile(sharedDataPath(`ghsa/${id}.json`), 'utf8')) as OsvRecord;

describe('CVSS base scores from vectors', () => {
  // Scores as NVD and FIRST's calculators give them for these vectors.
  const table: readonly [string, string | undefined, number | undefined][] = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', '3.1', 10.0], // Log4Shell
    ['CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', '3.1', 7.2], // lodash template injection
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', '3.1', 8.1],
    ['CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N', '3.1', 5.5],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', '3.1', 0],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '3.0', 9.8],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', '3.0', 6.1], // the classic reflected XSS
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', '2.0', 7.5],
    ['AV:N/AC:M/Au:N/C:N/I:P/A:N', '2.0', 4.3],
    ['(AV:N/AC:L/Au:N/C:C/I:C/A:C)', '2.0', 10.0],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', '4.0', 9.3],
    // Malformed: partial, a bad value, a repeated metric, an unknown version, garbage.
    ['CVSS:3.1/AV:N/AC:L', undefined, undefined],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:X', undefined, undefined],
    ['CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', undefined, undefined],
    ['CVSS:5.0/AV:N', undefined, undefined],
    ['garbage', undefined, undefined],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:U/A:U', undefined, undefined], // the malformed vector of NSWG-ECO-504
  ];
  for (const [vector, version, score] of table) {
    it(vector, () => assert.deepEqual(scoreVector(vector), version === undefined ? undefined : { version, score }));
  }
});

describe('judgeSeverity on real advisories', () => {
  it('computes the CVSS vector and names where it came from', async () => {
    const { verdict, cvss, labels } = judgeSeverity([{ record: await ghsa('GHSA-jfh8-c2jp-5v3q'), affected: [0] }]);
    assert.deepEqual(verdict, {
      severity: 'CRITICAL',
      score: 10,
      source: { kind: 'cvss', detail: 'CVSS:3.1 vector of GHSA-jfh8-c2jp-5v3q', record: 'GHSA-jfh8-c2jp-5v3q' },
    });
    assert.equal(cvss.length, 1);
    assert.deepEqual(
      labels,
      [{ label: 'CRITICAL', severity: 'CRITICAL', where: 'database_specific.severity of GHSA-jfh8-c2jp-5v3q' }],
      "the database's own label is kept beside the computed score",
    );
  });

  it('prefers CVSS 3.1 to 4.0 when a record carries both, and keeps both scores', async () => {
    const { verdict, cvss } = judgeSeverity([{ record: await ghsa('GHSA-qw6h-vgh9-j6wx'), affected: [0] }]);
    assert.equal(verdict.source.detail, 'CVSS:3.1 vector of GHSA-qw6h-vgh9-j6wx');
    assert.deepEqual(cvss.map((score) => score.version).sort(), ['3.1', '4.0']);
  });

  it("falls back to the database's label when there is no vector (GHSA `severity: []`)", async () => {
    const { verdict } = judgeSeverity([{ record: await ghsa('GHSA-8hc4-vh64-cxmj'), affected: [0] }]);
    assert.deepEqual(verdict, {
      severity: 'HIGH',
      source: { kind: 'label', detail: 'database_specific.severity "HIGH" of GHSA-8hc4-vh64-cxmj', record: 'GHSA-8hc4-vh64-cxmj' },
    });
  });

  it('uses a score stated without a vector (rubysec), and says UNKNOWN when nothing rates a record', async () => {
    const wanted = new Map<string, OsvRecord>();
    for await (const event of readZipJson(sharedDataPath('osv/RubyGems/all.zip'))) {
      if (event.kind === 'entry' && event.name === 'x_RUBYSEC-CVE-2007-0469.json') wanted.set('ruby', JSON.parse(event.text) as OsvRecord);
    }
    for await (const event of readZipJson(sharedDataPath('osv/Alpine/all.zip'))) {
      if (event.kind === 'entry' && !wanted.has('alpine')) wanted.set('alpine', JSON.parse(event.text) as OsvRecord);
    }
    const ruby = judgeSeverity([{ record: wanted.get('ruby') as OsvRecord, affected: [0] }]).verdict;
    assert.deepEqual(ruby, {
      severity: 'HIGH',
      score: 9.3,
      source: {
        kind: 'cvss-score',
        detail: 'database_specific.cvss_v2 of x_RUBYSEC-CVE-2007-0469 (a score without a vector)',
        record: 'x_RUBYSEC-CVE-2007-0469',
      },
    });
    const alpine = judgeSeverity([{ record: wanted.get('alpine') as OsvRecord, affected: [0] }]).verdict;
    assert.equal(alpine.severity, 'UNKNOWN');
    assert.equal(alpine.score, undefined);
    assert.equal(alpine.source.kind, 'none');
  });

  it('reads the labels databases use', () => {
    assert.deepEqual(['MODERATE', 'negligible', 'Important', 'critical', 'untriaged'].map(labelSeverity), ['MEDIUM', 'LOW', 'HIGH', 'CRITICAL', undefined]);
  });
});
