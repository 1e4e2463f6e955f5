/**
 * Minimal glob matching for path excludes: `**` spans directories, `*` and `?` stay within one
 * path segment. A pattern without a slash matches a file or directory name at any depth.
 */
const toRegExp = (pattern: string): RegExp => {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          source += '(?:.*/)?';
        } else source += '.*';
      } else source += '[^/]*';
    } else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const anchored = pattern.includes('/') ? `^${source.replace(/^\\?\.\//, '')}` : `(?:^|/)${source}`;
  return new RegExp(`${anchored}(?:/.*)?$`);
};

export const compileGlobs = (patterns: readonly string[]): ((path: string) => boolean) => {
  const expressions = patterns.map(toRegExp);
  return (path) => expressions.some((expression) => expression.test(path));
};
