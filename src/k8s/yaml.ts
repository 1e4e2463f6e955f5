import jsYaml from 'js-yaml';
import { parsePath } from '../model/index.js';

/** Limits that keep hostile input from exhausting memory or stack. */
export interface YamlLimits {
  /** Largest single YAML document, in bytes of text. A `kubectl get -A -o yaml` List is one document. */
  readonly maxDocumentBytes: number;
  /** Largest number of nodes that aliases may add when the document is expanded (billion-laughs defence). */
  readonly maxAliasExpansion: number;
  readonly maxDepth: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = {
  maxDocumentBytes: 64 * 1024 * 1024,
  maxAliasExpansion: 100_000,
  maxDepth: 200,
};

export type ParseErrorCode = 'syntax' | 'too-large' | 'alias-bomb' | 'too-deep' | 'not-an-object';

/** A document that could not be read, as data: formatted only at the edge. */
export interface DocumentError {
  readonly code: ParseErrorCode;
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

export interface ParsedDocument {
  /** 0-based index among the non-empty documents of the file. */
  readonly index: number;
  /** 1-based line of the document's first line in the file. */
  readonly startLine: number;
  /** Path and 1-based line of a Helm `# Source:` comment, when the document carries one. */
  readonly helmSource?: { readonly path: string; readonly line: number };
  readonly value?: unknown;
  readonly error?: DocumentError;
}

/** Line and column (1-based) of a node in the text it was parsed from. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * Positions of every mapping and sequence parsed here, keyed by the object itself:
 * [line, column, then line and column of each key (mappings, in Object.keys order) or item (sequences)].
 * A WeakMap, so positions go away with the objects.
 */
const positions = new WeakMap<object, number[]>();

/**
 * Where `path` (e.g. `spec.template.spec.containers[0].securityContext`) sits in the text `root`
 * was parsed from: the deepest part of the path that exists. `undefined` for objects not parsed here.
 */
export const locate = (root: unknown, path: string): Position | undefined => {
  if (typeof root !== 'object' || root === null) return undefined;
  const rootRecord = positions.get(root);
  if (!rootRecord) return undefined;
  let best: Position = { line: rootRecord[0] ?? 1, column: rootRecord[1] ?? 1 };
  let current: unknown = root;
  for (const segment of parsePath(path)) {
    if (typeof current !== 'object' || current === null) break;
    const record = positions.get(current);
    const slot = Array.isArray(current)
      ? typeof segment === 'number'
        ? segment
        : -1
      : Object.keys(current).indexOf(String(segment));
    const line = record?.[2 + 2 * slot];
    if (slot >= 0 && line !== undefined && line > 0) best = { line, column: record?.[3 + 2 * slot] ?? 1 };
    current = (current as Record<string | number, unknown>)[segment];
  }
  return best;
};

interface Frame {
  readonly line: number;
  readonly column: number;
  readonly values: unknown[];
  readonly spots: number[];
}

const DOCUMENT_START = /^---(?:[ \t]|$)/;
const DOCUMENT_END = /^\.\.\.(?:[ \t]|$)/;
const HELM_SOURCE = /^#\s*Source:\s*(\S.*?)\s*$/;
const CONTENT = /^[ \t]*[^\s#]/;

interface Chunk {
  readonly text: string;
  /** 0-based line of the chunk's first line in the file. */
  readonly firstLine: number;
  readonly helmSource?: { readonly path: string; readonly line: number };
}

/**
 * Splits a YAML stream into documents at `---` and `...` markers, so one broken document
 * never hides the others. Chunks holding only comments and blank lines are dropped.
 */
const splitDocuments = (text: string): Chunk[] => {
  const chunks: Chunk[] = [];
  const lines = text.split('\n');
  let start = 0;
  let hasContent = false;
  let helmSource: { path: string; line: number } | undefined;
  const flush = (end: number): void => {
    if (hasContent) {
      chunks.push({
        text: lines.slice(start, end).join('\n'),
        firstLine: start,
        ...(helmSource === undefined ? {} : { helmSource }),
      });
    }
    hasContent = false;
    helmSource = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (DOCUMENT_START.test(line)) {
      flush(i);
      start = i;
      // `--- |` or `--- {a: 1}` carry content on the marker line itself.
      if (CONTENT.test(line.slice(3))) hasContent = true;
    } else if (DOCUMENT_END.test(line)) {
      flush(i);
      start = i + 1;
    } else if (!hasContent) {
      const source = HELM_SOURCE.exec(line);
      if (source?.[1]) helmSource = { path: source[1], line: i + 1 };
      else if (CONTENT.test(line) && !line.startsWith('%')) hasContent = true;
    }
  }
  flush(lines.length);
  return chunks;
};

/** Counts the nodes a value would have if every alias were copied out, stopping past `limit`. */
const expandedSize = (value: unknown, limit: number, memo: Map<object, number>): number => {
  if (typeof value !== 'object' || value === null) return 1;
  const known = memo.get(value);
  if (known !== undefined) return known;
  memo.set(value, limit + 1); // a cycle counts as unbounded
  let total = 1;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    total += expandedSize(child, limit, memo);
    if (total > limit) break;
  }
  memo.set(value, total);
  return total;
};

const parseChunk = (chunk: Chunk, index: number, limits: YamlLimits): ParsedDocument => {
  const base = { index, startLine: chunk.firstLine + 1, ...(chunk.helmSource ? { helmSource: chunk.helmSource } : {}) };
  const fail = (code: ParseErrorCode, message: string, line = chunk.firstLine + 1, column = 1): ParsedDocument => ({
    ...base,
    error: { code, message, line, column },
  });
  if (chunk.text.length > limits.maxDocumentBytes) {
    return fail(
      'too-large',
      `document is ${chunk.text.length} bytes, over the ${limits.maxDocumentBytes}-byte limit; split it or raise the limit`,
    );
  }
  const stack: Frame[] = [];
  let uniqueNodes = 0;
  let aliases = 0;
  const listener = (event: 'open' | 'close', state: jsYaml.State): void => {
    if (event === 'open') {
      stack.push({
        line: chunk.firstLine + state.line + 1,
        column: state.position - state.lineStart + 1,
        values: [],
        spots: [],
      });
      return;
    }
    const frame = stack.pop();
    if (!frame) return;
    const result: unknown = state.result;
    uniqueNodes++;
    if (typeof result === 'object' && result !== null) {
      if (positions.has(result)) aliases++;
      else positions.set(result, recordPositions(result, frame));
    }
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.values.push(result);
      parent.spots.push(frame.line, frame.column);
    }
  };
  let value: unknown;
  try {
    value = jsYaml.load(chunk.text, { listener, maxDepth: limits.maxDepth } as jsYaml.LoadOptions);
  } catch (error) {
    if (error instanceof jsYaml.YAMLException) {
      const mark = error.mark as { line?: number; column?: number } | undefined;
      const depth = /maxDepth|nesting/i.test(error.reason ?? '');
      const line = chunk.firstLine + (mark?.line ?? 0) + 1;
      // Errors at the end of a document (an unclosed bracket) are easier to find from its start.
      const where = line > chunk.firstLine + 1 ? ` (in the document starting at line ${chunk.firstLine + 1})` : '';
      return fail(depth ? 'too-deep' : 'syntax', `${error.reason ?? error.message}${where}`, line, (mark?.column ?? 0) + 1);
    }
    if (error instanceof RangeError) return fail('too-deep', 'document is nested too deeply to parse');
    throw error;
  }
  if (aliases > 0) {
    const limit = uniqueNodes + limits.maxAliasExpansion;
    if (expandedSize(value, limit, new Map()) > limit) {
      return fail(
        'alias-bomb',
        `YAML aliases would expand this document past ${limits.maxAliasExpansion} extra nodes (${aliases} aliases); refused as an alias bomb`,
      );
    }
  }
  return { ...base, value };
};

/** Builds the position record of a finished mapping or sequence from the nodes read inside it. */
const recordPositions = (result: object, frame: Frame): number[] => {
  const record = [frame.line, frame.column];
  if (Array.isArray(result)) {
    // Sequence items arrive in order, one node each.
    for (let i = 0; i < result.length; i++) record.push(frame.spots[2 * i] ?? -1, frame.spots[2 * i + 1] ?? -1);
    return record;
  }
  // Mapping nodes arrive key, value, key, value... but an empty value may produce no node, so keys
  // are matched by content: the next node equal to the key, skipping the key's own value after it.
  const { values, spots } = frame;
  let cursor = 0;
  for (const key of Object.keys(result)) {
    let found = -1;
    for (let j = cursor; j < values.length; j++) {
      if (values[j] === key || (typeof values[j] !== 'object' && String(values[j]) === key)) {
        found = j;
        break;
      }
    }
    if (found < 0) {
      record.push(-1, -1);
      continue;
    }
    record.push(spots[2 * found] ?? -1, spots[2 * found + 1] ?? -1);
    cursor = found + 1;
    const own = (result as Record<string, unknown>)[key];
    if (cursor < values.length && values[cursor] === own) cursor++;
  }
  return record;
};

/**
 * Parses a YAML (or JSON) stream into documents. Never throws for bad input: each broken
 * document comes back with an `error` and the rest are still parsed.
 */
export const parseYamlStream = (text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): ParsedDocument[] => {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const documents: ParsedDocument[] = [];
  for (const chunk of splitDocuments(clean)) {
    const document = parseChunk(chunk, documents.length, limits);
    if (document.error || (document.value !== null && document.value !== undefined)) documents.push(document);
  }
  return documents;
};


