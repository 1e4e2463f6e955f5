/** A version string the scheme cannot read. Matching counts these per source instead of failing. */
export class InvalidVersionError extends Error {
  constructor(
    readonly scheme: string,
    readonly version: string,
    readonly reason: string,
  ) {
    super(`invalid ${scheme} version ${JSON.stringify(version)}: ${reason}`);
    this.name = 'InvalidVersionError';
  }
}

export type Ordering = -1 | 0 | 1;

/** A `valid` test from a parser that throws `InvalidVersionError`. */
export const validBy =
  (parse: (version: string) => unknown) =>
  (version: string): boolean => {
    try {
      parse(version);
      return true;
    } catch {
      return false;
    }
  };

export const sign = (value: number): Ordering => (value < 0 ? -1 : value > 0 ? 1 : 0);

/** Compares digit strings as unbounded integers, so 20-digit snapshot timestamps stay exact. */
export const compareDigits = (a: string, b: string): Ordering => {
  let i = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  let j = 0;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const lengthA = a.length - i;
  const lengthB = b.length - j;
  if (lengthA !== lengthB) return lengthA < lengthB ? -1 : 1;
  for (; i < a.length; i++, j++) {
    const difference = a.charCodeAt(i) - b.charCodeAt(j);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return 0;
};

export const isDigit = (code: number): boolean => code >= 48 && code <= 57;
export const isAsciiLetter = (code: number): boolean => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
