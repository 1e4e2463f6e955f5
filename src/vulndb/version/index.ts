import { compareApk, validApk } from './apk.js';
import { compareDpkg, validDpkg } from './dpkg.js';
import type { Ordering } from './errors.js';
import { compareMaven, validMaven } from './maven.js';
import { compareNuGet, validNuGet } from './nuget.js';
import { comparePackagist, validPackagist } from './packagist.js';
import { comparePep440, validPep440 } from './pep440.js';
import { compareRpm, validRpm } from './rpm.js';
import { compareRubyGems, validRubyGems } from './rubygems.js';
import { compareGo, validGo } from './go.js';
import { compareSemver, validSemver } from './semver.js';

export { InvalidVersionError, type Ordering } from './errors.js';
export { rpmvercmp } from './rpm.js';
export { normaliseGoVersion } from './go.js';
export { normalisePackagist, phpVersionCompare } from './packagist.js';

/** One way of ordering versions. `compare` throws `InvalidVersionError` on a version it cannot read. */
export interface VersionScheme {
  readonly name: VersionSchemeName;
  readonly compare: (a: string, b: string) => Ordering;
  readonly valid: (version: string) => boolean;
}

export type VersionSchemeName = 'dpkg' | 'rpm' | 'apk' | 'semver' | 'go' | 'pep440' | 'maven' | 'rubygems' | 'nuget' | 'packagist';

export const VERSION_SCHEMES: Readonly<Record<VersionSchemeName, VersionScheme>> = {
  dpkg: { name: 'dpkg', compare: compareDpkg, valid: validDpkg },
  rpm: { name: 'rpm', compare: compareRpm, valid: validRpm },
  apk: { name: 'apk', compare: compareApk, valid: validApk },
  semver: { name: 'semver', compare: compareSemver, valid: validSemver },
  go: { name: 'go', compare: compareGo, valid: validGo },
  pep440: { name: 'pep440', compare: comparePep440, valid: validPep440 },
  maven: { name: 'maven', compare: compareMaven, valid: validMaven },
  rubygems: { name: 'rubygems', compare: compareRubyGems, valid: validRubyGems },
  nuget: { name: 'nuget', compare: compareNuGet, valid: validNuGet },
  packagist: { name: 'packagist', compare: comparePackagist, valid: validPackagist },
};
