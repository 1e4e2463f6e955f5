import { loadClusterSnapshot } from '../../app/index.js';
import type { ClusterSnapshot } from '../../model/index.js';
import type { Io } from '../io.js';

/**
 * Reads manifests into one snapshot for the analysis commands (netpol, rbac, risk). Unreadable
 * input is printed with file and line; `error` tells whether any of it was an error (exit 2).
 */
export const loadSnapshot = async (
  inputs: readonly string[],
  options: { readonly namespace?: string; readonly kubectl?: string },
  io: Io,
): Promise<{ snapshot: ClusterSnapshot; error: boolean }> => {
  const loaded = await loadClusterSnapshot(inputs, {
    cwd: io.cwd,
    stdin: io.readStdin,
    namespace: options.namespace,
    kubectl: options.kubectl ?? io.env.KUBECTL,
  });
  for (const problem of loaded.problems)
    io.stderr(`kubeward: ${problem.level}: ${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message}\n`);
  return { snapshot: loaded.snapshot, error: loaded.error };
};
