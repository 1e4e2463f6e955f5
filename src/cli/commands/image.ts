import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostPlatform, ImageSourceError, openImage, parsePlatform, scanImage } from '../../image/index.js';
import { VULNERABILITY_SEVERITIES, vulnerabilitySeverityRank, type VulnerabilitySeverity } from '../../model/index.js';
import { IMAGE_FORMAT_NAMES, IMAGE_RENDERERS, type ImageFormatName } from '../../report/image/index.js';
import { DATABASE_FILE, DatabaseError, VulnerabilityDatabase } from '../../vulndb/store/index.js';
import { EXIT, KnownError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { databaseDirectory } from './db.js';

export interface ImageScanCliOptions {
  readonly format: string;
  readonly output?: string;
  readonly platform?: string;
  readonly db?: string;
  /** commander's --no-vulnerabilities */
  readonly vulnerabilities: boolean;
  readonly failOn?: string;
  readonly color?: boolean;
  readonly quiet?: boolean;
}

/** `kubeward image scan <image>`: packages and vulnerabilities of an image. */
export const runImageScan = async (reference: string, options: ImageScanCliOptions, io: Io): Promise<number> => {
  if (!(IMAGE_FORMAT_NAMES as readonly string[]).includes(options.format)) throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use one of ${IMAGE_FORMAT_NAMES.join(', ')}`);
  const failOn = options.failOn?.toUpperCase() as VulnerabilitySeverity | undefined;
  if (failOn !== undefined && !VULNERABILITY_SEVERITIES.includes(failOn)) throw new UsageError(`--fail-on must be one of ${VULNERABILITY_SEVERITIES.join(', ')}`);
  let database: VulnerabilityDatabase | undefined;
  if (options.vulnerabilities) {
    try {
      database = VulnerabilityDatabase.open(join(databaseDirectory(options.db, io), DATABASE_FILE));
    } catch (error) {
      if (error instanceof DatabaseError) throw new KnownError(error.message, `${error.hint ?? ''}; or list packages only with --no-vulnerabilities`.replace(/^; /, ''));
      throw error;
    }
  }
  try {
    const started = performance.now();
    const platform = options.platform ? parsePlatform(options.platform) : hostPlatform(process.arch);
    const scan = await (async () => {
      try {
        const image = await openImage(reference, { cwd: io.cwd, platform });
        return await scanImage(image, {
          ...(database ? { advisories: database } : {}),
          ...(options.quiet ? {} : { progress: (message: string) => io.stderr(`kubeward: ${message}\n`) }),
        });
      } catch (error) {
        if (error instanceof ImageSourceError) throw new KnownError(error.message, error.hint);
        throw error;
      }
    })();
    const renderer = IMAGE_RENDERERS[options.format as ImageFormatName];
    const color = options.output === undefined && (options.color ?? io.stdoutIsTTY) && options.format === 'table';
    const text = renderer.render(scan, { color, now: io.now(), toolVersion: io.version });
    if (options.output) await writeFile(options.output, text);
    else await io.stdout(text);
    if (!options.quiet) {
      io.stderr(`kubeward: ${scan.packages.length} packages, ${scan.vulnerabilities.length} vulnerabilities, ${scan.problems.length} problems in ${((performance.now() - started) / 1000).toFixed(2)}s\n`);
    }
    if (failOn !== undefined && scan.vulnerabilities.some((match) => vulnerabilitySeverityRank(match.severity) >= vulnerabilitySeverityRank(failOn))) return EXIT.findings;
    return EXIT.clean;
  } finally {
    database?.close();
  }
};
