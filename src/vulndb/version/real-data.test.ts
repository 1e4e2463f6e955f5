import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { sharedDataPath } from '../../../test/support/repo.js';
import { readZipJson } from '../sources/zip.js';
import { VERSION_SCHEMES } from './index.js';

const hasDpkg = (() => {
  try {
    execFileSync('dpkg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** dpkg's own answer: `dpkg --compare-versions a lt b` exits 0 when true. */
const dpkgOrder = (a: string, b: string): number => {
  const holds = (relation: string): boolean => {
    try {
      execFileSync('dpkg', ['--compare-versions', a, relation, b], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  return holds('lt') ? -1 : holds('eq') ? 0 : 1;
};

describe('dpkg ordering against dpkg itself, on the versions of real Debian advisories', () => {
  it(
    'agrees on pairs drawn from the Debian 12 data (fixed, bookworm and bookworm-security versions)',
    { skip: !hasDpkg && 'dpkg is not installed' },
    async () => {
      const versions = new Set<string>();
      for await (const event of readZipJson(sharedDataPath('osv/Debian/all.zip'))) {
        if (event.kind !== 'entry') continue;
        const record = JSON.parse(event.text) as { affected: { ranges: { events: Record<string, string>[] }[]; database_specific?: Record<string, string> }[] };
        for (const affected of record.affected) {
          for (const range of affected.ranges)
            for (const value of range.events.flatMap((entry) => Object.values(entry))) if (value !== '0') versions.add(value);
          for (const key of ['main_suite_version', 'security_suite_version'])
            if (affected.database_specific?.[key]) versions.add(affected.database_specific[key]);
        }
      }
      const sorted = [...versions].sort();
      assert.ok(sorted.length > 300, `${sorted.length} versions`);
      // Neighbours in text order share prefixes (the hard cases: ~deb12u1 vs +deb12u1, epochs, revisions), plus a spread of far pairs.
      const pairs: [string, string][] = [];
      for (let index = 0; index + 1 < sorted.length && pairs.length < 250; index += Math.max(1, Math.floor(sorted.length / 250)))
        pairs.push([sorted[index] as string, sorted[index + 1] as string]);
      for (let index = 0; index < 50; index++)
        pairs.push([sorted[(index * 7919) % sorted.length] as string, sorted[(index * 104729) % sorted.length] as string]);
      const disagreements = pairs.filter(([a, b]) => VERSION_SCHEMES.dpkg.compare(a, b) !== dpkgOrder(a, b)).map(([a, b]) => `${a} vs ${b}`);
      assert.deepEqual(disagreements, []);
    },
  );
});
