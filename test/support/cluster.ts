import { execFile, execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type * as BuildModule from '../../scripts/cluster/build.mjs';
import type { BinaryPaths } from '../../scripts/cluster/build.mjs';
import type * as ClusterModule from '../../scripts/cluster/cluster.mjs';
import type { LiveCluster } from '../../scripts/cluster/cluster.mjs';
import { repoPath } from './repo.js';

export type { LiveCluster } from '../../scripts/cluster/cluster.mjs';

/*
 * The live test cluster (etcd and kube-apiserver v1.35.4 on 127.0.0.1, see scripts/cluster/).
 * Its binaries are built once by `npm run cluster:build` (CI runs it before the tests) and cached
 * outside the clone; tests never build them. The scripts are plain ES modules so that cluster:up
 * needs no compilation: they are loaded from the repository (not dist/) at run time.
 */
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(repoPath('scripts', 'cluster', file)).href)) as T;

const build = await load<typeof BuildModule>('build.mjs');

export const clusterBinaries = (): BinaryPaths => build.binaryPaths();

const hasOpenssl = ((): boolean => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Whether the cluster can be started here: its binaries are built and openssl (for the certificates) is there. */
export const hasClusterBinaries = clusterBinaries().missing.length === 0 && hasOpenssl;

/**
 * For `test(name, { skip: clusterSkip }, …)`: why cluster tests skip here, or false when they run.
 * In CI (`CI` set) they never skip: a missing binary there fails the tests, since .ci/run builds them.
 */
export const clusterSkip: string | false =
  hasClusterBinaries || process.env.CI
    ? false
    : `the live test cluster is not available (${[...clusterBinaries().missing.map((binary) => `${binary} not built`), ...(hasOpenssl ? [] : ['no openssl'])].join(', ')}): run npm run cluster:build`;

/**
 * Starts etcd and kube-apiserver in a temporary state directory: free ports, certificates made
 * with openssl, RBAC, ServiceAccount admission off, no kubelet or scheduler. `stop()` stops both
 * and removes the directory; they are killed anyway when the test process exits.
 */
export const startCluster = async (options: { timeoutMs?: number } = {}): Promise<LiveCluster> => {
  const { startCluster: start } = await load<typeof ClusterModule>('cluster.mjs');
  return start(options);
};

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the cluster's kubectl against it (`--kubeconfig` set); rejects on a non-zero exit unless `allowFailure`. */
export const kubectl = (cluster: LiveCluster, args: readonly string[], options: { stdin?: string; allowFailure?: boolean } = {}): Promise<KubectlResult> =>
  new Promise((resolve, reject) => {
    const child = execFile(cluster.kubectl, ['--kubeconfig', cluster.kubeconfig, ...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      if (code !== 0 && !options.allowFailure) reject(new Error(`kubectl ${args.join(' ')} failed (${code}): ${stderr}`));
      else resolve({ code, stdout, stderr });
    });
    child.stdin?.end(options.stdin ?? '');
  });

/** `kubectl get … -o json`, parsed. */
export const kubectlJson = async <T = Record<string, unknown>>(cluster: LiveCluster, args: readonly string[]): Promise<T> =>
  JSON.parse((await kubectl(cluster, [...args, '-o', 'json'])).stdout) as T;
