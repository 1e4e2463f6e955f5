import { validBy, compareDigits, InvalidVersionError, isAsciiLetter, isDigit, type Ordering } from './errors.js';

/**
 * RPM versions (Red Hat, Rocky, AlmaLinux, SUSE, openSUSE, Mageia, openEuler, ...): `[epoch:]version[-release]`,
 * each part compared with rpm's `rpmvercmp`: runs of digits and of letters, separators ignored,
 * `~` before anything (pre-releases), `^` after the base version but before anything appended.
 */
const isAlphanumeric = (code: number): boolean => isDigit(code) || isAsciiLetter(code);
const TILDE = 126;
const CARET = 94;

/** rpm's `rpmvercmp`, for one of version or release. */
export const rpmvercmp = (a: string, b: string): Ordering => {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlphanumeric(a.charCodeAt(i)) && a.charCodeAt(i) !== TILDE && a.charCodeAt(i) !== CARET) i++;
    while (j < b.length && !isAlphanumeric(b.charCodeAt(j)) && b.charCodeAt(j) !== TILDE && b.charCodeAt(j) !== CARET) j++;

    const tildeA = a.charCodeAt(i) === TILDE;
    const tildeB = b.charCodeAt(j) === TILDE;
    if (tildeA || tildeB) {
      if (!tildeA) return 1;
      if (!tildeB) return -1;
      i++;
      j++;
      continue;
    }

    const caretA = a.charCodeAt(i) === CARET;
    const caretB = b.charCodeAt(j) === CARET;
    if (caretA || caretB) {
      // A caret sorts after the end of the other string, but before anything else that follows.
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (!caretA) return 1;
      if (!caretB) return -1;
      i++;
      j++;
      continue;
    }

    if (i >= a.length || j >= b.length) break;

    const numeric = isDigit(a.charCodeAt(i));
    const startA = i;
    const startB = j;
    const inRun = numeric ? isDigit : isAsciiLetter;
    while (i < a.length && inRun(a.charCodeAt(i))) i++;
    while (j < b.length && inRun(b.charCodeAt(j))) j++;
    // Segments of different types: a number is newer than letters.
    if (j === startB) return numeric ? 1 : -1;

    const segmentA = a.slice(startA, i);
    const segmentB = b.slice(startB, j);
    const order = numeric ? compareDigits(segmentA, segmentB) : segmentA < segmentB ? -1 : segmentA > segmentB ? 1 : 0;
    if (order !== 0) return order;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
};

interface Evr {
  readonly epoch: string;
  readonly version: string;
  readonly release: string | undefined;
}

const parse = (text: string): Evr => {
  const trimmed = text.trim();
  if (trimmed === '') throw new InvalidVersionError('rpm', text, 'empty');
  const colon = trimmed.indexOf(':');
  let epoch = '0';
  let rest = trimmed;
  if (colon >= 0) {
    epoch = trimmed.slice(0, colon) || '0';
    if (!/^\d+$/.test(epoch)) throw new InvalidVersionError('rpm', text, 'the epoch is not a number');
    rest = trimmed.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  if (version === '') throw new InvalidVersionError('rpm', text, 'the version is empty');
  return { epoch, version, release: hyphen >= 0 ? rest.slice(hyphen + 1) : undefined };
};

/**
 * Compares full EVR strings as rpm's `rpmVersionCompare` does. A release missing on one side is not
 * compared (`1.0` matches any `1.0-N`), as rpm does for dependency ranges written without one.
 */
export const compareRpm = (a: string, b: string): Ordering => {
  const left = parse(a);
  const right = parse(b);
  const epoch = compareDigits(left.epoch, right.epoch);
  if (epoch !== 0) return epoch;
  const version = rpmvercmp(left.version, right.version);
  if (version !== 0 || left.release === undefined || right.release === undefined) return version;
  return rpmvercmp(left.release, right.release);
};

export const validRpm = validBy(parse);
