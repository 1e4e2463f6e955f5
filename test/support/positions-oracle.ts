import jsYaml from 'js-yaml';
import { formatPath, type PathSegment } from '../../src/model/index.js';

/**
 * The reference for DocumentLocator: positions as the YAML parser itself reports them, taken
 * from js-yaml's node events while it builds the value. Too slow for scans (it records every
 * node of every document); exact, so tests compare the locator with it.
 */
export const parserPositions = (text: string, firstLine: number): { value: unknown; positions: Map<string, { line: number; column: number }> } => {
  interface Frame {
    readonly line: number;
    readonly column: number;
    readonly values: unknown[];
    readonly spots: { line: number; column: number }[];
  }
  const records = new Map<object, { self: { line: number; column: number }; children: Map<PathSegment, { line: number; column: number }> }>();
  const stack: Frame[] = [];
  const listener = (event: 'open' | 'close', state: jsYaml.State): void => {
    if (event === 'open') {
      stack.push({ line: firstLine + state.line + 1, column: state.position - state.lineStart + 1, values: [], spots: [] });
      return;
    }
    const frame = stack.pop() as Frame;
    const result: unknown = state.result;
    if (typeof result === 'object' && result !== null && !records.has(result)) {
      const children = new Map<PathSegment, { line: number; column: number }>();
      if (Array.isArray(result)) frame.spots.forEach((spot, index) => children.set(index, spot));
      else {
        // Keys arrive as nodes, each followed by its value's node unless the value is empty.
        let cursor = 0;
        for (const key of Object.keys(result)) {
          const found = frame.values.findIndex((value, index) => index >= cursor && value === key);
          if (found < 0) continue;
          children.set(key, frame.spots[found] as { line: number; column: number });
          cursor = found + 1;
          if (frame.values[cursor] === (result as Record<string, unknown>)[key]) cursor++;
        }
      }
      records.set(result, { self: { line: frame.line, column: frame.column }, children });
    }
    const parent = stack[stack.length - 1];
    parent?.values.push(result);
    parent?.spots.push({ line: frame.line, column: frame.column });
  };
  const value = jsYaml.load(text, { listener });
  const positions = new Map<string, { line: number; column: number }>();
  const walk = (node: unknown, path: PathSegment[], at: { line: number; column: number }): void => {
    positions.set(formatPath(path), at);
    if (typeof node !== 'object' || node === null) return;
    const record = records.get(node);
    for (const [key, child] of Array.isArray(node) ? node.entries() : Object.entries(node)) {
      walk(child, [...path, key], record?.children.get(key) ?? at);
    }
  };
  walk(value, [], records.get(value as object)?.self ?? { line: firstLine + 1, column: 1 });
  return { value, positions };
};
