import { isDigit, sign, type Ordering } from './errors.js';

/**
 * Maven versions, ordered as Maven's `ComparableVersion` orders them (the POM reference's "version
 * order specification", as Maven 4 implements it (maven-artifact 4.0): `X-1` reads as `X1`, a trailing `.X` as
 * `-X`, and `ga`, `final` and `release` equal to no qualifier).
 *
 * A version is a list of items: numbers, qualifiers, qualifier+number combinations (`rc1`), and
 * sub-lists that start at a hyphen or at a transition between digits and letters. Trailing "null"
 * items (0, the empty qualifier) are trimmed so `1.0.0` equals `1`.
 */
type Item =
  | { readonly type: 'number'; readonly value: bigint }
  | { readonly type: 'qualifier'; readonly value: string }
  | { readonly type: 'combination'; readonly qualifier: string; readonly number: bigint }
  | { readonly type: 'list'; readonly items: Item[] };

const KNOWN_QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const RELEASE_QUALIFIERS = new Set(['ga', 'final', 'release']);
const RELEASE_RANK = String(KNOWN_QUALIFIERS.indexOf(''));

/** A string that sorts qualifiers as Maven does: known ones by rank, unknown ones after them, alphabetically. */
const qualifierRank = (qualifier: string): string => {
  if (RELEASE_QUALIFIERS.has(qualifier)) return RELEASE_RANK;
  const index = KNOWN_QUALIFIERS.indexOf(qualifier);
  return index === -1 ? `${KNOWN_QUALIFIERS.length}-${qualifier}` : String(index);
};

const compareStrings = (a: string, b: string): Ordering => (a < b ? -1 : a > b ? 1 : 0);

/** `a1` is alpha-1, `b2` beta-2, `m3` milestone-3; `cr` is `rc`. */
const qualifierName = (text: string, followedByDigit: boolean): string => {
  let value = text;
  if (followedByDigit && value.length === 1) value = ({ a: 'alpha', b: 'beta', m: 'milestone' } as Record<string, string>)[value] ?? value;
  return value === 'cr' ? 'rc' : value;
};

const numberItem = (digits: string): Item => ({ type: 'number', value: digits === '' ? 0n : BigInt(digits) });

const combinationItem = (text: string): Item => {
  const compact = text.replaceAll('-', '');
  let index = 0;
  while (index < compact.length && !isDigit(compact.charCodeAt(index))) index++;
  const digits = compact.slice(index);
  return { type: 'combination', qualifier: qualifierName(compact.slice(0, index), true), number: /^\d+$/.test(digits) ? BigInt(digits) : 0n };
};

const parseItem = (combination: boolean, digits: boolean, text: string): Item => {
  if (combination) return combinationItem(text);
  if (digits) return numberItem(text);
  return { type: 'qualifier', value: qualifierName(text, false) };
};

const isNull = (item: Item): boolean => {
  switch (item.type) {
    case 'number':
      return item.value === 0n;
    case 'qualifier':
      return item.value === '';
    case 'combination':
      return false;
    case 'list':
      return item.items.length === 0;
  }
};

/** Trims null items at the end of a list, and before a qualifier, as Maven normalises. */
const normalise = (items: Item[]): void => {
  for (let index = items.length - 1; index >= 0; index--) {
    if (!isNull(items[index] as Item)) continue;
    const next = items[index + 1];
    if (next === undefined || next.type === 'qualifier') items.splice(index, 1);
    else if (next.type === 'list') {
      const first = next.items[0];
      if (first !== undefined && (first.type === 'combination' || first.type === 'qualifier')) items.splice(index, 1);
    }
  }
};

export const parseMaven = (version: string): Item => {
  const text = version.toLowerCase();
  const root: Item[] = [];
  const lists: Item[][] = [root];
  let list = root;
  const openList = (): void => {
    const items: Item[] = [];
    list.push({ type: 'list', items });
    lists.push(items);
    list = items;
  };
  let digits = false;
  let combination = false;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 46) {
      // .
      list.push(index === start ? numberItem('0') : parseItem(combination, digits, text.slice(start, index)));
      combination = false;
      start = index + 1;
    } else if (code === 45) {
      // -
      if (index === start) list.push(numberItem('0'));
      else {
        if (!digits && index !== text.length - 1 && isDigit(text.charCodeAt(index + 1))) {
          // X-1 reads as X1
          combination = true;
          continue;
        }
        list.push(parseItem(combination, digits, text.slice(start, index)));
      }
      start = index + 1;
      if (list.length > 0) openList();
      combination = false;
    } else if (isDigit(code)) {
      if (!digits && index > start) {
        combination = true;
        if (list.length > 0) openList();
      }
      digits = true;
    } else {
      if (digits && index > start) {
        list.push(parseItem(combination, true, text.slice(start, index)));
        start = index;
        openList();
        combination = false;
      }
      digits = false;
    }
  }
  if (text.length > start) {
    // 1.0.0.X1 < 1.0.0-X2: a trailing .X reads as -X
    if (!digits && list.length > 0) openList();
    list.push(parseItem(combination, digits, text.slice(start)));
  }
  for (let index = lists.length - 1; index >= 0; index--) normalise(lists[index] as Item[]);
  return { type: 'list', items: root };
};

/** Compares an item with another or with the padding (`undefined`) of a shorter list. */
const compareItem = (item: Item, other: Item | undefined): Ordering => {
  switch (item.type) {
    case 'number':
      if (other === undefined) return item.value === 0n ? 0 : 1;
      if (other.type === 'number') return item.value < other.value ? -1 : item.value > other.value ? 1 : 0;
      return 1;
    case 'qualifier':
      if (other === undefined) return compareStrings(qualifierRank(item.value), RELEASE_RANK);
      if (other.type === 'qualifier') return compareStrings(qualifierRank(item.value), qualifierRank(other.value));
      if (other.type === 'combination') return compareStrings(qualifierRank(item.value), qualifierRank(other.qualifier)) || -1;
      return -1;
    case 'combination':
      if (other === undefined) return compareStrings(qualifierRank(item.qualifier), RELEASE_RANK);
      if (other.type === 'qualifier') return compareStrings(qualifierRank(item.qualifier), qualifierRank(other.value)) || 1;
      if (other.type === 'combination') {
        return (
          compareStrings(qualifierRank(item.qualifier), qualifierRank(other.qualifier)) ||
          (item.number < other.number ? -1 : item.number > other.number ? 1 : 0)
        );
      }
      return -1;
    case 'list':
      if (other === undefined) {
        for (const child of item.items) {
          const order = compareItem(child, undefined);
          if (order !== 0) return order;
        }
        return 0;
      }
      if (other.type === 'number') return -1;
      if (other.type !== 'list') return 1;
      for (let index = 0; index < Math.max(item.items.length, other.items.length); index++) {
        const left = item.items[index];
        const right = other.items[index];
        const order = left === undefined ? (right === undefined ? 0 : sign(-compareItem(right, undefined))) : compareItem(left, right);
        if (order !== 0) return order;
      }
      return 0;
  }
};

export const compareMaven = (a: string, b: string): Ordering => compareItem(parseMaven(a), parseMaven(b));

/** Maven reads every string as some version; an empty one is the only thing we refuse. */
export const validMaven = (version: string): boolean => version.trim() !== '';
