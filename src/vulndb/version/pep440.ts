import pep440 from '@renovatebot/pep440';
import { InvalidVersionError, sign, type Ordering } from './errors.js';

/** PyPI versions, ordered by PEP 440 through `@renovatebot/pep440`. */
/** Surrounding whitespace is not part of a version (packaging strips it too). */
export const comparePep440 = (a: string, b: string): Ordering => {
  const left = a.trim();
  const right = b.trim();
  if (pep440.valid(left) === null) throw new InvalidVersionError('pep440', a, 'not a PEP 440 version');
  if (pep440.valid(right) === null) throw new InvalidVersionError('pep440', b, 'not a PEP 440 version');
  return sign(pep440.compare(left, right));
};

export const validPep440 = (version: string): boolean => pep440.valid(version.trim()) !== null;
