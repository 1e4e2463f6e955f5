import { writeFile } from 'node:fs/promises';
import { buildSnapshot, DEFAULT_LOAD_OPTIONS, loadInputs } from '../../k8s/index.js';
import { buildNetworkMap, focusMap } from '../../network/index.js';
import { NETWORK_MAP_FORMATS, NETWORK_MAP_RENDERERS, type NetworkMapFormat } from '../../report/network/index.js';
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

/** `kubeward netpol map <inputs>`: which workloads and external ranges can talk, on which ports. */
export const runNetpolMap = async (inputs: readonly string[], options: NetpolMapOptions, io: Io): Promise<number> => {
  if (!(NETWORK_MAP_FORMATS as readonly string[]).includes(options.format)) throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use one of ${NETWORK_MAP_FORMATS.join(', ')}`);
  if (inputs.length === 0) throw new UsageError('nothing to map: give manifest files or directories', 'kubeward netpol map examples/');
  const loaded = await loadInputs(inputs, {
    ...DEFAULT_LOAD_OPTIONS,
    cwd: io.cwd,
    stdin: io.readStdin,
    defaultNamespace: options.namespace ?? DEFAULT_LOAD_OPTIONS.defaultNamespace,
    kubectl: options.kubectl ?? io.env.KUBECTL ?? DEFAULT_LOAD_OPTIONS.kubectl,
  });
  for (const problem of loaded.problems) io.stderr(`kubeward: ${problem.level}: ${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message}\n`);
  const full = buildNetworkMap(buildSnapshot(loaded.objects));
  const map = options.focus === undefined ? full : focusMap(full, options.focus);
  if (!map) throw new KnownError(`no workload ${JSON.stringify(options.focus)} in the inputs`, 'name it as namespace/Kind/name, namespace/name or name');
  const text = NETWORK_MAP_RENDERERS[options.format as NetworkMapFormat].render(map);
  if (options.output) await writeFile(options.output, text);
  else await io.stdout(text);
  if (!options.quiet && map.problems.length > 0 && options.format !== 'txt') io.stderr(`kubeward: ${map.problems.length} NetworkPolicy problems (listed in the report)\n`);
  return loaded.problems.some((problem) => problem.level === 'error') ? EXIT.error : EXIT.clean;
};
