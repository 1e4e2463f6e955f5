import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ClusterSnapshot } from '../model/index.js';
import {
  buildNetworkMap,
  diffConnectivity,
  flowsFromServices,
  focusMap,
  namespaceMap,
  generatePolicies,
  networkGraph,
  parseFlows,
  type Flow,
  type NetworkDiff,
  type NetworkMap,
} from '../network/index.js';
import { KnownError } from './errors.js';

/**
 * `netpol map`: which workloads and external ranges may talk, on which ports; with observed
 * flows, what was seen but is not allowed and what is allowed beyond what was seen; with a
 * focus, only the connections of one workload.
 */
export const mapNetwork = (
  snapshot: ClusterSnapshot,
  options: { readonly flows?: readonly Flow[] | undefined; readonly focus?: string | undefined; readonly namespace?: string | undefined } = {},
): NetworkMap => {
  const computed = buildNetworkMap(snapshot);
  const whole = options.flows ? { ...computed, graph: networkGraph(computed, options.flows) } : computed;
  const full = options.namespace === undefined ? whole : namespaceMap(whole, options.namespace);
  if (options.focus === undefined) return full;
  const focused = focusMap(full, options.focus);
  if (!focused) throw new KnownError(`no workload ${JSON.stringify(options.focus)} in the inputs`, 'name it as namespace/Kind/name, namespace/name or name');
  return focused;
};

/** `netpol diff`: what a change of manifests does to connectivity. */
export const diffNetwork = (before: ClusterSnapshot, after: ClusterSnapshot): NetworkDiff => diffConnectivity(before, after);

/**
 * `netpol generate`: least-privilege NetworkPolicies for observed flows (and, when asked, the
 * flows the Services imply); flows naming no workload of the snapshot are returned as `unknown`.
 */
export const generateNetworkPolicies = (
  snapshot: ClusterSnapshot,
  options: { readonly flows: readonly Flow[]; readonly fromServices?: boolean; readonly defaultDeny?: boolean },
) => {
  const flows = [...options.flows, ...(options.fromServices ? flowsFromServices(snapshot) : [])];
  return { ...generatePolicies(snapshot, flows, { ...(options.defaultDeny ? { defaultDeny: true } : {}) }), flows: flows.length };
};

/** A flows file (Hubble, `kubectl` exports, CSV; see docs/network.md); lines that cannot be read are `problems` with their line number. */
export const readFlows = async (
  file: string,
  cwd: string,
): Promise<{ flows: Flow[]; problems: readonly { readonly line: number; readonly message: string }[] }> => {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new KnownError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseFlows(text);
};
