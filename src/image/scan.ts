import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import type { ImageMetadata, ImageProblem, ImageScan, InstalledPackage } from '../model/index.js';
import { matchPackages, type AdvisorySource } from '../vulndb/index.js';
import { CATALOGERS, type Cataloger, type CatalogHelpers, type FileView } from './catalog/index.js';
import { compressionOf, decompress } from './decompress.js';
import type { ImageScanStore } from './scan-store.js';
import { ImageFilesystem, type CapturePolicy } from './filesystem.js';
import { detectOs, OS_FILES } from './os.js';
import { formatPlatform } from './sources/resolve.js';
import { ImageSourceError, LAYER_MEDIA_TYPES, type ResolvedImage } from './sources/types.js';
import { verifyingStream } from './sources/verify.js';

export interface ImageScanLimits {
  /** Largest uncompressed layer (a decompression bomb stops here). */
  readonly maxLayerBytes: number;
  /** Largest file whose content a cataloger reads (package databases, Java archives, executables). */
  readonly maxFileBytes: number;
  /** Largest package metadata file (package.json, METADATA, lockfiles, gemspecs): these are kilobytes. */
  readonly maxMetadataFileBytes?: number;
  /** What all files read for cataloguing may hold together, over every layer. */
  readonly maxCapturedBytes?: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageScanLimits = {
  maxLayerBytes: 16 * 1024 * 1024 * 1024,
  maxFileBytes: 256 * 1024 * 1024,
  maxMetadataFileBytes: 32 * 1024 * 1024,
  maxCapturedBytes: 1024 * 1024 * 1024,
};

/** Files catalogers read that are databases or archives, and may be large; every other wanted file is package metadata. */
const LARGE_CAPTURES =
  /(?:\.(?:jar|war|ear|jpi|hpi)|\/rpm\/(?:Packages|Packages\.db|rpmdb\.sqlite(?:-wal)?)|\/var\/lib\/dpkg\/status|\/lib\/apk\/db\/installed)$/i;

export interface ImageScanOptions {
  readonly limits?: ImageScanLimits;
  readonly catalogers?: readonly Cataloger[];
  /** When given, packages are matched against it. */
  readonly advisories?: AdvisorySource;
  readonly progress?: (message: string) => void;
  /** Earlier scans by manifest digest: a hit reads no layers. */
  readonly cache?: ImageScanStore;
  /** Things worth saying that do not fail the scan (a cache that cannot be written). */
  readonly warn?: (message: string) => void;
}

/** Reads the first chunk of a stream and puts it back, to tell the compression by its magic bytes. */
const peek = (stream: Readable): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const done = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', reject);
    };
    const onData = (chunk: Buffer): void => {
      stream.pause();
      done();
      stream.unshift(chunk);
      resolve(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(Buffer.alloc(0));
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', reject);
  });

/**
 * SQLite databases found in an image (the rpm database) are opened read-only from a private
 * temporary directory, so their write-ahead log applies; the directory is removed at once.
 */
const CATALOG_HELPERS: CatalogHelpers = {
  async sqliteBlobs(files, query) {
    const directory = await mkdtemp(join(tmpdir(), 'kubeward-sqlite-'));
    try {
      await writeFile(join(directory, 'db.sqlite'), files.main);
      if (files.wal) await writeFile(join(directory, 'db.sqlite-wal'), files.wal);
      const database = new Database(join(directory, 'db.sqlite'), { readonly: !files.wal, fileMustExist: true });
      try {
        return (database.prepare(query).raw().all() as unknown[][]).map((row) => row[0]).filter((value): value is Buffer => Buffer.isBuffer(value));
      } finally {
        database.close();
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  },
};

/** The image config's answers to what BUILD-stage policies ask: user, ports, env, labels, history. */
export const imageMetadata = (image: ResolvedImage): ImageMetadata => {
  const config = image.config.config ?? {};
  const history = (image.config.history ?? []).map((step) => ({
    createdBy: step.created_by ?? '',
    emptyLayer: step.empty_layer === true,
    ...(step.created ? { created: step.created } : {}),
  }));
  const layerSteps = history.filter((step) => !step.emptyLayer);
  const platform =
    image.platform ??
    (image.config.os && image.config.architecture
      ? { os: image.config.os, architecture: image.config.architecture, ...(image.config.variant ? { variant: image.config.variant } : {}) }
      : undefined);
  return {
    source: image.source,
    digest: image.manifestDigest,
    mediaType: image.manifestMediaType,
    ...(platform ? { platform } : {}),
    ...(image.config.created ? { created: image.config.created } : {}),
    ...(config.User ? { user: config.User } : {}),
    exposedPorts: Object.keys(config.ExposedPorts ?? {}).sort(),
    env: [...(config.Env ?? [])],
    labels: { ...(config.Labels ?? {}) },
    ...(config.Entrypoint ? { entrypoint: [...config.Entrypoint] } : {}),
    ...(config.Cmd ? { cmd: [...config.Cmd] } : {}),
    ...(config.WorkingDir ? { workingDir: config.WorkingDir } : {}),
    layers: image.manifest.layers.map((layer, index) => {
      const diffId = image.config.rootfs?.diff_ids[index];
      const createdBy = layerSteps.length === image.manifest.layers.length ? layerSteps[index]?.createdBy : undefined;
      return { digest: layer.digest, mediaType: layer.mediaType, size: layer.size, ...(diffId ? { diffId } : {}), ...(createdBy ? { createdBy } : {}) };
    }),
    history,
  };
};

const viewOf = (filesystem: ImageFilesystem): FileView => ({
  read: (path) => filesystem.read(path),
  versions: (path) => filesystem.history.get(filesystem.resolve(path) ?? path) ?? [],
  capturedPaths: () => [...filesystem.nodes()].filter((node) => node.content !== undefined && node.type === 'file').map((node) => node.path),
  layerOf: (path) => filesystem.node(filesystem.resolve(path) ?? path)?.layer,
});

/** Which files' contents to keep while reading an image or a directory: what catalogers and probes ask for. */
const capturePolicy = (catalogers: readonly Cataloger[], limits: ImageScanLimits): CapturePolicy => {
  const probes = catalogers.flatMap((cataloger) => (cataloger.probe ? [cataloger.probe] : []));
  const byPath = (path: string): boolean => OS_FILES.includes(path) || catalogers.some((cataloger) => cataloger.wants(path));
  return {
    // Probes skip files too large to read rather than report them: most large executables are no Go programs.
    wants: (path: string, size: number, mode: number) => byPath(path) || (size <= limits.maxFileBytes && probes.some((probe) => probe.wants(path, size, mode))),
    // A file wanted by path is kept whole; one picked by a probe only as its summary.
    reduce: (path: string, content: Buffer, mode: number) => {
      if (byPath(path)) return content;
      for (const probe of probes)
        if (probe.wants(path, content.length, mode)) {
          const summary = probe.reduce(content);
          if (summary) return summary;
        }
      return undefined;
    },
    maxBytes: limits.maxFileBytes,
    // Probes (executables) and databases may be large; metadata files by path are small by nature.
    maxBytesFor: (path: string) => (byPath(path) && !LARGE_CAPTURES.test(path) ? (limits.maxMetadataFileBytes ?? limits.maxFileBytes) : limits.maxFileBytes),
    ...(limits.maxCapturedBytes === undefined ? {} : { maxTotalBytes: limits.maxCapturedBytes }),
  };
};

/**
 * Scans a resolved image: streams every layer once (verified against its digest, decompressed
 * within limits), stacks them, detects the OS, runs the catalogers, and matches the packages.
 * Problems inside the image (unsafe paths, files too large) are reported in the result; a layer
 * that is corrupt or does not match its digest fails the scan.
 */
export const scanImage = async (image: ResolvedImage, options: ImageScanOptions = {}): Promise<ImageScan> => {
  const cached = await options.cache?.get(image.manifestDigest);
  if (cached) {
    options.progress?.(`${image.manifestDigest.slice(0, 19)} scanned before: packages from the cache`);
    const vulnerabilities = options.advisories ? matchPackages(cached.packages, options.advisories).matches : [];
    return { ...cached, image: imageMetadata(image), vulnerabilities };
  }
  const scan = await readImage(image, options);
  try {
    await options.cache?.put(scan);
  } catch (error) {
    // A read-only home (CI containers, pods) must not fail a scan that has succeeded.
    options.warn?.(`the scan could not be cached (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); use --cache-dir or --no-cache`);
  }
  return scan;
};

const readImage = async (image: ResolvedImage, options: ImageScanOptions): Promise<ImageScan> => {
  const limits = options.limits ?? DEFAULT_IMAGE_LIMITS;
  const catalogers = options.catalogers ?? CATALOGERS;
  const filesystem = new ImageFilesystem();
  const problems: ImageProblem[] = [];
  const capture = capturePolicy(catalogers, limits);
  for (const [index, layer] of image.manifest.layers.entries()) {
    if (!LAYER_MEDIA_TYPES.has(layer.mediaType) && !layer.mediaType.startsWith('application/vnd.oci.image.layer.')) {
      problems.push({
        code: 'unknown-media-type',
        layer: layer.digest,
        message: `layer ${index + 1} (${layer.digest}) has media type ${layer.mediaType}, which is not a filesystem layer; skipped`,
      });
      continue;
    }
    options.progress?.(`layer ${index + 1}/${image.manifest.layers.length} ${layer.digest.slice(0, 19)} (${(layer.size / 1024 / 1024).toFixed(1)} MB)`);
    const stream = await image.openLayer(layer);
    // A small layer can be read to its end, and fail its digest check, while we only peek at it:
    // keep that error for the pipeline built next.
    let early: Error | undefined;
    stream.on('error', (error: Error) => (early ??= error));
    try {
      const head = await peek(stream);
      let output = decompress(stream, compressionOf(layer.mediaType, head), limits.maxLayerBytes);
      if (early) output.destroy(early);
      const diffId = image.diffIdChecks?.get(layer.digest);
      if (diffId !== undefined) {
        const check = verifyingStream(diffId, undefined, `${image.source}: layer ${index + 1} uncompressed (the config's diff_id)`);
        output.on('error', (error) => check.destroy(error));
        output = output.pipe(check);
      }
      await filesystem.addLayer(output, index, layer.digest, capture);
    } catch (error) {
      if (error instanceof ImageSourceError) throw error;
      throw new ImageSourceError(`${image.source}: layer ${index + 1} (${layer.digest}) cannot be read: ${(error as Error).message}`);
    }
  }
  const found = await catalogFilesystem(
    filesystem,
    catalogers,
    image.manifest.layers.map((layer) => layer.digest),
    options,
  );
  return { image: imageMetadata(image), ...found, problems: [...problems, ...found.problems] };
};

/** Detects the OS, runs the catalogers over a stacked filesystem and matches what they found. */
const catalogFilesystem = async (
  filesystem: ImageFilesystem,
  catalogers: readonly Cataloger[],
  layerDigests: readonly string[],
  options: ImageScanOptions,
): Promise<Omit<ImageScan, 'image'>> => {
  const problems: ImageProblem[] = [...filesystem.problems];
  const view = viewOf(filesystem);
  const os = detectOs(view.read);
  const packages: InstalledPackage[] = [];
  for (const cataloger of catalogers) {
    let result;
    try {
      result = await cataloger.catalog(view, os, CATALOG_HELPERS);
    } catch (error) {
      // A cataloger that trips over a file it cannot read costs its own packages, never the scan.
      problems.push({ code: 'catalog', message: `the ${cataloger.name} cataloger failed: ${(error as Error).message}; its packages are missing` });
      continue;
    }
    problems.push(...result.problems);
    for (const draft of result.packages) {
      const layer = draft.layerIndex === undefined ? undefined : layerDigests[draft.layerIndex];
      packages.push({ ...draft, ...(layer ? { layer } : {}) });
    }
  }
  const vulnerabilities = options.advisories ? matchPackages(packages, options.advisories).matches : [];
  return { ...(os ? { os } : {}), packages, vulnerabilities, problems };
};

/**
 * Scans a root filesystem in a directory (`kubeward fs scan /`, a mounted image, a build
 * context) with the image catalogers: the directory is read as if it were one layer. Symbolic
 * links stay inside it; `/proc`, `/sys` and `/dev` of a scanned `/` are skipped.
 */
export const scanDirectory = async (root: string, options: ImageScanOptions & { readonly display?: string } = {}): Promise<ImageScan> => {
  const limits = options.limits ?? DEFAULT_IMAGE_LIMITS;
  const catalogers = options.catalogers ?? CATALOGERS;
  const filesystem = new ImageFilesystem();
  try {
    await filesystem.addDirectory(root, capturePolicy(catalogers, limits), root === '/' ? ['/proc', '/sys', '/dev'] : []);
  } catch (error) {
    throw new ImageSourceError((error as Error).message);
  }
  const found = await catalogFilesystem(filesystem, catalogers, [], options);
  const image: ImageMetadata = {
    source: options.display ?? root,
    digest: 'directory',
    mediaType: 'inode/directory',
    exposedPorts: [],
    env: [],
    labels: {},
    layers: [],
    history: [],
  };
  return { image, ...found };
};

export { formatPlatform };
