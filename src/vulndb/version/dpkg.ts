import { validBy, compareDigits, InvalidVersionError, isAsciiLetter, isDigit, type Ordering } from './errors.js';

/**
 * Debian (and Ubuntu) package versions, as the Debian Policy Manual section 5.6.12 defines them:
 * `[epoch:]upstream_version[-debian_revision]`, compared epoch first, then upstream version, then
 * revision, each with dpkg's ordering in which `~` sorts before everything, even the end of the
 * string, and letters sort before other symbols.
 */
interface DpkgVersion {
  readonly epoch: string;
  readonly upstream: string;
  readonly revision: string;
}

const parse = (version: string): DpkgVersion => {
  const text = version.trim();
  if (text === '') throw new InvalidVersionError('dpkg', version, 'empty');
  const colon = text.indexOf(':');
  let epoch = '0';
  let rest = text;
  if (colon >= 0) {
    epoch = text.slice(0, colon);
    if (!/^\d+$/.test(epoch)) throw new InvalidVersionError('dpkg', version, 'the epoch is not a number');
    rest = text.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (upstream === '') throw new InvalidVersionError('dpkg', version, 'the upstream version is empty');
  // dpkg only warns when the upstream version does not start with a digit, and compares it all the same.
  if (!/^[A-Za-z0-9.+~:-]+$/.test(upstream)) throw new InvalidVersionError('dpkg', version, 'the upstream version has characters outside [A-Za-z0-9.+~-]');
  if (hyphen >= 0 && !/^[A-Za-z0-9.+~]+$/.test(revision))
    throw new InvalidVersionError('dpkg', version, 'the revision is empty or has characters outside [A-Za-z0-9.+~]');
  return { epoch, upstream, revision };
};

/** Weight of one character in the non-digit part: `~` lowest, then the end (or a digit), letters, other symbols. */
const weight = (text: string, index: number): number => {
  if (index >= text.length) return 0;
  const code = text.charCodeAt(index);
  if (isDigit(code)) return 0;
  if (code === 126) return -1; // ~
  if (isAsciiLetter(code)) return code;
  return code + 256;
};

/** dpkg's `verrevcmp`: alternating non-digit and digit runs. */
const compareFragment = (a: string, b: string): Ordering => {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const difference = weight(a, i) - weight(b, j);
      if (difference !== 0) return difference < 0 ? -1 : 1;
      i++;
      j++;
    }
    const startA = i;
    while (i < a.length && isDigit(a.charCodeAt(i))) i++;
    const startB = j;
    while (j < b.length && isDigit(b.charCodeAt(j))) j++;
    const order = compareDigits(a.slice(startA, i) || '0', b.slice(startB, j) || '0');
    if (order !== 0) return order;
  }
  return 0;
};

/** Matching compares one installed version with many advisory versions: keep the parsed forms. */
const parsed = new Map<string, DpkgVersion>();
const parseCached = (version: string): DpkgVersion => {
  let found = parsed.get(version);
  if (!found) {
    if (parsed.size > 50_000) parsed.clear();
    found = parse(version);
    parsed.set(version, found);
  }
  return found;
};

export const compareDpkg = (a: string, b: string): Ordering => {
  const left = parseCached(a);
  const right = parseCached(b);
  return compareDigits(left.epoch, right.epoch) || compareFragment(left.upstream, right.upstream) || compareFragment(left.revision, right.revision);
};

export const validDpkg = validBy(parse);
