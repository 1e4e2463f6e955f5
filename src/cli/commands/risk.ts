import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { databaseDirectory, openVulnDb, rankRisk } from '../../app/index.js';
import { ImageSourceError, scanImage } from '../../image/index.js';
import type { ClusterSnapshot, ImageScan } from '../../model/index.js';
import { RISK_FORMATS, RISK_RANKINGS, RISK_RENDERERS, type RiskFormat, type RiskRanking } from '../../report/risk/index.js';
import { imageLookup, type RiskProblem, type ScannedImage } from '../../risk/index.js';
import type { VulnerabilityDatabase } from '../../vulndb/store/index.js';
import { EXIT, KnownError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { writeRendered } from '../write-report.js';
import { policyGate, warnLapsed } from '../policy-gate.js';
import { imageCache, openNamedImage, type ImageScanCliOptions } from './image.js';
import { loadSnapshot } from './manifests.js';

export interface RiskOptions extends Omit<ImageScanCliOptions, 'format'> {
  readonly format: string;
  readonly by?: string;
  readonly top?: string;
  readonly config?: string;
  readonly quiet?: boolean;
  readonly images?: readonly string[];
  readonly imageScans?: readonly string[];
  /** Scan every image the workloads run, from its registry. */
  readonly scanImages?: boolean;
}

/** `reference=name`: the name workloads use for a local image; the last `=` splits, as names hold none. */
const splitNamed = (entry: string): { readonly source: string; readonly name?: string } => {
  const equals = entry.lastIndexOf('=');
  if (equals <= 0 || equals === entry.length - 1) return { source: entry };
  return { source: entry.slice(0, equals), name: entry.slice(equals + 1) };
};

const MAX_SCAN_FILE = 512 * 1024 * 1024;

/** A `kubeward image scan --format json` report read back: checked for the fields ranking needs. */
const readScanReport = async (file: string, io: Io): Promise<ImageScan> => {
  const path = resolve(io.cwd, file);
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
  if (typeof report !== 'object' || report === null || typeof image?.digest !== 'string' || !Array.isArray(report.packages) || !Array.isArray(report.vulnerabilities)) {
    throw new KnownError(`--image-scans ${file} is not a Kubeward image scan report (image.digest, packages and vulnerabilities are missing)`, 'give the output of kubeward image scan --format json');
  }
  return { image: { ...image, layers: image.layers ?? [], history: image.history ?? [], exposedPorts: image.exposedPorts ?? [], env: image.env ?? [], labels: image.labels ?? {} } as ImageScan['image'], ...(report.os ? { os: report.os } : {}), packages: report.packages, vulnerabilities: report.vulnerabilities, problems: report.problems ?? [] };
};

const SCAN_CONCURRENCY = 3;

/**
 * Scans `--images` and, with `--scan-images`, every image the workloads run that no scan covers
 * yet (the vulnerability database unless --no-vulnerabilities), and reads `--image-scans`. An
 * image the workloads run that cannot be scanned is a problem, not a failure: the rest is ranked.
 */
const gatherImages = async (options: RiskOptions, snapshot: ClusterSnapshot, io: Io): Promise<{ images: ScannedImage[]; problems: RiskProblem[] }> => {
  const images: ScannedImage[] = [];
  const problems: RiskProblem[] = [];
  for (const entry of options.imageScans ?? []) {
    const { source, name } = splitNamed(entry);
    const scan = await readScanReport(source, io);
    images.push({ name: name ?? scan.image.source, scan });
  }
  if ((options.images ?? []).length === 0 && !options.scanImages) return { images, problems };
  let database: VulnerabilityDatabase | undefined;
  if (options.vulnerabilities !== false) {
    database = openVulnDb(databaseDirectory(options.db, io.env, io.cwd), 'or rank without vulnerabilities: --no-vulnerabilities');
  }
  const cache = imageCache({ ...options, format: 'json' }, io);
  const scanOne = async (source: string): Promise<{ scan: ImageScan; name?: string }> => {
    const image = await openNamedImage(source, { ...options, format: 'json' }, io);
    try {
      const scan = await scanImage(image, {
        ...(database ? { advisories: database } : {}),
        ...(cache ? { cache, warn: (message: string) => io.stderr(`kubeward: warning: ${message}\n`) } : {}),
        ...(options.quiet ? {} : { progress: (message: string) => io.stderr(`kubeward: ${source}: ${message}\n`) }),
      });
      return { scan, ...(image.name ? { name: image.name } : {}) };
    } catch (error) {
      if (error instanceof ImageSourceError) throw new KnownError(error.message, error.hint);
      throw error;
    }
  };
  try {
    for (const entry of options.images ?? []) {
      const { source, name } = splitNamed(entry);
      const scanned = await scanOne(source);
      images.push({ name: name ?? scanned.name ?? source, scan: scanned.scan });
    }
    if (options.scanImages) {
      const covered = imageLookup(images);
      const pending = [...new Set(snapshot.workloads.flatMap((workload) => workload.pod.containers.filter((container) => container.type !== 'ephemeral').map((container) => container.image)).filter((image) => !covered(image)).map((image) => image.full))].sort();
      if (!options.quiet) io.stderr(`kubeward: scanning ${pending.length} images the workloads run\n`);
      // A few at a time: registries answer in parallel, and each scan holds only its current layer.
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < pending.length) {
          const reference = pending[next++] as string;
          try {
            images.push({ name: reference, scan: (await scanOne(reference)).scan });
          } catch (error) {
            if (!(error instanceof KnownError)) throw error;
            problems.push({ object: `image ${reference}`, message: `not scanned: ${error.message}` });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(SCAN_CONCURRENCY, pending.length) }, worker));
    }
  } finally {
    database?.close();
  }
  return { images, problems };
};

/** `kubeward risk <inputs>`: workloads, images or vulnerabilities ranked by risk in their Kubernetes context, with the reasons. */
export const runRisk = async (inputs: readonly string[], options: RiskOptions, io: Io): Promise<number> => {
  if (!(RISK_FORMATS as readonly string[]).includes(options.format)) throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use ${RISK_FORMATS.join(', ')}`);
  const by = (options.by ?? 'workload') as RiskRanking;
  if (!RISK_RANKINGS.includes(by)) throw new UsageError(`--by must be one of ${RISK_RANKINGS.join(', ')}`);
  if (inputs.length === 0) throw new UsageError('nothing to rank: give manifest files or directories', 'kubeward risk examples/');
  const top = options.top === undefined ? undefined : Number(options.top);
  if (top !== undefined && (!Number.isInteger(top) || top < 1)) throw new UsageError('--top must be a whole number above 0');
  const set = await policyGate({ policies: [], enable: [], disable: [], only: [], builtinPolicies: true, quiet: options.quiet ?? false, ...(options.config ? { config: options.config } : {}) }, io);
  const { snapshot, error } = await loadSnapshot(inputs, {}, io);
  const { images, problems } = await gatherImages(options, snapshot, io);
  const { report, lapsed } = rankRisk({ set, snapshot, images, problems, by, top, now: io.now(), version: io.version });
  if (!options.quiet) {
    warnLapsed(lapsed, io);
    for (const problem of report.problems) io.stderr(`kubeward: warning: ${problem.object}: ${problem.message}\n`);
  }
  if (by === 'cve' && images.length === 0 && !options.quiet) io.stderr('kubeward: no image scans to rank vulnerabilities from: give --images or --image-scans\n');
  await writeRendered(RISK_RENDERERS[options.format as RiskFormat].render(report), undefined, io);
  return error ? EXIT.error : EXIT.clean;
};
