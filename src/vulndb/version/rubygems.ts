import { InvalidVersionError, type Ordering } from './errors.js';

/**
 * RubyGems versions as `Gem::Version` orders them (rubygems' `version.rb`): segments of digits or
 * of letters; a version holding a letter is a pre-release and sorts before its release
 * (`1.0.a` < `1.0`); trailing zeros do not count (`1.0` == `1`). A hyphen reads as `.pre.` before
 * a number (`1.0-1` is `1.0.pre.1`) and as a dot before a label (`1.0.0-beta.1` == `1.0.0.beta.1`,
 * as current rubygems does).
 */
const PATTERN = /^\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?\s*$/;

type Segment = bigint | string;

const normaliseHyphens = (text: string): string => {
  if (!text.includes('-')) return text;
  const parts = text.split('-');
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop(); // as Ruby's split does
  return parts
    .map((part, index) => {
      if (index === 0) return part;
      const first = /^[^.]+/.exec(part)?.[0];
      return first !== undefined && /[a-zA-Z]/.test(first) ? part : `pre.${part}`;
    })
    .join('.');
};

interface GemVersion {
  readonly text: string;
  readonly segments: readonly Segment[];
}

const parse = (version: string): GemVersion => {
  if (!PATTERN.test(version)) throw new InvalidVersionError('rubygems', version, 'not a Gem::Version');
  const trimmed = version.trim();
  const text = trimmed === '' ? '0' : normaliseHyphens(trimmed);
  const prerelease = /[a-zA-Z]/.test(text);
  let canonical = text.replace(/(?<=[a-zA-Z.])[.0]+$/, '');
  // Zero segments right before a label do not count either: `1.0.0.a` == `1.a`.
  if (prerelease) canonical = canonical.replace(/(?<=\.|^)[0.]+(?=[a-zA-Z])/, '');
  const all: Segment[] = (canonical.match(/\d+|[a-z]+/gi) ?? []).map((part) => (/^\d/.test(part) ? BigInt(part) : part));
  // `pre` before another label adds nothing (`1.0.pre.beta` == `1.0.beta`).
  const segments = all.filter((segment, index) => !(segment === 'pre' && typeof all[index + 1] === 'string'));
  return { text, segments };
};

const isZero = (segment: Segment | undefined): boolean => segment === 0n;

export const compareRubyGems = (a: string, b: string): Ordering => {
  const left = parse(a);
  const right = parse(b);
  if (left.text === right.text) return 0;
  const shared = Math.min(left.segments.length, right.segments.length);
  for (let index = 0; index < shared; index++) {
    const x = left.segments[index] as Segment;
    const y = right.segments[index] as Segment;
    if (x === y) continue;
    if (typeof x === 'string' && typeof y !== 'string') return -1;
    if (typeof x !== 'string' && typeof y === 'string') return 1;
    return x < y ? -1 : 1;
  }
  // What the longer version goes on with: a label makes it older, a number other than 0 newer.
  for (let index = shared; index < right.segments.length; index++) {
    const rest = right.segments[index];
    if (typeof rest === 'string') return 1;
    if (!isZero(rest)) return -1;
  }
  for (let index = shared; index < left.segments.length; index++) {
    const rest = left.segments[index];
    if (typeof rest === 'string') return -1;
    if (!isZero(rest)) return 1;
  }
  return 0;
};

export const validRubyGems = (version: string): boolean => PATTERN.test(version);
