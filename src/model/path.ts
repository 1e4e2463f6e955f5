/**
 * JSON paths as findings print them: `spec.template.spec.containers[0].securityContext`,
 * with keys that are not plain identifiers quoted: `metadata.annotations["kubeward.io/ignore"]`.
 */
export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

export const formatPath = (segments: readonly PathSegment[]): string => {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
};

/** Appends segments to an already formatted path. */
export const joinPath = (base: string, ...segments: readonly PathSegment[]): string => {
  const tail = formatPath(segments);
  if (base === '') return tail;
  if (tail === '') return base;
  return tail.startsWith('[') ? base + tail : `${base}.${tail}`;
};

export const parsePath = (path: string): PathSegment[] => {
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < path.length) {
    const char = path[i];
    if (char === '.') {
      i++;
    } else if (char === '[') {
      if (path[i + 1] === '"') {
        // A JSON string literal: find its closing quote, honouring escapes.
        let j = i + 2;
        while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
        segments.push(JSON.parse(path.slice(i + 1, j + 1)) as string);
        i = j + 2;
      } else {
        const close = path.indexOf(']', i);
        const end = close < 0 ? path.length : close;
        segments.push(Number(path.slice(i + 1, end)));
        i = end + 1;
      }
    } else {
      let j = i;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      segments.push(path.slice(i, j));
      i = j;
    }
  }
  return segments;
};
