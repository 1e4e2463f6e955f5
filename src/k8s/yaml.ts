import jsYaml from 'js-yaml';
import type { Position } from './locator.js';

/** Limits that keep hostile input from exhausting memory or stack. */
export interface YamlLimits {
  /** Largest single YAML document, in bytes of text. A `kubectl get -A -o yaml` List is one document. */
  readonly maxDocumentBytes: number;
  /** Largest number of nodes that aliases may add when the document is expanded (billion-laughs defence). */
  readonly maxAliasExpansion: number;
  /**
   * Largest number of characters aliases may add: one big scalar aliased many times adds few
   * nodes but a report (and memory) many times the document's size.
   */
  readonly maxAliasExpansionBytes: number;
  readonly maxDepth: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = {
  maxDocumentBytes: 64 * 1024 * 1024,
  maxAliasExpansion: 100_000,
  maxAliasExpansionBytes: 16 * 1024 * 1024,
  maxDepth: 200,
};

export type ParseErrorCode = 'syntax' | 'too-large' | 'alias-bomb' | 'too-deep';

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
  /** Where the document's content (its root node) starts. */
  readonly content: Position;
  /** Path and 1-based line of a Helm `# Source:` comment, when the document carries one. */
  readonly helmSource?: { readonly path: string; readonly line: number };
  /** The document's text, kept so positions can be found later for the documents that need them. */
  readonly text: string;
  readonly value?: unknown;
  readonly error?: DocumentError;
}

/**
 * YAML 1.2 core types plus merge keys (`<<: *defaults`), which Kubernetes' decoder accepts.
 * No timestamp, binary or set types: the API server reads those as plain strings, and testing
 * every scalar against the timestamp pattern is a measurable part of parsing time.
 */
const SCHEMA = jsYaml.CORE_SCHEMA.extend({ implicit: [(jsYaml as unknown as { types: { merge: jsYaml.Type } }).types.merge] });

const HELM_SOURCE = /^#\s*Source:\s*(\S.*?)\s*$/;
const CONTENT = /^[ \t]*[^\s#]/;
/** An alias (`*name`) outside quotes is likely; only then is the expansion check worth running. */
const ALIAS = /(?:^|[\s[{,:-])\*[^\s,[\]{}]/m;

interface Chunk {
  readonly text: string;
  /** 0-based line of the chunk's first line in the file. */
  readonly firstLine: number;
  readonly content: Position;
  readonly helmSource?: { readonly path: string; readonly line: number };
}

const MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;

const countLines = (text: string, from: number, to: number): number => {
  let count = 0;
  for (let index = text.indexOf('\n', from); index !== -1 && index < to; index = text.indexOf('\n', index + 1)) count++;
  return count;
};

/**
 * Splits a YAML stream into documents at `---` and `...` markers, so one broken document
 * never hides the others. Chunks holding only comments and blank lines are dropped. Chunks
 * are slices of the text (no copying); only their first lines are looked at here.
 */
const splitDocuments = (text: string): Chunk[] => {
  const chunks: Chunk[] = [];
  let start = 0;
  let startLine = 0;
  const flush = (end: number, nextStart: number): void => {
    let helmSource: { path: string; line: number } | undefined;
    let content: Position | undefined;
    let line = startLine;
    for (let offset = start; offset < end && !content; line++) {
      const newline = text.indexOf('\n', offset);
      const lineEnd = newline === -1 || newline > end ? end : newline;
      const lineText = text.slice(offset, lineEnd);
      if (offset === start && lineText.startsWith('---')) {
        // `--- |` or `--- {a: 1}` carry content on the marker line itself.
        const match = CONTENT.exec(lineText.slice(3));
        if (match) content = { line: line + 1, column: 3 + match[0].length };
      } else {
        const source = HELM_SOURCE.exec(lineText);
        if (source?.[1]) helmSource = { path: source[1], line: line + 1 };
        else {
          const match = CONTENT.exec(lineText);
          if (match && !lineText.startsWith('%')) content = { line: line + 1, column: match[0].length };
        }
      }
      offset = lineEnd + 1;
    }
    if (content) chunks.push({ text: text.slice(start, end), firstLine: startLine, content, ...(helmSource ? { helmSource } : {}) });
    startLine += countLines(text, start, nextStart);
    start = nextStart;
  };
  MARKER.lastIndex = 0;
  for (let match = MARKER.exec(text); match; match = MARKER.exec(text)) {
    const at = match.index;
    if (match[0] === '---') {
      if (at > start) flush(at, at);
    } else {
      // `...` ends the document; the next one starts on the following line.
      const newline = text.indexOf('\n', at);
      flush(at, newline === -1 ? text.length : newline + 1);
    }
  }
  if (start < text.length) flush(text.length, text.length);
  return chunks;
};

/**
 * Nodes a value has once every alias is copied out, nodes it really holds, and the characters
 * of its keys and scalars once expanded; stops counting past the limits.
 */
const aliasExpansion = (value: unknown, limit: number, byteLimit: number): { expanded: number; unique: number; bytes: number } => {
  const sizes = new Map<object, { nodes: number; bytes: number }>();
  const size = (node: unknown): { nodes: number; bytes: number } => {
    if (typeof node === 'string') return { nodes: 1, bytes: node.length };
    if (typeof node !== 'object' || node === null) return { nodes: 1, bytes: 8 };
    const known = sizes.get(node);
    if (known !== undefined) return known;
    sizes.set(node, { nodes: limit + 1, bytes: byteLimit + 1 }); // a cycle counts as unbounded
    let nodes = 1;
    let bytes = 0;
    const isArray = Array.isArray(node);
    for (const key of isArray ? [] : Object.keys(node)) bytes += key.length;
    for (const child of isArray ? node : Object.values(node)) {
      const inner = size(child);
      nodes += inner.nodes;
      bytes += inner.bytes;
      if (nodes > limit || bytes > byteLimit) break;
    }
    const total = { nodes, bytes };
    sizes.set(node, total);
    return total;
  };
  const { nodes: expanded, bytes } = size(value);
  let unique = 0;
  for (const node of sizes.keys()) unique += 1 + (Array.isArray(node) ? node.length : Object.keys(node).length);
  return { expanded, unique, bytes };
};

/** Longer strings are hashed by their length alone by V8: as mapping keys they make js-yaml's parse quadratic. */
const MAX_KEY_LENGTH = 16_384;
const BLOCK_KEY = /^[ \t]*(?:-[ \t]+)*(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"{}[\],][^#]*?))[ \t]*:(?:[ \t]|$)/;
const FLOW_KEY = /"((?:[^"\\]|\\.){16385,})"[ \t]*:/;

/**
 * A mapping key too long to parse safely, found in the text before parsing (only lines longer
 * than the limit are looked at, so long values such as base64 Secrets cost one length check).
 */
const longMappingKey = (text: string): { length: number; line: number } | undefined => {
  if (text.length <= MAX_KEY_LENGTH) return undefined;
  let line = 0;
  for (let start = 0; start < text.length; line++) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    if (end - start > MAX_KEY_LENGTH) {
      const content = text.slice(start, end);
      const block = BLOCK_KEY.exec(content);
      const key = block ? (block[1] ?? block[2] ?? block[3] ?? '') : (FLOW_KEY.exec(content)?.[1] ?? '');
      if (key.length > MAX_KEY_LENGTH) return { length: key.length, line };
    }
    start = end + 1;
  }
  return undefined;
};

const parseChunk = (chunk: Chunk, index: number, limits: YamlLimits): ParsedDocument => {
  const base = {
    index,
    startLine: chunk.firstLine + 1,
    content: chunk.content,
    text: chunk.text,
    ...(chunk.helmSource ? { helmSource: chunk.helmSource } : {}),
  };
  const fail = (code: ParseErrorCode, message: string, line = chunk.content.line, column = 1): ParsedDocument => ({
    ...base,
    error: { code, message, line, column },
  });
  if (chunk.text.length > limits.maxDocumentBytes) {
    return fail('too-large', `document is ${chunk.text.length} bytes, over the ${limits.maxDocumentBytes}-byte limit; split it into smaller documents`);
  }
  const longKey = longMappingKey(chunk.text);
  if (longKey) {
    return fail(
      'too-large',
      `a mapping key of ${longKey.length} characters (Kubernetes keys are at most 317); refused, since keys this long make YAML parsing quadratic`,
      chunk.firstLine + longKey.line + 1,
    );
  }
  let value: unknown;
  let parsedText: string | undefined;
  try {
    value = jsYaml.load(chunk.text, {
      schema: SCHEMA,
      maxDepth: limits.maxDepth,
      // js-yaml parses a copy of the text (it appends a NUL) and every long scalar it returns is
      // a slice of that copy, so the copy lives as long as any such value does. Keeping the copy
      // as the document's text, rather than the file's, holds one copy of the YAML instead of two.
      listener(this: unknown, _event: string, state: { input: string; listener: unknown }) {
        parsedText = state.input;
        state.listener = null;
      },
    } as unknown as jsYaml.LoadOptions);
  } catch (error) {
    if (error instanceof jsYaml.YAMLException) {
      const mark = error.mark as { line?: number; column?: number } | undefined;
      const depth = /maxDepth|nesting/i.test(error.reason ?? '');
      const line = chunk.firstLine + (mark?.line ?? 0) + 1;
      // Errors at the end of a document (an unclosed bracket) are easier to find from its start.
      const where = line > chunk.content.line ? ` (in the document starting at line ${chunk.content.line})` : '';
      return fail(depth ? 'too-deep' : 'syntax', `${error.reason ?? error.message}${where}`, line, (mark?.column ?? 0) + 1);
    }
    if (error instanceof RangeError) return fail('too-deep', 'document is nested too deeply to parse');
    throw error;
  }
  if (chunk.text.includes('*') && ALIAS.test(chunk.text)) {
    const { expanded, unique, bytes } = aliasExpansion(value, 10 * limits.maxAliasExpansion + 1_000_000, chunk.text.length + limits.maxAliasExpansionBytes);
    if (expanded - unique > limits.maxAliasExpansion) {
      return fail('alias-bomb', `YAML aliases would expand this document by more than ${limits.maxAliasExpansion} nodes; refused as an alias bomb`);
    }
    if (bytes - chunk.text.length > limits.maxAliasExpansionBytes) {
      return fail(
        'alias-bomb',
        `YAML aliases would expand this ${chunk.text.length}-character document by more than ${limits.maxAliasExpansionBytes} characters (a large value aliased many times); refused as an alias bomb`,
      );
    }
  }
  // The copy ends in the NUL (and a newline when the text had none) and drops a leading BOM, which would shift columns.
  const text = parsedText !== undefined && chunk.text.charCodeAt(0) !== 0xfeff ? parsedText.slice(0, chunk.text.length) : chunk.text;
  return { ...base, text, value };
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

export type { Position };
