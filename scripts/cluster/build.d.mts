// Types of build.mjs, for the TypeScript test helper (test/support/cluster.ts).
export declare const RECIPE: string;
export declare const repoRoot: string;
export declare const cacheRoot: () => string;
export declare const componentKey: (name: 'kubernetes' | 'etcd') => string;
export declare const componentDir: (name: 'kubernetes' | 'etcd') => string;
export interface BinaryPaths {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubectl: string;
  /** Binaries not built yet (empty when all are). */
  readonly missing: readonly string[];
}
export declare const binaryPaths: () => BinaryPaths;
export declare const goCommand: () => string | undefined;
export declare const ensureBinaries: (options?: { log?: (line: string) => void }) => Promise<BinaryPaths>;
