import { compareDigits, type Ordering } from './errors.js';
import { comparePrerelease } from './nuget.js';

/**
 * Go module versions, ordered as `golang.org/x/mod/semver` orders them: `vMAJOR[.MINOR[.PATCH]]`
 * with SemVer pre-release and build parts (`v1.2` is `v1.2.0`); pseudo-versions
 * (`v0.0.0-20220412211240-33da011f77ad`) are pre-releases, so they order by their timestamp;
 * `+incompatible` is build metadata. As in x/mod, an invalid version sorts below every valid one.
 *
 * OSV's Go records and SBOMs often drop the `v` (`1.17.10`), and the toolchain spells its own
 * versions `go1.21.5` / `go1.22rc1`: both are read.
 */
interface GoVersion {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  readonly prerelease: readonly string[];
}

const NUMBER = /^(0|[1-9]\d*)$/;
const IDENTIFIERS = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;

export const normaliseGoVersion = (version: string): string => {
  const text = version.trim();
  const toolchain = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta)(\d+))?$/.exec(text);
  if (toolchain) {
    const [, major, minor, patch, kind, number] = toolchain;
    return `v${major}.${minor ?? '0'}.${patch ?? '0'}${kind ? `-${kind}.${number}` : ''}`;
  }
  return text.startsWith('v') ? text : `v${text}`;
};

const parse = (version: string): GoVersion | undefined => {
  if (!version.startsWith('v')) return undefined;
  const match = /^v(\d+)(?:\.(\d+)(?:\.(\d+)(?:-([^+]+))?(?:\+(.+))?)?)?$/.exec(version);
  if (!match) return undefined;
  const [, major, minor, patch, prerelease, build] = match;
  if (![major, minor, patch].every((part) => part === undefined || NUMBER.test(part))) return undefined;
  if (prerelease !== undefined) {
    if (!IDENTIFIERS.test(prerelease)) return undefined;
    if (prerelease.split('.').some((identifier) => /^\d+$/.test(identifier) && !NUMBER.test(identifier))) return undefined;
  }
  if (build !== undefined && !IDENTIFIERS.test(build)) return undefined;
  return { major: major as string, minor: minor ?? '0', patch: patch ?? '0', prerelease: prerelease === undefined ? [] : prerelease.split('.') };
};

export const compareGo = (a: string, b: string): Ordering => {
  const left = parse(normaliseGoVersion(a));
  const right = parse(normaliseGoVersion(b));
  if (!left || !right) return left ? 1 : right ? -1 : 0;
  return (
    compareDigits(left.major, right.major) ||
    compareDigits(left.minor, right.minor) ||
    compareDigits(left.patch, right.patch) ||
    comparePrerelease(left.prerelease, right.prerelease)
  );
};

export const validGo = (version: string): boolean => parse(normaliseGoVersion(version)) !== undefined;
