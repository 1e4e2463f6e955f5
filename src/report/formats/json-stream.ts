/** An array whose elements are made one at a time as they are written (SARIF results from findings). */
export class LazyArray<T> {
  constructor(
    readonly length: number,
    readonly items: () => Iterable<T>,
  ) {}
}

/** Arrays longer than this are written element by element rather than as one string. */
const STREAM_AT = 32;

const indent = (depth: number): string => '  '.repeat(depth);

/** Elements stringified in one native call. */
const BATCH = 32;

/**
 * Array elements as `JSON.stringify(array, null, 2)` would write them at `depth`, each on its own
 * indented lines and separated by `,\n`: the array is nested in `depth - 1` outer arrays so the
 * native indentation is already right, and the outer brackets (a known number of characters:
 * a bracket, a newline and the indent of each level) are cut off.
 */
const stringifyElements = (elements: readonly unknown[], depth: number): string => {
  let wrapped: unknown = elements;
  for (let level = 1; level < depth; level++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  const cut = depth * (depth + 1);
  return text.slice(cut, text.length - cut);
};

/** Whether a value holds (within a few levels) a lazy or large array worth writing piece by piece. */
const needsStreaming = (value: unknown, levels: number): boolean => {
  if (value instanceof LazyArray) return true;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    if (value.length >= STREAM_AT) return true;
    return levels > 0 && value.some((item) => needsStreaming(item, levels - 1));
  }
  return levels > 0 && Object.values(value).some((item) => needsStreaming(item, levels - 1));
};

/**
 * Yields the same text as `JSON.stringify(value, null, 2)`, in pieces: large arrays come out an
 * element at a time, so a report with tens of thousands of findings never exists as one string.
 */
export function* prettyJson(value: unknown, depth = 0): Generator<string> {
  if (value instanceof LazyArray) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[\n';
    let index = 0;
    for (const item of value.items()) {
      yield indent(depth + 1);
      yield* prettyJson(item, depth + 1);
      yield ++index < value.length ? ',\n' : '\n';
    }
    yield `${indent(depth)}]`;
    return;
  }
  if (Array.isArray(value) && needsStreaming(value, 3)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[\n';
    let index = 0;
    while (index < value.length) {
      const item: unknown = value[index];
      if (needsStreaming(item, 2)) {
        yield indent(depth + 1);
        yield* prettyJson(item, depth + 1);
        index++;
      } else {
        // Runs of small elements go through one native JSON.stringify, which writes them far
        // faster than a call (and a re-indent) per element.
        let end = index + 1;
        while (end < value.length && end - index < BATCH && !needsStreaming(value[end], 2)) end++;
        yield stringifyElements(value.slice(index, end), depth + 1);
        index = end;
      }
      yield index < value.length ? ',\n' : '\n';
    }
    yield `${indent(depth)}]`;
    return;
  }
  if (typeof value === 'object' && value !== null && needsStreaming(value, 3)) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined && typeof item !== 'function');
    if (entries.length === 0) {
      yield '{}';
      return;
    }
    yield '{\n';
    for (let index = 0; index < entries.length; index++) {
      const [key, item] = entries[index] as [string, unknown];
      yield `${indent(depth + 1)}${JSON.stringify(key)}: `;
      yield* prettyJson(item, depth + 1);
      yield index < entries.length - 1 ? ',\n' : '\n';
    }
    yield `${indent(depth)}}`;
    return;
  }
  const text = JSON.stringify(value, null, 2);
  yield depth === 0 ? text : text.replace(/\n/g, `\n${indent(depth)}`);
}
