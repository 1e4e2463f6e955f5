import { checkImage, databaseDirectory, openVulnDb, scanImage, type VulnerabilityDatabase } from '../../app/index.js';
import { SEVERITIES } from '../../model/index.js';
import { FORMAT_NAMES } from '../../report/index.js';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { imageScanOptions, type ImageScanCliOptions } from './image.js';
import { policyGate, warnLapsed, type PolicyGateFlags } from '../policy-gate.js';
import { writeReport } from '../write-report.js';

export interface ImageCheckOptions extends ImageScanCliOptions, PolicyGateFlags {
  /** The image name policies see (tag, registry) when the reference is a local path. */
  readonly name?: string;
}

/** `kubeward image check <image>`: BUILD-stage image policies over one image, with `kubeward scan`'s exit codes. */
export const runImageCheck = async (reference: string, options: ImageCheckOptions, io: Io): Promise<number> => {
  if (!(FORMAT_NAMES as readonly string[]).includes(options.format))
    throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use one of ${FORMAT_NAMES.join(', ')}`);
  const set = await policyGate({ ...options, quiet: options.quiet ?? false }, io);
  let database: VulnerabilityDatabase | undefined;
  if (options.vulnerabilities) {
    database = openVulnDb(databaseDirectory(options.db, io.env, io.cwd), 'or check the image without vulnerability policies: --no-vulnerabilities');
  }
  const started = performance.now();
  let scanned: Awaited<ReturnType<typeof scanImage>>;
  try {
    scanned = await scanImage(reference, { ...(await imageScanOptions(options, io)), advisories: database });
  } finally {
    database?.close();
  }
  const { scan } = scanned;
  // Registry images are named as pulled, docker archives by their tag; others by --name, else by digest.
  const name =
    options.name ??
    scanned.name ??
    `local/${
      reference
        .replace(/[/\\]+$/, '')
        .split(/[/\\]/)
        .pop()
        ?.replace(/^(oci|oci-archive|docker-archive):/, '')
        .replace(/[^a-zA-Z0-9._-]/g, '-')
        .toLowerCase() || 'image'
    }@${scan.image.digest}`;
  const { report, failing, lapsed, policies } = checkImage({ set, scan, reference, name, now: io.now(), version: io.version });
  warnLapsed(lapsed, io);
  await writeReport(report, options, io);
  if (!options.quiet) {
    const { summary } = report;
    io.stderr(
      `kubeward: ${name}: ${policies} image policies, ${summary.findings} findings (${SEVERITIES.map((level) => `${summary.bySeverity[level]} ${level}`).join(', ')}); ${scan.packages.length} packages, ${scan.vulnerabilities.length} vulnerabilities${database ? '' : ' (not matched: --no-vulnerabilities)'}; ${((performance.now() - started) / 1000).toFixed(2)}s\n`,
    );
  }
  if (options.push) await (await import('../push.js')).pushTo(options.push, options, 'image-check', report, io);
  if (!options.fail) return EXIT.clean;
  return failing.length > 0 ? EXIT.findings : EXIT.clean;
};
