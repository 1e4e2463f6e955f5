import type { InputProblem, KubeObject } from '../model/index.js';
import { normaliseDocument } from './normalise.js';
import type { SourceIndex } from './sources.js';
import { locatePaths, type Position } from './locator.js';
import { DEFAULT_YAML_LIMITS, parseYamlStream, type ParsedDocument, type YamlLimits } from './yaml.js';

export interface ManifestOptions {
  /** The namespace objects without `metadata.namespace` land in. */
  readonly defaultNamespace: string;
  readonly limits: YamlLimits;
}

export const DEFAULT_MANIFEST_OPTIONS: ManifestOptions = { defaultNamespace: 'default', limits: DEFAULT_YAML_LIMITS };

export interface ReadManifest {
  readonly objects: KubeObject[];
  readonly problems: InputProblem[];
  readonly documents: number;
}

/**
 * Turns the text of one manifest file (YAML or JSON, multi-document, Lists, Helm output) into
 * model objects, recording in `sources` where each came from. Pure: the caller reads the file.
 */
/**
 * Positions of a document's root and, for a List, of all its items: found in one pass over the
 * document the first time an item is asked for.
 */
const listItemPositions = (document: ParsedDocument): ((path: string) => Position | undefined) => {
  let items: Map<string, Position | undefined> | undefined;
  return (path) => {
    if (path === '') return document.content;
    if (!items) {
      const count = Array.isArray((document.value as { items?: unknown }).items) ? (document.value as { items: unknown[] }).items.length : 0;
      const paths = Array.from({ length: count }, (_, index) => `items[${index}]`);
      const positions = locatePaths(document.text, document.startLine - 1, paths);
      items = new Map(paths.map((itemPath, index) => [itemPath, positions[index]]));
    }
    return items.get(path);
  };
};

export const readManifest = (text: string, file: string, options: ManifestOptions, sources?: SourceIndex): ReadManifest => {
  const objects: KubeObject[] = [];
  const problems: InputProblem[] = [];
  const documents = parseYamlStream(text, options.limits);
  for (const document of documents) {
    if (document.error) {
      problems.push({ ...document.error, file, level: 'error' });
      continue;
    }
    const lineShift = document.helmSource?.line ?? 0;
    const result = normaliseDocument(document.value, {
      file,
      documentIndex: document.index,
      defaultNamespace: options.defaultNamespace,
      ...(document.helmSource ? { helmSource: document.helmSource } : {}),
      position: listItemPositions(document),
    });
    problems.push(...result.problems);
    // Sources keep the text only: holding the parsed document would keep every manifest body alive.
    const text = { text: document.text, startLine: document.startLine };
    result.objects.forEach((object, index) => {
      sources?.register(object, {
        document: text,
        basePath: result.paths[index] ?? '',
        file: document.helmSource?.path ?? file,
        lineShift,
      });
      objects.push(object);
    });
  }
  return { objects, problems, documents: documents.length };
};
