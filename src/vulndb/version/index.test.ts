import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { repoPath } from '../../../test/support/repo.js';
import { VERSION_SCHEMES, type VersionSchemeName } from './index.js';

/**
 * Each scheme against the ordered pairs of its specification's or reference implementation's own
 * test suite (dpkg's Dpkg_Version.t and t-version.c, rpm's rpmvercmp.at, apk-tools' version.data,
 * PEP 440 and packaging's test_version.py, Maven's ComparableVersionTest, rubygems'
 * test_gem_version.rb, NuGet's VersionComparerTests, composer/semver's tests, semver.org and
 * node-semver's fixtures, x/mod's semver_test.go and pseudo-version rules). Each data file names
 * its source commit and the real implementation every pair was checked against.
 */
const TABLES: readonly [VersionSchemeName, string][] = [
  ['dpkg', 'dpkg'],
  ['rpm', 'rpm'],
  ['apk', 'apk'],
  ['pep440', 'pep440'],
  ['maven', 'maven'],
  ['rubygems', 'rubygems'],
  ['nuget', 'nuget'],
  ['packagist', 'packagist'],
  ['semver', 'semver'],
  ['go', 'go'],
];

interface Table {
  readonly source: string;
  readonly cases: readonly [string, string, -1 | 0 | 1][];
}

describe('version schemes against their specifications’ test data', () => {
  for (const [scheme, file] of TABLES) {
    it(`${scheme}`, async () => {
      const table = JSON.parse(await readFile(repoPath(`src/vulndb/version/testdata/${file}.json`), 'utf8')) as Table;
      const failures: string[] = [];
      for (const [a, b, expected] of table.cases) {
        let actual: number | string;
        try {
          actual = VERSION_SCHEMES[scheme].compare(a, b);
        } catch (error) {
          actual = (error as Error).message;
        }
        if (actual !== expected) failures.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: expected ${expected}, got ${actual}`);
      }
      assert.ok(table.cases.length >= 50, `${table.cases.length} cases`);
      assert.deepEqual(failures.slice(0, 25), [], `${failures.length} of ${table.cases.length} cases fail (${table.source})`);
    });
  }
});
