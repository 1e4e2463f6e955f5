import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  hostPlatform,
  ImageScanCache,
  ImageSourceError,
  openImage,
  parsePlatform,
  scanDirectory,
  scanImage as scanOpenedImage,
  type ImageScanStore,
  type RegistryOptions,
} from '../image/index.js';
import type { ImageScan } from '../model/index.js';
import { readSbom } from '../sbom/index.js';
import { matchPackages, PurlError } from '../vulndb/index.js';
import type { VulnerabilityDatabase } from '../vulndb/store/index.js';
import { KnownError } from './errors.js';

/** Where image scans are cached: the caller's choice, $KUBEWARD_CACHE_DIR, else $XDG_CACHE_HOME/kubeward/images; none when turned off. */
export const openImageCache = (options: {
  readonly chosen?: string | undefined;
  readonly disabled?: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly version: string;
}): ImageScanStore | undefined => {
  const { env } = options;
  if (options.disabled || (env.KUBEWARD_NO_CACHE ?? '') !== '') return undefined;
  const chosen = options.chosen ?? env.KUBEWARD_CACHE_DIR;
  const directory = chosen ? resolve(options.cwd, chosen) : join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'kubeward', 'images');
  return new ImageScanCache(directory, options.version);
};

export interface ScanImageOptions {
  /** Local paths (OCI layouts, archives) are read relative to it. */
  readonly cwd: string;
  /** `os/arch[/variant]` of a multi-platform image; the host's when absent. */
  readonly platform?: string | undefined;
  readonly registry?: RegistryOptions;
  /** Packages are matched against it when given. */
  readonly advisories?: VulnerabilityDatabase | undefined;
  readonly cache?: ImageScanStore | undefined;
  readonly progress?: (message: string) => void;
  readonly warn?: (message: string) => void;
}

/** A source's failure (unreachable registry, unreadable archive) as a one-line error with its hint. */
const known = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ImageSourceError) throw new KnownError(error.message, error.hint);
    throw error;
  }
};

/**
 * `image scan`: the packages and vulnerabilities of the image a reference names (a registry
 * reference, an OCI layout, a docker or OCI archive), read once and cached by manifest digest.
 * `name` is the image's name when the source knows one (registry references, tagged archives).
 */
export const scanImage = (reference: string, options: ScanImageOptions): Promise<{ readonly scan: ImageScan; readonly name?: string }> =>
  known(async () => {
    const platform = options.platform ? parsePlatform(options.platform) : hostPlatform(process.arch);
    const image = await openImage(reference, { cwd: options.cwd, platform, registry: options.registry ?? {} });
    const scan = await scanOpenedImage(image, {
      ...(options.advisories ? { advisories: options.advisories } : {}),
      ...(options.cache ? { cache: options.cache } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.warn ? { warn: options.warn } : {}),
    });
    return { scan, ...(image.name ? { name: image.name } : {}) };
  });

/** `fs scan`: the packages and vulnerabilities of a root filesystem in a directory. */
export const scanFilesystem = (directory: string, options: Pick<ScanImageOptions, 'cwd' | 'advisories'>): Promise<ImageScan> =>
  known(async () => {
    const root = resolve(options.cwd, directory);
    const isDirectory = await stat(root).then(
      (info) => info.isDirectory(),
      () => false,
    );
    if (!isDirectory)
      throw new KnownError(
        `${directory} is not a directory`,
        'give a root filesystem directory (kubeward fs scan /), or use kubeward image scan for images and archives',
      );
    return scanDirectory(root, { ...(options.advisories ? { advisories: options.advisories } : {}), display: directory });
  });

/** What `sbom scan` read: the scan of the SBOM's packages, and how much of the document was usable. */
export interface SbomScan {
  readonly scan: ImageScan;
  readonly format: string;
  readonly withoutPurl: number;
  readonly unreadable: number;
}

/** `sbom scan`: the vulnerabilities of the packages an existing CycloneDX, SPDX or Kubeward JSON document lists. */
export const scanSbom = async (file: string, options: { readonly cwd: string; readonly advisories: VulnerabilityDatabase }): Promise<SbomScan> => {
  let text: string;
  try {
    text = await readFile(resolve(options.cwd, file), 'utf8');
  } catch (error) {
    throw new KnownError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let sbom;
  try {
    sbom = readSbom(text, file);
  } catch (error) {
    if (error instanceof PurlError) throw new KnownError(error.message, 'give a CycloneDX or SPDX JSON document');
    throw error;
  }
  const { matches, problems } = matchPackages(sbom.packages, options.advisories);
  const scan: ImageScan = {
    image: { source: file, digest: `${sbom.format} SBOM`, mediaType: sbom.format, exposedPorts: [], env: [], labels: {}, layers: [], history: [] },
    packages: sbom.packages.map((pkg) => ({ ...pkg, cataloger: `${sbom.format.toLowerCase()}-sbom`, path: file })),
    vulnerabilities: matches,
    problems: [
      ...sbom.skipped.map((entry) => ({ code: 'catalog' as const, message: `${entry.purl}: ${entry.reason}` })),
      ...problems.map((problem) => ({ code: 'catalog' as const, message: problem.message })),
    ],
  };
  return { scan, format: sbom.format, withoutPurl: sbom.withoutPurl, unreadable: sbom.skipped.length };
};

const MAX_SCAN_FILE = 512 * 1024 * 1024;

/** A `kubeward image scan --format json` report read back, checked for the fields ranking needs. */
export const readImageScanReport = async (file: string, cwd: string): Promise<ImageScan> => {
  const path = resolve(cwd, file);
  let text: string;
  try {
    // Measured before reading: a huge file is refused without being loaded.
    if ((await stat(path)).size > MAX_SCAN_FILE) throw new KnownError(`--image-scans ${file} is larger than 512 MiB; refused`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof KnownError) throw error;
    throw new KnownError(`cannot read --image-scans ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new KnownError(`--image-scans ${file} is not JSON: ${(error as Error).message}`, 'give the output of kubeward image scan --format json');
  }
  const report = data as Partial<ImageScan> & { schemaVersion?: unknown };
  const image = report.image as Partial<ImageScan['image']> | undefined;
  if (
    typeof report !== 'object' ||
    report === null ||
    typeof image?.digest !== 'string' ||
    !Array.isArray(report.packages) ||
    !Array.isArray(report.vulnerabilities)
  ) {
    throw new KnownError(
      `--image-scans ${file} is not a Kubeward image scan report (image.digest, packages and vulnerabilities are missing)`,
      'give the output of kubeward image scan --format json',
    );
  }
  return {
    image: {
      ...image,
      layers: image.layers ?? [],
      history: image.history ?? [],
      exposedPorts: image.exposedPorts ?? [],
      env: image.env ?? [],
      labels: image.labels ?? {},
    } as ImageScan['image'],
    ...(report.os ? { os: report.os } : {}),
    packages: report.packages,
    vulnerabilities: report.vulnerabilities,
    problems: report.problems ?? [],
  };
};
