import { buildSnapshot, normaliseDocument } from '../k8s/index.js';
import { DEFAULT_LOAD_OPTIONS, loadInputs, type LoadOptions } from '../k8s/files/index.js';
import type { ClusterSnapshot, InputProblem, KubeObject } from '../model/index.js';

export interface LoadClusterOptions {
  readonly cwd: string;
  readonly stdin: LoadOptions['stdin'];
  readonly namespace?: string | undefined;
  readonly kubectl?: string | undefined;
}

/**
 * Manifests (files, directories, Kustomize, stdin) read into one snapshot, for the jobs that
 * judge the whole picture at once (risk, network, RBAC). Unreadable input is reported, the rest
 * is read; `error` says whether any of it was an error.
 */
export const loadClusterSnapshot = async (
  inputs: readonly string[],
  options: LoadClusterOptions,
): Promise<{ snapshot: ClusterSnapshot; objects: readonly KubeObject[]; problems: readonly InputProblem[]; error: boolean }> => {
  const loaded = await loadInputs(inputs, {
    ...DEFAULT_LOAD_OPTIONS,
    cwd: options.cwd,
    stdin: options.stdin,
    defaultNamespace: options.namespace ?? DEFAULT_LOAD_OPTIONS.defaultNamespace,
    kubectl: options.kubectl ?? DEFAULT_LOAD_OPTIONS.kubectl,
  });
  return {
    snapshot: buildSnapshot(loaded.objects),
    objects: loaded.objects,
    problems: loaded.problems,
    error: loaded.problems.some((problem) => problem.level === 'error'),
  };
};

/**
 * Kubernetes objects as JSON values (what a sensor lists, what an API client posts) read into one
 * snapshot by the same normaliser as files: Secrets keep their metadata only, and what cannot be
 * read is a problem named by its index, not a failure of the rest.
 */
export const snapshotFromObjects = (
  values: readonly unknown[],
  options: { readonly source: string; readonly defaultNamespace?: string | undefined },
): { snapshot: ClusterSnapshot; problems: readonly InputProblem[] } => {
  const objects: KubeObject[] = [];
  const problems: InputProblem[] = [];
  values.forEach((value, documentIndex) => {
    const normalised = normaliseDocument(value, { file: options.source, documentIndex, defaultNamespace: options.defaultNamespace ?? 'default' });
    objects.push(...normalised.objects);
    problems.push(...normalised.problems);
  });
  return { snapshot: buildSnapshot(objects), problems };
};
