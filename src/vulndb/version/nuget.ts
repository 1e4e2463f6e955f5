import { compareDigits, InvalidVersionError, type Ordering } from './errors.js';

/**
 * NuGet versions (`NuGetVersion`): up to four numeric parts (missing ones are 0, so `1.0` ==
 * `1.0.0.0`), then a SemVer 2.0 pre-release compared case-insensitively; build metadata ignored.
 */
const PATTERN = /^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?\s*$/;

interface NuGetVersion {
  readonly parts: readonly string[];
  readonly prerelease: readonly string[];
}

const parse = (version: string): NuGetVersion => {
  const match = PATTERN.exec(version);
  if (!match) throw new InvalidVersionError('nuget', version, 'not a NuGet version');
  return {
    parts: [match[1] ?? '0', match[2] ?? '0', match[3] ?? '0', match[4] ?? '0'],
    prerelease: match[5] ? match[5].toLowerCase().split('.') : [],
  };
};

/**
 * SemVer 2.0 pre-release precedence: numeric identifiers by value and below alphanumeric ones,
 * which compare as ASCII (NuGet lower-cases them first; Go does not).
 */
export const comparePrerelease = (a: readonly string[], b: readonly string[]): Ordering => {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const x = a[index];
    const y = b[index];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xNumeric = /^\d+$/.test(x);
    const yNumeric = /^\d+$/.test(y);
    if (xNumeric && yNumeric) {
      const order = compareDigits(x, y);
      if (order !== 0) return order;
    } else if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

export const compareNuGet = (a: string, b: string): Ordering => {
  const left = parse(a);
  const right = parse(b);
  for (let index = 0; index < 4; index++) {
    const order = compareDigits(left.parts[index] as string, right.parts[index] as string);
    if (order !== 0) return order;
  }
  return comparePrerelease(left.prerelease, right.prerelease);
};

export const validNuGet = (version: string): boolean => PATTERN.test(version);
