import pep440 from '@renovatebot/pep440';
import { InvalidVersionError, sign, type Ordering } from './errors.js';

/** PyPI versions, ordered by PEP 440 through `@renovatebot/pep440`. */
/** The library parses with one large regular expression per call: remember which versions are valid. */
const validity = new Map<string, boolean>();
const isValid = (version: string): boolean => {
  let known = validity.get(version);
  if (known === undefined) {
    if (validity.size > 50_000) validity.clear();
    known = pep440.valid(version) !== null;
    validity.set(version, known);
  }
  return known;
};

/** Surrounding whitespace is not part of a version (packaging strips it too). */
export const comparePep440 = (a: string, b: string): Ordering => {
  const left = a.trim();
  const right = b.trim();
  if (!isValid(left)) throw new InvalidVersionError('pep440', a, 'not a PEP 440 version');
  if (!isValid(right)) throw new InvalidVersionError('pep440', b, 'not a PEP 440 version');
  return sign(pep440.compare(left, right));
};

export const validPep440 = (version: string): boolean => isValid(version.trim());
