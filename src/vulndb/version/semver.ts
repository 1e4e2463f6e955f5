import semver from 'semver';
import { InvalidVersionError, type Ordering } from './errors.js';

/**
 * SemVer 2.0 precedence (OSV `SEMVER` ranges, npm, crates.io), through the `semver` package:
 * pre-releases before their release, build metadata ignored. A leading `v` or `=` is accepted, as
 * npm accepts it; anything else that is not SemVer is an invalid version, never a guess.
 */
const parse = (version: string): semver.SemVer => {
  const parsed = semver.parse(version.trim(), { loose: true });
  if (!parsed) throw new InvalidVersionError('semver', version, 'not a SemVer 2.0 version');
  return parsed;
};

export const compareSemver = (a: string, b: string): Ordering => parse(a).compare(parse(b));

export const validSemver = (version: string): boolean => semver.parse(version.trim(), { loose: true }) !== null;
