import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  databaseDirectory,
  openImageCache,
  openVulnDb,
  scanFilesystem,
  scanImage,
  scanSbom,
  type RegistryOptions,
  type ScanImageOptions,
  type VulnerabilityDatabase,
} from '../../app/index.js';
import { VULNERABILITY_SEVERITIES, vulnerabilitySeverityRank, type ImageScan, type VulnerabilitySeverity } from '../../model/index.js';
import { IMAGE_FORMAT_NAMES, IMAGE_RENDERERS, type ImageFormatName } from '../../report/image/index.js';
import { EXIT, KnownError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { PushFlags } from '../push.js';
import { renderContext, writeRendered } from '../write-report.js';

export interface ImageScanCliOptions extends PushFlags {
  readonly format: string;
  readonly output?: string;
  readonly platform?: string;
  readonly db?: string;
  /** commander's --no-vulnerabilities */
  readonly vulnerabilities: boolean;
  readonly failOn?: string;
  readonly color?: boolean;
  readonly quiet?: boolean;
  readonly insecureRegistry?: boolean;
  readonly registryCa?: string;
  readonly username?: string;
  readonly passwordStdin?: boolean;
  /** commander's --no-cache */
  readonly cache?: boolean;
  readonly cacheDir?: string;
}

const readPasswordFromStdin = async (io: Io): Promise<string> => {
  const chunks: string[] = [];
  let size = 0;
  for await (const chunk of io.readStdin()) {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    size += text.length;
    if (size > 64 * 1024) throw new UsageError('--password-stdin: more than 64 KiB on stdin; give only the password or token');
    chunks.push(text);
  }
  return chunks.join('').replace(/\r?\n$/, '');
};

/**
 * Registry settings from flags and the environment: `--username` with `--password-stdin`, or
 * KUBEWARD_REGISTRY_USERNAME / KUBEWARD_REGISTRY_PASSWORD; otherwise the Docker config answers.
 */
export const registryOptions = async (options: ImageScanCliOptions, io: Io): Promise<RegistryOptions> => {
  const username = options.username ?? io.env.KUBEWARD_REGISTRY_USERNAME;
  let password = io.env.KUBEWARD_REGISTRY_PASSWORD;
  if (options.passwordStdin) {
    if (io.stdinIsTTY)
      throw new UsageError(
        '--password-stdin reads the password from a pipe',
        'e.g. echo "$TOKEN" | kubeward image scan --username me --password-stdin <image>',
      );
    password = await readPasswordFromStdin(io);
  }
  if (password !== undefined && username === undefined)
    throw new UsageError('a registry password needs a user name: add --username (or KUBEWARD_REGISTRY_USERNAME)');
  let ca: Buffer | undefined;
  if (options.registryCa) {
    try {
      ca = await readFile(resolve(io.cwd, options.registryCa));
    } catch (error) {
      throw new KnownError(`cannot read --registry-ca ${options.registryCa}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  const from = options.passwordStdin ? '--username and --password-stdin' : 'KUBEWARD_REGISTRY_USERNAME and KUBEWARD_REGISTRY_PASSWORD';
  return {
    ...(options.insecureRegistry ? { insecure: true } : {}),
    ...(ca ? { ca } : {}),
    ...(username !== undefined && password !== undefined ? { credentials: { username, password, from } } : {}),
  };
};

/** How image scans of a command run: platform, registry, cache and progress from its flags. */
export const imageScanOptions = async (options: ImageScanCliOptions, io: Io, label = ''): Promise<ScanImageOptions> => {
  // Scans are cached in --cache-dir, $KUBEWARD_CACHE_DIR, else $XDG_CACHE_HOME/kubeward/images.
  const cache = openImageCache({ chosen: options.cacheDir, disabled: options.cache === false, env: io.env, cwd: io.cwd, version: io.version });
  return {
    cwd: io.cwd,
    platform: options.platform,
    registry: await registryOptions(options, io),
    ...(cache ? { cache, warn: (message: string) => io.stderr(`kubeward: warning: ${message}\n`) } : {}),
    ...(options.quiet ? {} : { progress: (message: string) => io.stderr(`kubeward: ${label}${message}\n`) }),
  };
};

/** Scans something (an image, a directory) with the database when asked, then renders and decides the exit code. */
const runPackageScan = async (
  options: ImageScanCliOptions,
  io: Io,
  scan: (advisories: VulnerabilityDatabase | undefined) => Promise<ImageScan>,
  push = false,
): Promise<number> => {
  if (!(IMAGE_FORMAT_NAMES as readonly string[]).includes(options.format))
    throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use one of ${IMAGE_FORMAT_NAMES.join(', ')}`);
  const failOn = options.failOn?.toUpperCase() as VulnerabilitySeverity | undefined;
  if (failOn !== undefined && !VULNERABILITY_SEVERITIES.includes(failOn))
    throw new UsageError(`--fail-on must be one of ${VULNERABILITY_SEVERITIES.join(', ')}`);
  let database: VulnerabilityDatabase | undefined;
  if (options.vulnerabilities) {
    database = openVulnDb(databaseDirectory(options.db, io.env, io.cwd), 'or list packages only with --no-vulnerabilities');
  }
  try {
    const started = performance.now();
    const result = await scan(database);
    await writeRendered(
      IMAGE_RENDERERS[options.format as ImageFormatName].render(result, renderContext(io, options, options.format === 'table')),
      options.output,
      io,
    );
    if (!options.quiet) {
      io.stderr(
        `kubeward: ${result.packages.length} packages, ${result.vulnerabilities.length} vulnerabilities, ${result.problems.length} problems in ${((performance.now() - started) / 1000).toFixed(2)}s\n`,
      );
    }
    if (push && options.push) {
      // Central keeps the report `--format json` writes, whatever format was printed here.
      const report: unknown = JSON.parse([IMAGE_RENDERERS.json.render(result, renderContext(io, options, false))].flat().join(''));
      await (await import('../push.js')).pushTo(options.push, options, 'image-scan', report, io);
    }
    if (failOn !== undefined && result.vulnerabilities.some((match) => vulnerabilitySeverityRank(match.severity) >= vulnerabilitySeverityRank(failOn)))
      return EXIT.findings;
    return EXIT.clean;
  } finally {
    database?.close();
  }
};

/** `kubeward image scan <image>`: packages and vulnerabilities of an image. */
export const runImageScan = (reference: string, options: ImageScanCliOptions, io: Io): Promise<number> =>
  runPackageScan(options, io, async (database) => (await scanImage(reference, { ...(await imageScanOptions(options, io)), advisories: database })).scan, true);

/** `kubeward fs scan <dir>`: packages and vulnerabilities of a root filesystem in a directory. */
export const runFsScan = (directory: string, options: ImageScanCliOptions, io: Io): Promise<number> =>
  runPackageScan(options, io, (database) => scanFilesystem(directory, { cwd: io.cwd, advisories: database }));

/** `kubeward sbom scan <sbom>`: the vulnerabilities of the packages an existing SBOM lists. */
export const runSbomScan = async (file: string, options: ImageScanCliOptions, io: Io): Promise<number> => {
  if (!(['table', 'json', 'sarif'] as readonly string[]).includes(options.format))
    throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use table, json or sarif`);
  const failOn = options.failOn?.toUpperCase() as VulnerabilitySeverity | undefined;
  if (failOn !== undefined && !VULNERABILITY_SEVERITIES.includes(failOn))
    throw new UsageError(`--fail-on must be one of ${VULNERABILITY_SEVERITIES.join(', ')}`);
  const database = openVulnDb(databaseDirectory(options.db, io.env, io.cwd));
  try {
    const { scan, format, withoutPurl, unreadable } = await scanSbom(file, { cwd: io.cwd, advisories: database });
    await writeRendered(
      IMAGE_RENDERERS[options.format as 'table' | 'json' | 'sarif'].render(scan, renderContext(io, options, options.format === 'table')),
      options.output,
      io,
    );
    if (!options.quiet)
      io.stderr(
        `kubeward: ${scan.packages.length} packages from the ${format} SBOM (${withoutPurl} without a purl, ${unreadable} unreadable), ${scan.vulnerabilities.length} vulnerabilities\n`,
      );
    if (failOn !== undefined && scan.vulnerabilities.some((match) => vulnerabilitySeverityRank(match.severity) >= vulnerabilitySeverityRank(failOn)))
      return EXIT.findings;
    return EXIT.clean;
  } finally {
    database.close();
  }
};
