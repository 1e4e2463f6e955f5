import { type Ordering } from './errors.js';

/**
 * Alpine (and Wolfi, Chainguard) package versions as apk-tools 3 orders them:
 * `digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]`. Suffixes `_alpha`, `_beta`, `_pre`
 * and `_rc` come before the plain release, `_cvs`, `_svn`, `_git`, `_hg` and `_p` after it. A
 * dotted component with a leading zero compares as a string (`1.01` < `1.1`), as apk does.
 *
 * Like apk, two versions are compared token by token up to the first difference, so a malformed
 * tail only matters when everything before it is equal; `validApk` says whether a version is
 * well formed.
 */
const enum Token {
  InitialDigit = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNumber = 4,
  CommitHash = 5,
  Revision = 6,
  End = 7,
  Invalid = 8,
}

const SUFFIXES = ['alpha', 'beta', 'pre', 'rc', '', 'cvs', 'svn', 'git', 'hg', 'p'];
/** Index of the plain release among the suffixes: those before it are pre-releases. */
const NO_SUFFIX = 4;

const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const isLower = (code: number): boolean => code >= 97 && code <= 122;
const isHex = (code: number): boolean => isDigit(code) || (code >= 97 && code <= 102);

class Tokens {
  token: Token = Token.InitialDigit;
  /** The token's text (digits, letter, suffix name or hash). */
  text = '';
  number = 0n;
  suffix = -1;
  #index = 0;

  constructor(readonly version: string) {
    this.#digits();
  }

  #digits(): void {
    const start = this.#index;
    while (this.#index < this.version.length && isDigit(this.version.charCodeAt(this.#index))) this.#index++;
    this.text = this.version.slice(start, this.#index);
    if (this.text === '') this.token = Token.Invalid;
    else this.number = BigInt(this.text);
  }

  #span(accept: (code: number) => boolean): string {
    const start = this.#index;
    while (this.#index < this.version.length && accept(this.version.charCodeAt(this.#index))) this.#index++;
    return this.version.slice(start, this.#index);
  }

  next(): void {
    if (this.#index >= this.version.length) {
      this.token = Token.End;
      return;
    }
    const code = this.version.charCodeAt(this.#index);
    if (isLower(code)) {
      if (this.token > Token.Digit) return this.#invalid();
      this.text = this.version[this.#index++] as string;
      this.token = Token.Letter;
    } else if (code === 46 || isDigit(code)) {
      // `.` then digits continue the number list; digits right after a suffix are its number.
      if (code === 46) {
        if (this.token > Token.Digit) return this.#invalid();
        this.#index++;
      }
      if (this.token === Token.InitialDigit || this.token === Token.Digit) this.token = Token.Digit;
      else if (this.token === Token.Suffix) this.token = Token.SuffixNumber;
      else return this.#invalid();
      this.#digits();
    } else if (code === 95) {
      // _suffix
      if (this.token > Token.SuffixNumber) return this.#invalid();
      this.#index++;
      this.text = this.#span(isLower);
      this.suffix = this.text === '' ? -1 : SUFFIXES.indexOf(this.text);
      if (this.suffix < 0 || this.suffix === NO_SUFFIX) return this.#invalid();
      this.token = Token.Suffix;
    } else if (code === 126) {
      // ~commit hash
      if (this.token >= Token.CommitHash) return this.#invalid();
      this.#index++;
      this.text = this.#span(isHex);
      if (this.text === '') return this.#invalid();
      this.token = Token.CommitHash;
    } else if (code === 45) {
      // -rN
      if (this.token >= Token.Revision || this.version.charCodeAt(this.#index + 1) !== 114) return this.#invalid();
      this.#index += 2;
      this.token = Token.Revision;
      this.#digits();
    } else this.#invalid();
  }

  #invalid(): void {
    this.token = Token.Invalid;
  }
}

const compareText = (a: string, b: string): Ordering => (a < b ? -1 : a > b ? 1 : 0);
const compareNumbers = (a: bigint, b: bigint): Ordering => (a < b ? -1 : a > b ? 1 : 0);

/** Compares two tokens of the same kind. */
const compareTokens = (a: Tokens, b: Tokens): Ordering => {
  switch (a.token) {
    case Token.Digit:
      // A component with a leading zero is compared as text: `1.01` < `1.1`, `1.0` < `1.00`.
      if (a.text.startsWith('0') || b.text.startsWith('0')) return compareText(a.text, b.text);
      return compareNumbers(a.number, b.number);
    case Token.InitialDigit:
    case Token.SuffixNumber:
    case Token.Revision:
      return compareNumbers(a.number, b.number);
    case Token.Letter:
      return compareText(a.text, b.text);
    case Token.Suffix:
      return compareNumbers(BigInt(a.suffix), BigInt(b.suffix));
    default:
      return compareText(a.text, b.text);
  }
};

export const compareApk = (a: string, b: string): Ordering => {
  const left = new Tokens(a.trim());
  const right = new Tokens(b.trim());
  while (left.token === right.token && left.token < Token.End) {
    const order = compareTokens(left, right);
    if (order !== 0) return order;
    left.next();
    right.next();
  }
  if (left.token === right.token) return 0;
  // One version goes on: a pre-release suffix makes it older, anything else newer.
  if (left.token === Token.Suffix && left.suffix < NO_SUFFIX) return -1;
  if (right.token === Token.Suffix && right.suffix < NO_SUFFIX) return 1;
  return left.token > right.token ? -1 : 1;
};

export const validApk = (version: string): boolean => {
  const tokens = new Tokens(version.trim());
  while (tokens.token < Token.End) tokens.next();
  return tokens.token === Token.End;
};
