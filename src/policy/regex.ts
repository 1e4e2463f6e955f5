import { setFlagsFromString } from 'node:v8';

/*
 * Policy regular expressions come from users and from StackRox exports, written for RE2, whose
 * matching time is linear in the input. V8's backtracking engine is not: `(a+)+b` against 28
 * characters takes seconds, and in the admission webhook it would hold every request. V8 has a
 * linear-time engine of its own; with these flags a match that backtracks too much is re-run on
 * it (ordinary matches keep the fast engine), and the `l` flag tells at compile time whether a
 * pattern can run there at all. Flags are process-wide and take effect at once.
 */
setFlagsFromString('--enable-experimental-regexp-engine');
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

const isLetter = (char: string): boolean => char.toLowerCase() !== char.toUpperCase();
const swapCase = (char: string): string => (char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase());

/** The length of the escape sequence starting at `at` (a backslash), copied as it is. */
const escapeLength = (source: string, at: number): number => {
  const next = source[at + 1];
  if (next === undefined) return 1;
  if ((next === 'p' || next === 'P' || next === 'k') && (source[at + 2] === '{' || source[at + 2] === '<')) {
    const close = source.indexOf(source[at + 2] === '{' ? '}' : '>', at + 3);
    return close < 0 ? 2 : close - at + 1;
  }
  if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(at + 2, at + 6))) return 6;
  if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(source.slice(at + 2, at + 4))) return 4;
  if (next === 'c' && /^[A-Za-z]$/.test(source[at + 2] ?? '')) return 3;
  return 2;
};

/**
 * The same pattern, case-insensitive by construction: each letter `a` becomes `[aA]`, and a
 * character class gains the other case of its letters and letter ranges. V8's linear engine does
 * not run the `i` flag, and values are matched ignoring case, as in StackRox.
 */
export const foldCase = (source: string): string => {
  let out = '';
  let index = 0;
  while (index < source.length) {
    const char = source[index] as string;
    if (char === '\\') {
      const length = escapeLength(source, index);
      out += source.slice(index, index + length);
      index += length;
    } else if (char === '(' && source[index + 1] === '?') {
      // Group prefixes (`(?:`, `(?=`, `(?<name>`) are syntax, not text.
      const named = /^\(\?<[A-Za-z_$][\w$]*>/.exec(source.slice(index))?.[0];
      const prefix =
        named ?? (source.startsWith('(?<=', index) || source.startsWith('(?<!', index) ? source.slice(index, index + 4) : source.slice(index, index + 3));
      out += prefix;
      index += prefix.length;
    } else if (char === '{') {
      const quantifier = /^\{\d+(?:,\d*)?\}/.exec(source.slice(index))?.[0];
      out += quantifier ?? char;
      index += quantifier?.length ?? 1;
    } else if (char === '[') {
      let body = '';
      let extra = '';
      index++;
      if (source[index] === '^') {
        body += '^';
        index++;
      }
      while (index < source.length && source[index] !== ']') {
        const member = source[index] as string;
        if (member === '\\') {
          const length = escapeLength(source, index);
          body += source.slice(index, index + length);
          index += length;
          continue;
        }
        const end = source[index + 2];
        if (source[index + 1] === '-' && end !== undefined && end !== ']' && end !== '\\') {
          body += source.slice(index, index + 3);
          // a-z gains A-Z; a range across cases (A-z) already holds both.
          if (isLetter(member) && isLetter(end) && (member === member.toLowerCase()) === (end === end.toLowerCase()))
            extra += `${swapCase(member)}-${swapCase(end)}`;
          index += 3;
          continue;
        }
        body += member;
        if (isLetter(member)) extra += swapCase(member);
        index++;
      }
      out += `[${body}${extra}]`;
      index++;
    } else {
      out += isLetter(char) && swapCase(char).length === 1 ? `[${char}${swapCase(char)}]` : char;
      index++;
    }
  }
  return out;
};

/**
 * A policy value as a regular expression over the whole value, optionally ignoring case,
 * refused (with the reason) when it cannot run in linear time: backreferences and lookarounds,
 * which RE2 does not have either. A leading RE2 `(?i)` (StackRox exports carry it) is dropped:
 * values are matched ignoring case anyway.
 */
export const policyRegExp = (pattern: string, ignoreCase: boolean): RegExp | string => {
  const body = ignoreCase ? pattern.replace(/^\(\?i\)/, '') : pattern;
  const source = ignoreCase ? foldCase(`^(?:${body})$`) : `^(?:${body})$`;
  try {
    // `l` (linear) exists once the flag above is set; eslint does not know it.
    // eslint-disable-next-line no-invalid-regexp
    new RegExp(source, 'l');
  } catch (error) {
    const message = (error as Error).message;
    if (!/linear time/.test(message)) {
      try {
        new RegExp(`^(?:${body})$`);
      } catch (original) {
        return (original as Error).message;
      }
      return message;
    }
    return `${JSON.stringify(pattern)} uses a construct that cannot run in linear time (a backreference or lookaround, which RE2 lacks too); policies must match in linear time`;
  }
  return new RegExp(source);
};
