/**
 * An id or name pattern as policy selection, `ignore:` rules and admission exclusions write it:
 * `*` for any run of characters, `?` for one, everything else literal, the whole value matched.
 */
export const wildcard = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
