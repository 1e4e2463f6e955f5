import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VERSION_SCHEMES } from '../version/index.js';
import { judgeVersion } from './range.js';
import type { OsvEvent, OsvRange } from './types.js';

const range = (type: OsvRange['type'], ...events: OsvEvent[]): OsvRange => ({ type, events });
const semver = VERSION_SCHEMES.semver;

/** The OSV specification's evaluation (`IsVulnerable`), its examples, and the cases real data exercises. */
const CASES: readonly {
  name: string;
  version: string;
  ranges?: OsvRange[];
  versions?: string[];
  scheme?: keyof typeof VERSION_SCHEMES;
  affected: boolean;
  fixed?: string[];
}[] = [
  { name: 'introduced 0: every version', version: '0.0.1', ranges: [range('SEMVER', { introduced: '0' })], affected: true, fixed: [] },
  { name: 'before a fix', version: '1.0.1', ranges: [range('SEMVER', { introduced: '0' }, { fixed: '1.0.2' })], affected: true, fixed: ['1.0.2'] },
  { name: 'the fixed version itself', version: '1.0.2', ranges: [range('SEMVER', { introduced: '0' }, { fixed: '1.0.2' })], affected: false },
  { name: 'before introduced', version: '0.9.0', ranges: [range('SEMVER', { introduced: '1.0.0' }, { fixed: '1.0.2' })], affected: false },
  {
    name: 'introduced is inclusive',
    version: '1.0.0',
    ranges: [range('SEMVER', { introduced: '1.0.0' }, { fixed: '1.0.2' })],
    affected: true,
    fixed: ['1.0.2'],
  },
  ...(['1.0.1', '3.1.0'] as const).map((version) => ({
    name: `two intervals [1.0.0,1.0.2) and [3.0.0,3.2.5): ${version}`,
    version,
    ranges: [range('SEMVER', { introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' })],
    affected: true,
    fixed: [version === '1.0.1' ? '1.0.2' : '3.2.5'],
  })),
  {
    name: 'between two intervals',
    version: '2.0.0',
    ranges: [range('SEMVER', { introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' })],
    affected: false,
  },
  {
    name: 'events out of order are sorted first',
    version: '3.1.0',
    ranges: [range('SEMVER', { fixed: '3.2.5' }, { introduced: '3.0.0' }, { fixed: '1.0.2' }, { introduced: '1.0.0' })],
    affected: true,
    fixed: ['3.2.5'],
  },
  {
    name: 'last_affected is inclusive',
    version: '2.1.214',
    ranges: [range('ECOSYSTEM', { introduced: '0' }, { last_affected: '2.1.214' })],
    scheme: 'maven',
    affected: true,
    fixed: [],
  },
  {
    name: 'above last_affected',
    version: '2.1.215',
    ranges: [range('ECOSYSTEM', { introduced: '0' }, { last_affected: '2.1.214' })],
    scheme: 'maven',
    affected: false,
  },
  { name: 'limit bounds the range from above', version: '2.5.0', ranges: [range('SEMVER', { introduced: '1.0.0' }, { limit: '2.0.0' })], affected: false },
  { name: 'below the limit', version: '1.5.0', ranges: [range('SEMVER', { introduced: '1.0.0' }, { limit: '2.0.0' })], affected: true, fixed: [] },
  { name: 'limit *', version: '9.0.0', ranges: [range('SEMVER', { introduced: '1.0.0' }, { limit: '*' })], affected: true, fixed: [] },
  {
    name: 'listed in versions, outside every range',
    version: '5.0.0',
    ranges: [range('SEMVER', { introduced: '1.0.0' }, { fixed: '1.0.2' })],
    versions: ['5.0.0'],
    affected: true,
    fixed: [],
  },
  { name: 'versions compare by the ecosystem (Maven 1.0 is 1.0.0)', version: '1.0.0', versions: ['1.0'], scheme: 'maven', affected: true, fixed: [] },
  { name: 'GIT ranges name commits and are skipped', version: '1.0.0', ranges: [range('GIT', { introduced: '0' }, { fixed: 'abc123' })], affected: false },
  {
    name: 'a pre-release of the fix is still affected',
    version: '1.0.2-rc.1',
    ranges: [range('SEMVER', { introduced: '0' }, { fixed: '1.0.2' })],
    affected: true,
    fixed: ['1.0.2'],
  },
  {
    name: 'Go pseudo-version before the fix commit',
    version: 'v0.0.0-20220315000000-abcdefabcdef',
    ranges: [range('SEMVER', { introduced: '0' }, { fixed: '0.0.0-20220412211240-33da011f77ad' })],
    scheme: 'go',
    affected: true,
    fixed: ['0.0.0-20220412211240-33da011f77ad'],
  },
  {
    name: 'Go stdlib, second branch (introduced 1.18.0-0)',
    version: 'go1.18.1',
    ranges: [range('SEMVER', { introduced: '0' }, { fixed: '1.17.10' }, { introduced: '1.18.0-0' }, { fixed: '1.18.2' })],
    scheme: 'go',
    affected: true,
    fixed: ['1.18.2'],
  },
  {
    name: 'Debian epoch and tilde: the security upload fixes',
    version: '3.0.11-1~deb12u2',
    ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: '3.0.11-1~deb12u2' })],
    scheme: 'dpkg',
    affected: false,
  },
  {
    name: 'Debian: the version before the security upload',
    version: '3.0.11-1~deb12u1',
    ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: '3.0.11-1~deb12u2' })],
    scheme: 'dpkg',
    affected: true,
    fixed: ['3.0.11-1~deb12u2'],
  },
  {
    name: 'Alpine revision',
    version: '1.1.1d-r2',
    ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: '1.1.1d-r3' })],
    scheme: 'apk',
    affected: true,
    fixed: ['1.1.1d-r3'],
  },
  {
    name: 'PyPI post-release after the fix',
    version: '2.25.0.post1',
    ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: '2.25.0' })],
    scheme: 'pep440',
    affected: false,
  },
];

describe('judgeVersion (OSV range evaluation)', () => {
  for (const testCase of CASES) {
    it(testCase.name, () => {
      const scheme = VERSION_SCHEMES[testCase.scheme ?? 'semver'];
      const verdict = judgeVersion(
        testCase.version,
        { ranges: testCase.ranges ?? [], versions: testCase.versions ?? [] },
        scheme,
        testCase.scheme === 'go' ? VERSION_SCHEMES.go : semver,
      );
      assert.equal(verdict.error, undefined);
      assert.equal(verdict.affected, testCase.affected);
      if (testCase.affected) assert.deepEqual(verdict.fixed, testCase.fixed);
    });
  }

  it('reports an event version the scheme cannot read instead of guessing', () => {
    const verdict = judgeVersion('1.0.0', { ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: 'not a version!' })] }, VERSION_SCHEMES.pep440, semver);
    assert.deepEqual(verdict, { affected: false, fixed: [], error: 'an ECOSYSTEM range holds "not a version!", not valid pep440 version' });
    // GHSA-v23v-6jw2-98fq: Docker's calendar versions are no Go versions; x/mod would sort them below v1.13.1.
    const docker = judgeVersion(
      'v1.13.1',
      { ranges: [range('SEMVER', { introduced: '19.03.0' }, { fixed: '23.0.15' })] },
      VERSION_SCHEMES.go,
      VERSION_SCHEMES.go,
    );
    assert.match(docker.error ?? '', /"19\.03\.0", not valid go version/);
    assert.equal(docker.affected, false);
    // Another range that settles the question wins.
    const settled = judgeVersion(
      '1.0.0',
      { ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: 'not a version!' }), range('ECOSYSTEM', { introduced: '0' }, { fixed: '2.0' })] },
      VERSION_SCHEMES.pep440,
      semver,
    );
    assert.deepEqual(settled, { affected: true, fixed: ['2.0'] });
  });
});
