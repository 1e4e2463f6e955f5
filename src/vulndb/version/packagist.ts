import { validBy, InvalidVersionError, sign, type Ordering } from './errors.js';

/**
 * Packagist (Composer) versions: normalised as Composer's `VersionParser::normalize` does
 * (`v1.2` → `1.2.0.0`, `1.0.0-b2` → `1.0.0.0-beta2`, `-p1`/`-pl1` → `-patch1`), then ordered
 * with PHP's `version_compare`, which is what Composer's constraints use.
 */
const STABILITY = /^v?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)?[._-]?(?:(stable|beta|b|rc|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?)?([.-]?dev)?$/i;
const DATE = /^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})[._-]?(?:(stable|beta|b|rc|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?)?([.-]?dev)?$/i;

const expandStability = (stability: string): string => {
  const lower = stability.toLowerCase();
  switch (lower) {
    case 'a':
      return 'alpha';
    case 'b':
      return 'beta';
    case 'p':
    case 'pl':
      return 'patch';
    case 'rc':
      return 'RC';
    default:
      return lower;
  }
};

export const normalisePackagist = (version: string): string => {
  let text = version.trim();
  // Aliases (`1.0.x-dev as 1.0.0`) and build metadata do not take part in ordering.
  text = text.replace(/^([^,\s]+) +as +[^,\s]+$/, '$1').replace(/\+[^\s]+$/, '');
  // Branches: `dev-main` stays a name (below every release); `1.x-dev` is the newest 1.x there can be.
  if (/^dev-/i.test(text)) return `dev-${text.slice(4)}`;
  const branch = /^v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:\.[xX*])?[.-]?dev$/i.exec(text);
  if (branch && /[xX*]/.test(text)) {
    const parts = [branch[1], branch[2], branch[3]].map((part) => (part === undefined || /[xX*]/.test(part) ? '9999999' : part));
    return `${parts.join('.')}.9999999-dev`;
  }
  const classic = STABILITY.exec(text);
  let base: string;
  let modifier: RegExpExecArray;
  if (classic) {
    base = [classic[1], classic[2] ?? '.0', classic[3] ?? '.0', classic[4] ?? '.0'].join('');
    modifier = classic;
  } else {
    const dated = DATE.exec(text);
    if (!dated) throw new InvalidVersionError('packagist', version, 'not a Composer version');
    base = (dated[1] as string).replace(/\D/g, '.');
    modifier = dated;
  }
  const offset = classic ? 5 : 2;
  const stability = modifier[offset];
  if (stability && stability.toLowerCase() !== 'stable') {
    const number = (modifier[offset + 1] ?? '').replace(/^[.-]/, '');
    base += `-${expandStability(stability)}${number}`;
  }
  if (modifier[offset + 2]) base += '-dev';
  return base;
};

/** PHP's `php_canonicalize_version`: `-`, `_`, `+` become dots, and dots go between digits and letters. */
const canonicalise = (version: string): string[] => {
  let out = '';
  let previous = '';
  const isNumber = (character: string): boolean => character >= '0' && character <= '9';
  const isOther = (character: string): boolean => !isNumber(character) && character !== '.';
  for (const character of version) {
    if (out === '') out = character;
    else if (character === '-' || character === '_' || character === '+') {
      if (!out.endsWith('.')) out += '.';
    } else if ((isOther(previous) && isNumber(character)) || (isNumber(previous) && isOther(character))) {
      if (!out.endsWith('.')) out += '.';
      out += character;
    } else if (!/[A-Za-z0-9]/.test(character)) {
      if (!out.endsWith('.')) out += '.';
    } else out += character;
    previous = character;
  }
  return out.split('.').filter((part) => part !== '');
};

const SPECIAL_FORMS: readonly (readonly [string, number])[] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

const specialRank = (form: string): number => SPECIAL_FORMS.find(([name]) => form.startsWith(name))?.[1] ?? -6;

const NUMBER_FORM = '#';

const comparePart = (a: string, b: string): Ordering => {
  const aNumber = /^\d/.test(a);
  const bNumber = /^\d/.test(b);
  if (aNumber && bNumber) return sign(Number(a) - Number(b));
  if (!aNumber && !bNumber) return sign(specialRank(a) - specialRank(b));
  return aNumber ? sign(specialRank(NUMBER_FORM) - specialRank(b)) : sign(specialRank(a) - specialRank(NUMBER_FORM));
};

/** PHP's `version_compare(a, b)`. */
export const phpVersionCompare = (a: string, b: string): Ordering => {
  const left = canonicalise(a);
  const right = canonicalise(b);
  const shared = Math.min(left.length, right.length);
  for (let index = 0; index < shared; index++) {
    const order = comparePart(left[index] as string, right[index] as string);
    if (order !== 0) return order;
  }
  if (left.length > shared) return /^\d/.test(left[shared] as string) ? 1 : comparePart(left[shared] as string, NUMBER_FORM);
  if (right.length > shared) return /^\d/.test(right[shared] as string) ? -1 : comparePart(NUMBER_FORM, right[shared] as string);
  return 0;
};

export const comparePackagist = (a: string, b: string): Ordering => phpVersionCompare(normalisePackagist(a), normalisePackagist(b));

export const validPackagist = validBy(normalisePackagist);
