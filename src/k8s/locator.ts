import { parsePath, type PathSegment } from '../model/index.js';

/** Line and column (1-based) in the file. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A trie of the paths asked for: the scanner follows it and records positions only on its nodes. */
interface PathNode {
  position?: Position;
  readonly children: Map<PathSegment, PathNode>;
}

const newNode = (): PathNode => ({ children: new Map() });

/**
 * Finds where JSON paths sit in the text of one YAML document without parsing it again: a
 * single pass over the block structure (indentation, `- ` entries, `key:` pairs) and the flow
 * collections on the way. Only the nodes on the requested paths are recorded, so locating the
 * findings of a document costs one read of its lines.
 *
 * It reads the shapes Kubernetes manifests use. Where it meets something it does not model
 * (complex keys, multi-line flow keys), the paths below it are not recorded and the answer
 * falls back to the nearest recorded ancestor: a finding may point a few lines early, never at
 * another object. Tests compare its answers with the positions the YAML parser reports.
 */
export const locatePaths = (text: string, firstLine: number, paths: readonly (string | readonly PathSegment[])[]): (Position | undefined)[] => {
  const root = newNode();
  const segmentLists = paths.map((path) => (typeof path === 'string' ? parsePath(path) : path));
  for (const segments of segmentLists) {
    let node = root;
    for (const segment of segments) {
      let child = node.children.get(segment);
      if (!child) node.children.set(segment, (child = newNode()));
      node = child;
    }
  }
  new Scanner(text, firstLine, root).run();
  return segmentLists.map((segments) => {
    let node: PathNode | undefined = root;
    let best = root.position;
    for (const segment of segments) {
      node = node.children.get(segment);
      if (!node) break;
      if (node.position) best = node.position;
    }
    return best;
  });
};

/** One-path convenience over `locatePaths`. */
export const locatePath = (text: string, firstLine: number, path: string | readonly PathSegment[]): Position | undefined =>
  locatePaths(text, firstLine, [path])[0];

interface Frame {
  /** Column (0-based) of the keys of a mapping, or of the dashes of a sequence. */
  readonly indent: number;
  readonly kind: 'map' | 'seq';
  /** The trie node of the collection, or undefined when no requested path goes through it. */
  readonly node: PathNode | undefined;
  next: number;
}

const isSpace = (char: string | undefined): boolean => char === ' ' || char === '\t';
const child = (node: PathNode | undefined, segment: PathSegment): PathNode | undefined => node?.children.get(segment);

class Scanner {
  readonly #lines: string[];
  readonly #firstLine: number;
  readonly #root: PathNode;
  #stack: Frame[] = [];
  /** A key (or `-`) whose value starts on a later line, and the column it sits at. */
  #pending: { node: PathNode | undefined; indent: number; unrecorded?: boolean } | undefined;
  #row = 0;

  constructor(text: string, firstLine: number, root: PathNode) {
    this.#lines = text.split('\n');
    this.#firstLine = firstLine;
    this.#root = root;
  }

  #record(node: PathNode | undefined, column: number, row = this.#row): void {
    if (node && !node.position) node.position = { line: this.#firstLine + row + 1, column: column + 1 };
  }

  run(): void {
    const lines = this.#lines;
    for (this.#row = 0; this.#row < lines.length; this.#row++) {
      let line = lines[this.#row] as string;
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      let column = 0;
      while (isSpace(line[column])) column++;
      if (column >= line.length || line[column] === '#') continue;
      if (this.#unwanted(line, column)) continue;
      if (column === 0 && (line.startsWith('---') || line.startsWith('...') || line.startsWith('%'))) {
        const rest = line.slice(3);
        if (line.startsWith('---') && /\S/.test(rest) && !rest.trimStart().startsWith('#')) {
          // `--- {a: 1}` or `--- |`: the root starts on the marker line.
          let start = 3;
          while (isSpace(line[start])) start++;
          this.#record(this.#root, start);
          this.#value(this.#root, line, 3, -1);
        }
        continue;
      }
      // The root node starts at the first content.
      this.#record(this.#root, column);
      this.#line(line, column);
    }
  }

  /**
   * True for a line inside a collection no requested path goes through: a value waiting on a key
   * nobody asked about, or more entries of a mapping or sequence that is not on any path.
   * Skipping them by indentation alone keeps locating cheap in long documents.
   */
  #unwanted(line: string, column: number): boolean {
    const isDash = line[column] === '-' && (isSpace(line[column + 1]) || column + 1 === line.length);
    const pending = this.#pending;
    if (pending) return pending.node === undefined && (column > pending.indent || (isDash && column === pending.indent));
    const top = this.#stack[this.#stack.length - 1];
    if (!top || top.node !== undefined) return false;
    if (top.kind === 'map') return column >= top.indent;
    return column > top.indent || (isDash && column === top.indent);
  }

  /** Closes frames the line's indentation ends, keeping the frame this line continues. */
  #popTo(column: number, isDash: boolean): void {
    while (this.#stack.length > 0) {
      const top = this.#stack[this.#stack.length - 1] as Frame;
      if (top.indent > column) this.#stack.pop();
      else if (top.indent === column && top.kind === 'seq' && !isDash) this.#stack.pop();
      else break;
    }
  }

  #line(line: string, start: number): void {
    let column = start;
    const isDash = line[column] === '-' && (isSpace(line[column + 1]) || column + 1 === line.length);
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending && column > pending.indent) {
      // A nested block begins: its parent is the key waiting for a value.
      if (pending.unrecorded) this.#record(pending.node, column);
      this.#stack.push({ indent: column, kind: isDash ? 'seq' : 'map', node: pending.node, next: 0 });
    } else if (pending && isDash && column === pending.indent) {
      // `key:` followed by `- item` at the key's own indentation.
      this.#stack.push({ indent: column, kind: 'seq', node: pending.node, next: 0 });
    } else {
      this.#popTo(column, isDash);
    }
    // Sequence entries, possibly nested on one line: `- - a` or `- name: x`.
    while (line[column] === '-' && (isSpace(line[column + 1]) || column + 1 === line.length)) {
      let frame = this.#stack[this.#stack.length - 1];
      if (!frame || frame.kind !== 'seq' || frame.indent !== column) {
        // A dash not announced by a key: a sequence inside the current item (`- - a`) or the root.
        frame = { indent: column, kind: 'seq', node: frame ? frame.node : this.#root, next: 0 };
        this.#stack.push(frame);
      }
      const item = child(frame.node, frame.next++);
      column++;
      while (isSpace(line[column])) column++;
      if (column >= line.length || line[column] === '#') {
        // `-` alone on its line: the item is the block that follows.
        this.#pending = { node: item, indent: frame.indent, unrecorded: true };
        return;
      }
      this.#record(item, column);
      if (line[column] === '-' && (isSpace(line[column + 1]) || column + 1 === line.length)) {
        this.#stack.push({ indent: column, kind: 'seq', node: item, next: 0 });
        continue;
      }
      this.#entry(line, column, item, true);
      return;
    }
    const top = this.#stack[this.#stack.length - 1];
    this.#entry(line, column, top ? top.node : this.#root, top === undefined || top.indent !== column || top.kind !== 'map');
  }

  /** A mapping entry `key: value` or a bare value at `column`; `owner` is the node it belongs to. */
  #entry(line: string, column: number, owner: PathNode | undefined, opensMapping: boolean): void {
    const key = this.#key(line, column);
    if (!key) {
      this.#value(owner, line, column, -1);
      return;
    }
    if (opensMapping) {
      const top = this.#stack[this.#stack.length - 1];
      if (!(top && top.kind === 'map' && top.indent === column)) this.#stack.push({ indent: column, kind: 'map', node: owner, next: 0 });
    }
    const node = child(owner, key.name);
    this.#record(node, column);
    this.#value(node, line, key.end, column);
  }

  /** Reads `key:` at `column`: plain, single- or double-quoted. */
  #key(line: string, column: number): { name: string; end: number } | undefined {
    const first = line[column];
    if (first === '"' || first === "'") {
      const close = this.#closingQuote(line, column);
      if (close < 0 || line[close + 1] !== ':' || !(isSpace(line[close + 2]) || close + 2 === line.length)) return undefined;
      return { name: unquote(line.slice(column, close + 1)), end: close + 2 };
    }
    if (first === '{' || first === '[' || first === '?' || first === '|' || first === '>' || first === '*') return undefined;
    for (let index = column; index < line.length; index++) {
      if (line[index] === ':' && (isSpace(line[index + 1]) || index + 1 === line.length)) {
        return { name: line.slice(column, index).trimEnd(), end: index + 1 };
      }
      if (line[index] === '#' && isSpace(line[index - 1])) return undefined;
    }
    return undefined;
  }

  #closingQuote(line: string, open: number): number {
    const quote = line[open];
    for (let index = open + 1; index < line.length; index++) {
      if (quote === '"' && line[index] === '\\') index++;
      else if (line[index] === quote) {
        if (quote === "'" && line[index + 1] === "'") index++;
        else return index;
      }
    }
    return -1;
  }

  #currentIndent(): number {
    return this.#stack[this.#stack.length - 1]?.indent ?? -1;
  }

  /** What follows a key (or a dash): nothing (a block follows), a flow collection, a block scalar or a scalar. */
  #value(node: PathNode | undefined, line: string, from: number, keyColumn: number): void {
    let column = from;
    while (isSpace(line[column])) column++;
    // Anchors and tags prefix the value: `&defaults`, `!!str`.
    while (line[column] === '&' || line[column] === '!') {
      while (column < line.length && !isSpace(line[column])) column++;
      while (isSpace(line[column])) column++;
    }
    const char = line[column];
    if (column >= line.length || char === '#') {
      this.#pending = { node, indent: keyColumn < 0 ? this.#currentIndent() : keyColumn };
      return;
    }
    if (char === '{' || char === '[') {
      this.#flow(node, column);
      return;
    }
    if (char === '|' || char === '>') {
      this.#skipMoreIndented(keyColumn < 0 ? this.#currentIndent() : keyColumn);
      return;
    }
    if (char === '"' || char === "'") {
      // A quoted scalar may run over several lines.
      let text = line.slice(column);
      while (this.#closingQuote(text, 0) < 0 && this.#row + 1 < this.#lines.length) {
        this.#row++;
        text = `${char}${this.#lines[this.#row] as string}`;
      }
      return;
    }
    // A plain scalar: lines indented deeper than its key continue it.
    if (keyColumn >= 0) this.#skipMoreIndented(keyColumn);
  }

  /** Skips the lines (and blank lines) indented deeper than `indent`: block scalars and scalar continuations. */
  #skipMoreIndented(indent: number): void {
    while (this.#row + 1 < this.#lines.length) {
      const next = this.#lines[this.#row + 1] as string;
      let column = 0;
      while (isSpace(next[column])) column++;
      if (column < next.length && column <= indent) return;
      this.#row++;
    }
  }

  /** Walks a flow collection starting at `column`, which may span lines. */
  #flow(start: PathNode | undefined, column: number): void {
    const lines = this.#lines;
    const state = { row: this.#row, column };
    const peek = (): string | undefined => {
      for (;;) {
        const text = lines[state.row];
        if (text === undefined) return undefined;
        while (isSpace(text[state.column])) state.column++;
        if (state.column < text.length && text[state.column] !== '#' && text[state.column] !== '\r') return text[state.column];
        state.row++;
        state.column = 0;
      }
    };
    const scalarEnd = (): void => {
      const char = peek();
      const text = lines[state.row] as string;
      if (char === '"' || char === "'") {
        const close = this.#closingQuote(text, state.column);
        state.column = close < 0 ? text.length : close + 1;
        return;
      }
      // Plain scalars end at `,`, `]`, `}` or `: `; a colon inside (`http://x`) does not end them.
      while (state.column < text.length && !',]}'.includes(text[state.column] as string)) {
        if (text[state.column] === ':' && (isSpace(text[state.column + 1]) || ',]}'.includes(text[state.column + 1] ?? ','))) break;
        state.column++;
      }
    };
    const node = (at: PathNode | undefined): void => {
      const char = peek();
      if (char === '{') mapping(at);
      else if (char === '[') sequence(at);
      else scalarEnd();
    };
    const mapping = (at: PathNode | undefined): void => {
      state.column++; // {
      for (;;) {
        const char = peek();
        if (char === undefined) return;
        if (char === '}') {
          state.column++;
          return;
        }
        if (char === ',') {
          state.column++;
          continue;
        }
        const keyRow = state.row;
        const keyColumn = state.column;
        const text = lines[state.row] as string;
        let name: string;
        if (char === '"' || char === "'") {
          const close = this.#closingQuote(text, state.column);
          name = unquote(text.slice(state.column, close + 1));
          state.column = close + 1;
        } else {
          const begin = state.column;
          while (state.column < text.length && !',}'.includes(text[state.column] as string)) {
            if (text[state.column] === ':' && (isSpace(text[state.column + 1]) || ',}'.includes(text[state.column + 1] ?? ','))) break;
            state.column++;
          }
          name = text.slice(begin, state.column).trim();
        }
        const keyNode = child(at, name);
        this.#record(keyNode, keyColumn, keyRow);
        if (peek() === ':') {
          state.column++;
          const after = peek();
          if (after !== ',' && after !== '}') node(keyNode);
        }
      }
    };
    const sequence = (at: PathNode | undefined): void => {
      state.column++; // [
      let index = 0;
      for (;;) {
        const char = peek();
        if (char === undefined) return;
        if (char === ']') {
          state.column++;
          return;
        }
        if (char === ',') {
          state.column++;
          continue;
        }
        const item = child(at, index++);
        this.#record(item, state.column, state.row);
        node(item);
      }
    };
    node(start);
    this.#row = state.row;
  }
}

/** The value of a quoted YAML key or scalar. */
const unquote = (quoted: string): string => {
  if (quoted.startsWith("'")) return quoted.slice(1, -1).replace(/''/g, "'");
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
};
