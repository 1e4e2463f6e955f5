import { writeFile } from 'node:fs/promises';
import { buildSnapshot, DEFAULT_LOAD_OPTIONS, loadInputs } from '../../k8s/index.js';
import { buildNetworkMap, diffConnectivity, focusMap } from '../../network/index.js';
import { NETWORK_DIFF_FORMATS, NETWORK_DIFF_RENDERERS, NETWORK_MAP_FORMATS, NETWORK_MAP_RENDERERS, type NetworkDiffFormat, type NetworkMapFormat } from '../../report/network/index.js';
import { EXIT, KnownError, UsageError } from '../errors.js';
import type { Io } from '../io.js';

export interface NetpolMapOptions {
  readonly format: string;
  readonly output?: string;
  readonly focus?: string;
  readonly namespace?: string;
  readonly kubectl?: string;
  readonly quiet?: boolean;
}

export interface NetpolDiffOptions {
  readonly format: string;
  readonly output?: string;
  readonly namespace?: string;
  readonly kubectl?: string;
  readonly exitCode?: boolean;
}

/** Loads manifests into a snapshot, printing input problems; `error` tells whether one was an error. */
const loadSnapshot = async (inputs: readonly string[], options: { readonly namespace?: string; readonly kubectl?: string }, io: Io) => {
  const loaded = await loadInputs(inputs, {
    ...DEFAULT_LOAD_OPTIONS,
    cwd: io.cwd,
    stdin: io.readStdin,
    defaultNamespace: options.namespace ?? DEFAULT_LOAD_OPTIONS.defaultNamespace,
    kubectl: options.kubectl ?? io.env.KUBECTL ?? DEFAULT_LOAD_OPTIONS.kubectl,
  });
  for (const problem of loaded.problems) io.stderr(`kubeward: ${problem.level}: ${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message}\n`);
  return { snapshot: buildSnapshot(loaded.objects), error: loaded.problems.some((problem) => problem.level === 'error') };
};

/** `kubeward netpol diff <before> <after>`: what a change of manifests does to connectivity. */
export const runNetpolDiff = async (before: string, after: string, options: NetpolDiffOptions, io: Io): Promise<number> => {
  if (!(NETWORK_DIFF_FORMATS as readonly string[]).includes(options.format)) throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use one of ${NETWORK_DIFF_FORMATS.join(', ')}`);
  const old = await loadSnapshot([before], options, io);
  const current = await loadSnapshot([after], options, io);
  const diff = diffConnectivity(old.snapshot, current.snapshot);
  const text = NETWORK_DIFF_RENDERERS[options.format as NetworkDiffFormat].render(diff);
  if (options.output) await writeFile(options.output, text);
  else await io.stdout(text);
  if (old.error || current.error) return EXIT.error;
  return options.exitCode && diff.changes.length > 0 ? EXIT.findings : EXIT.clean;
};

/** `kubeward netpol map <inputs>`: which workloads and external ranges can talk, on which ports. */
export const runNetpolMap = async (inputs: readonly string[], options: NetpolMapOptions, io: Io): Promise<number> => {
  if (!(NETWORK_MAP_FORMATS as readonly string[]).includes(options.format)) throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use one of ${NETWORK_MAP_FORMATS.join(', ')}`);
  if (inputs.length === 0) throw new UsageError('nothing to map: give manifest files or directories', 'kubeward netpol map examples/');
  const loaded = await loadSnapshot(inputs, options, io);
  const full = buildNetworkMap(loaded.snapshot);
  const map = options.focus === undefined ? full : focusMap(full, options.focus);
  if (!map) throw new KnownError(`no workload ${JSON.stringify(options.focus)} in the inputs`, 'name it as namespace/Kind/name, namespace/name or name');
  const text = NETWORK_MAP_RENDERERS[options.format as NetworkMapFormat].render(map);
  if (options.output) await writeFile(options.output, text);
  else await io.stdout(text);
  if (!options.quiet && map.problems.length > 0 && options.format !== 'txt') io.stderr(`kubeward: ${map.problems.length} NetworkPolicy problems (listed in the report)\n`);
  return loaded.error ? EXIT.error : EXIT.clean;
};
