import { parsePath, type FileLocation, type ObjectMeta, type PathSegment } from '../model/index.js';
import { locatePaths } from './locator.js';

/** The text of one document and the line it starts at: all that locating needs (never its parsed value). */
export interface DocumentText {
  readonly text: string;
  /** 1-based line of the document's first line in its file. */
  readonly startLine: number;
}

/** Where an object was read: its document, its path inside it (`items[3]` in a List) and the file to report. */
export interface DocumentRef {
  readonly document: DocumentText;
  readonly basePath: string;
  /** The file findings name: the file read, a Helm template, a Kustomize origin file. */
  readonly file: string;
  /** Lines to subtract from positions in the document (Helm templates count from their `# Source:` line). */
  readonly lineShift: number;
}

export interface LocateRequest {
  readonly object: ObjectMeta;
  readonly path: string;
}

const fallback = (object: ObjectMeta): FileLocation => ({ file: object.source.file, line: object.source.line, column: object.source.column });

/**
 * Remembers which document each loaded object came from, so that findings can name the line
 * of the offending field. Positions are worked out only for documents that have findings,
 * one pass over each such document for all of its findings.
 */
export class SourceIndex {
  readonly #refs = new WeakMap<object, DocumentRef>();

  register(object: ObjectMeta, ref: DocumentRef): void {
    this.#refs.set(object, ref);
  }

  /** Carries the source of an object over to a copy of it (a lighter one, say). */
  transfer(from: ObjectMeta, to: ObjectMeta): void {
    const ref = this.#refs.get(from);
    if (ref) this.#refs.set(to, ref);
  }

  ref(object: ObjectMeta): DocumentRef | undefined {
    return this.#refs.get(object);
  }

  /** Where each requested field is: the deepest part of its path the document holds. */
  locateAll(requests: readonly LocateRequest[]): FileLocation[] {
    const out: FileLocation[] = requests.map((request) => fallback(request.object));
    const byDocument = new Map<DocumentText, { ref: DocumentRef; indexes: number[]; paths: PathSegment[][] }>();
    requests.forEach((request, index) => {
      const ref = this.#refs.get(request.object);
      if (!ref) return;
      let group = byDocument.get(ref.document);
      if (!group) byDocument.set(ref.document, (group = { ref, indexes: [], paths: [] }));
      group.indexes.push(index);
      group.paths.push([...parsePath(ref.basePath), ...parsePath(request.path)]);
    });
    for (const { ref, indexes, paths } of byDocument.values()) {
      const positions = locatePaths(ref.document.text, ref.document.startLine - 1, paths);
      indexes.forEach((requestIndex, index) => {
        const position = positions[index];
        if (position) out[requestIndex] = { file: ref.file, line: Math.max(1, position.line - ref.lineShift), column: position.column };
      });
    }
    return out;
  }

  locate(object: ObjectMeta, path: string): FileLocation {
    return this.locateAll([{ object, path }])[0] ?? fallback(object);
  }
}
