import { execFile } from 'node:child_process';
import { mkdtemp, open, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { FileLocation, InputProblem, KubeObject, ObjectMeta } from '../model/index.js';
import { compileGlobs } from './glob.js';
import { normaliseDocument, type DocumentContext } from './normalise.js';
import { dict, isDict, str } from './values.js';
import { DEFAULT_YAML_LIMITS, locate, parseYamlStream, type ParsedDocument, type YamlLimits } from './yaml.js';

export interface LoadOptions {
  /** Directory paths are reported relative to. */
  readonly cwd: string;
  /** Namespace for namespaced objects that set none (as `kubectl apply -n`). */
  readonly defaultNamespace: string;
  /** Glob patterns (relative to cwd) of files and directories to skip. */
  readonly exclude: readonly string[];
  readonly limits: YamlLimits;
  /** Largest file read, in bytes. */
  readonly maxFileBytes: number;
  /** kubectl binary used to render Kustomize directories. */
  readonly kubectl: string;
  /** Reads standard input when `-` is given. */
  readonly stdin: () => Promise<string>;
}

export const DEFAULT_LOAD_OPTIONS: Omit<LoadOptions, 'cwd' | 'stdin'> = {
  defaultNamespace: 'default',
  exclude: [],
  limits: DEFAULT_YAML_LIMITS,
  maxFileBytes: 256 * 1024 * 1024,
  kubectl: 'kubectl',
};

export interface LoadResult {
  readonly objects: KubeObject[];
  readonly problems: InputProblem[];
  readonly files: number;
  readonly documents: number;
  /** Where a field of a loaded object sits, for findings: the deepest part of `path` found in the source. */
  readonly locate: (object: ObjectMeta, path: string) => FileLocation;
}

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);
const ORIGIN_ANNOTATION = 'config.kubernetes.io/origin';
const BINARY_SNIFF_BYTES = 8000;

/** An object whose positions resolve against another parse (a Kustomize origin file), with that file's name. */
interface PositionOverride {
  readonly root: unknown;
  readonly file: string;
}

/**
 * Reads manifests from files, directories (recursively), stdin and Kustomize directories.
 * Never throws for bad input: every problem is reported with its file and position, and
 * everything else is still loaded.
 */
export const loadInputs = async (inputs: readonly string[], options: LoadOptions): Promise<LoadResult> => {
  const objects: KubeObject[] = [];
  const problems: InputProblem[] = [];
  const overrides = new WeakMap<ObjectMeta, PositionOverride>();
  const excluded = compileGlobs(options.exclude);
  const visitedDirectories = new Set<string>();
  let files = 0;
  let documents = 0;

  const display = (path: string): string => {
    const rel = relative(options.cwd, path);
    return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel.split(sep).join('/');
  };

  const addDocuments = (parsed: ParsedDocument[], file: string): KubeObject[] => {
    const added: KubeObject[] = [];
    for (const document of parsed) {
      documents++;
      if (document.error) {
        problems.push({ ...document.error, file, level: 'error' });
        continue;
      }
      const context: DocumentContext = {
        file,
        documentIndex: document.index,
        defaultNamespace: options.defaultNamespace,
        ...(document.helmSource ? { helmSource: document.helmSource } : {}),
      };
      const result = normaliseDocument(document.value, context);
      problems.push(...result.problems);
      added.push(...result.objects);
    }
    objects.push(...added);
    return added;
  };

  const readText = async (path: string, file: string): Promise<string | undefined> => {
    try {
      const info = await stat(path);
      if (info.size > options.maxFileBytes) {
        problems.push({
          code: 'too-large-file',
          file,
          message: `file is ${info.size} bytes, over the ${options.maxFileBytes}-byte limit; skipped`,
          level: 'error',
        });
        return undefined;
      }
      const handle = await open(path, 'r');
      try {
        const sniff = Buffer.alloc(Math.min(BINARY_SNIFF_BYTES, info.size));
        await handle.read(sniff, 0, sniff.length, 0);
        if (sniff.includes(0)) {
          problems.push({ code: 'binary', file, message: 'binary file (holds NUL bytes); skipped', level: 'error' });
          return undefined;
        }
      } finally {
        await handle.close();
      }
      return await readFile(path, 'utf8');
    } catch (error) {
      problems.push(fileProblem(error, file));
      return undefined;
    }
  };

  const loadFile = async (path: string): Promise<void> => {
    const file = display(path);
    const text = await readText(path, file);
    files++;
    if (text !== undefined) addDocuments(parseYamlStream(text, options.limits), file);
  };

  const loadKustomization = async (directory: string): Promise<void> => {
    const file = display(directory);
    files++;
    const rendered = await renderKustomization(directory, options.kubectl);
    if ('error' in rendered) {
      problems.push({ code: 'kustomize', file, message: rendered.error, level: 'error' });
      return;
    }
    const added = addDocuments(parseYamlStream(rendered.output, options.limits), `${file} (kustomize)`);
    await attachKustomizeOrigins(added, rendered.root, display, overrides, options.limits);
  };

  const walk = async (directory: string): Promise<void> => {
    let real: string;
    try {
      real = await realpath(directory);
    } catch (error) {
      problems.push(fileProblem(error, display(directory)));
      return;
    }
    if (visitedDirectories.has(real)) return; // a symlink loop or a directory reached twice
    visitedDirectories.add(real);
    let entries: string[];
    try {
      entries = (await readdir(directory)).sort();
    } catch (error) {
      problems.push(fileProblem(error, display(directory)));
      return;
    }
    if (entries.some((entry) => KUSTOMIZATION_FILES.includes(entry))) {
      await loadKustomization(directory);
      return;
    }
    for (const entry of entries) {
      const path = join(directory, entry);
      if (excluded(display(path))) continue;
      let info;
      try {
        info = await stat(path);
      } catch (error) {
        problems.push(fileProblem(error, display(path)));
        continue;
      }
      if (info.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry)) await walk(path);
      } else if (info.isFile() && MANIFEST_EXTENSIONS.some((extension) => entry.toLowerCase().endsWith(extension))) {
        await loadFile(path);
      }
    }
  };

  for (const input of inputs) {
    if (input === '-') {
      files++;
      addDocuments(parseYamlStream(await options.stdin(), options.limits), '<stdin>');
      continue;
    }
    const path = resolve(options.cwd, input);
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      problems.push(fileProblem(error, input));
      continue;
    }
    if (info.isDirectory()) await walk(path);
    else await loadFile(path);
  }

  const locateField = (object: ObjectMeta, path: string): FileLocation => {
    const override = overrides.get(object);
    if (override) {
      const position = locate(override.root, path);
      return position ? { file: override.file, ...position } : { file: object.source.file, line: 1, column: 1 };
    }
    const { source } = object;
    const position = locate(object.raw, path);
    if (!position) return { file: source.file, line: source.line, column: source.column };
    // Helm templates: shift by the same offset the object's own line was shifted by.
    const shift = source.rendered ? source.rendered.line - source.line : 0;
    return { file: source.file, line: Math.max(1, position.line - shift), column: position.column };
  };

  return { objects, problems, files, documents, locate: locateField };
};

const fileProblem = (error: unknown, file: string): InputProblem => {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return { code: 'symlink-loop', file, message: 'symbolic link loop; skipped', level: 'error' };
  if (code === 'ENOENT') return { code: 'not-found', file, message: 'no such file or directory', level: 'error' };
  const reason = code === 'EACCES' ? 'permission denied' : (error as Error).message;
  return { code: 'unreadable', file, message: `cannot read: ${reason}`, level: 'error' };
};

type Rendered = { readonly output: string; readonly root: string } | { readonly error: string };

/**
 * Renders a Kustomize directory with `kubectl kustomize`, through a throwaway kustomization
 * that adds origin annotations so each object can be traced back to the file it came from.
 */
const renderKustomization = async (directory: string, kubectl: string): Promise<Rendered> => {
  const wrapper = await mkdtemp(join(tmpdir(), 'kubeward-kustomize-'));
  try {
    await writeFile(
      join(wrapper, 'kustomization.yaml'),
      `resources:\n  - ${JSON.stringify(relative(wrapper, directory))}\nbuildMetadata: [originAnnotations]\n`,
    );
    const output = await new Promise<string>((resolvePromise, reject) => {
      execFile(kubectl, ['kustomize', wrapper], { maxBuffer: 512 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stderr }));
        else resolvePromise(stdout);
      });
    });
    return { output, root: wrapper };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') {
      return {
        error: `Kustomize directory needs kubectl on PATH (not found: ${kubectl}); install kubectl, or pipe rendered output: kubectl kustomize DIR | kubeward scan -`,
      };
    }
    const detail = (failure.stderr ?? failure.message).trim().split('\n').pop() ?? '';
    return { error: `kubectl kustomize failed: ${detail}` };
  } finally {
    await rm(wrapper, { recursive: true, force: true });
  }
};

/**
 * Points each rendered object back at its origin file: finds the document there with the same
 * kind whose name the rendered name contains (kustomize adds prefixes and suffixes), and strips
 * the origin annotation so policies never see it.
 */
const attachKustomizeOrigins = async (
  added: readonly KubeObject[],
  wrapperRoot: string,
  display: (path: string) => string,
  overrides: WeakMap<ObjectMeta, PositionOverride>,
  limits: YamlLimits,
): Promise<void> => {
  const parsedFiles = new Map<string, ParsedDocument[]>();
  for (const object of added) {
    const annotations = object.annotations as Record<string, string>;
    const origin = annotations[ORIGIN_ANNOTATION];
    if (origin === undefined) continue;
    delete annotations[ORIGIN_ANNOTATION];
    const rawAnnotations = dict(dict(object.raw.metadata).annotations) as Record<string, unknown>;
    delete rawAnnotations[ORIGIN_ANNOTATION];
    const originPath = /^path:\s*(.+)$/m.exec(origin)?.[1]?.trim();
    if (originPath === undefined) continue;
    const absolute = resolve(wrapperRoot, originPath);
    let parsed = parsedFiles.get(absolute);
    if (!parsed) {
      parsed = await readFile(absolute, 'utf8').then(
        (text) => parseYamlStream(text, limits),
        () => [],
      );
      parsedFiles.set(absolute, parsed);
    }
    const candidates = parsed.filter((document) => isDict(document.value) && document.value.kind === object.kind);
    const match =
      candidates.find((document) => {
        const name = str(dict((document.value as Record<string, unknown>).metadata).name);
        return name !== undefined && object.name.includes(name);
      }) ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (!match) continue;
    const file = display(absolute);
    overrides.set(object, { root: match.value, file });
    const position = locate(match.value, '') ?? { line: match.startLine, column: 1 };
    (object as { source: ObjectMeta['source'] }).source = {
      file,
      documentIndex: match.index,
      ...position,
      rendered: { file: object.source.file, line: object.source.line },
    };
  }
};
