import { databaseDirectory, gatherImages, openVulnDb, rankRisk } from '../../app/index.js';
import { RISK_FORMATS, RISK_RANKINGS, RISK_RENDERERS, type RiskFormat, type RiskRanking } from '../../report/risk/index.js';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { writeRendered } from '../write-report.js';
import { policyGate, warnLapsed } from '../policy-gate.js';
import { imageScanOptions, type ImageScanCliOptions } from './image.js';
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

/** `kubeward risk <inputs>`: workloads, images or vulnerabilities ranked by risk in their Kubernetes context, with the reasons. */
export const runRisk = async (inputs: readonly string[], options: RiskOptions, io: Io): Promise<number> => {
  if (!(RISK_FORMATS as readonly string[]).includes(options.format))
    throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use ${RISK_FORMATS.join(', ')}`);
  const by = (options.by ?? 'workload') as RiskRanking;
  if (!RISK_RANKINGS.includes(by)) throw new UsageError(`--by must be one of ${RISK_RANKINGS.join(', ')}`);
  if (inputs.length === 0) throw new UsageError('nothing to rank: give manifest files or directories', 'kubeward risk examples/');
  const top = options.top === undefined ? undefined : Number(options.top);
  if (top !== undefined && (!Number.isInteger(top) || top < 1)) throw new UsageError('--top must be a whole number above 0');
  const set = await policyGate(
    {
      policies: [],
      enable: [],
      disable: [],
      only: [],
      builtinPolicies: true,
      quiet: options.quiet ?? false,
      ...(options.config ? { config: options.config } : {}),
    },
    io,
  );
  const { snapshot, error } = await loadSnapshot(inputs, {}, io);
  const { images, problems } = await gatherImages({
    ...(await imageScanOptions({ ...options, format: 'json' }, io)),
    snapshot,
    images: options.images,
    imageScans: options.imageScans,
    scanWorkloadImages: options.scanImages,
    openAdvisories: () =>
      options.vulnerabilities === false
        ? undefined
        : openVulnDb(databaseDirectory(options.db, io.env, io.cwd), 'or rank without vulnerabilities: --no-vulnerabilities'),
  });
  const { report, lapsed } = rankRisk({ set, snapshot, images, problems, by, top, now: io.now(), version: io.version });
  if (!options.quiet) {
    warnLapsed(lapsed, io);
    for (const problem of report.problems) io.stderr(`kubeward: warning: ${problem.object}: ${problem.message}\n`);
  }
  if (by === 'cve' && images.length === 0 && !options.quiet)
    io.stderr('kubeward: no image scans to rank vulnerabilities from: give --images or --image-scans\n');
  await writeRendered(RISK_RENDERERS[options.format as RiskFormat].render(report), undefined, io);
  return error ? EXIT.error : EXIT.clean;
};
