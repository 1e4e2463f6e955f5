// Types of cluster.mjs, for the TypeScript test helper (test/support/cluster.ts).
export interface ClusterPorts {
  readonly clientPort: number;
  readonly peerPort: number;
  readonly apiPort: number;
}
export interface LiveCluster {
  /** Certificates, logs, PID files, cluster.json, the kubeconfig and etcd's data (etcd-data/). */
  readonly stateDir: string;
  /** A kubeconfig for an admin in system:masters, certificates inline. */
  readonly kubeconfig: string;
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  /** The kubectl built with the API server. */
  readonly kubectl: string;
  /** etcd's client URL (`https://127.0.0.1:<port>`, client certificates required). */
  readonly etcd: string;
  pids(): { etcd?: number; kubeApiserver?: number };
  /** Stops kube-apiserver (SIGTERM); etcd keeps running. */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again on the same port with the same etcd, and waits for /readyz. */
  startApiServer(): Promise<void>;
  restartApiServer(): Promise<void>;
  /** A POST to etcd's gRPC gateway (`/v3/kv/range`, …) as the API server's etcd client. */
  etcdGateway(path: string, body: unknown): Promise<Record<string, unknown> & { header?: { revision?: string } }>;
  /** Compacts etcd (physically) at its current revision, which it returns. */
  compact(): Promise<number>;
  /** Stops both by PID and removes the state directory (unless keepState). */
  stop(options?: { keepState?: boolean }): Promise<void>;
}
export declare const etcdFlags: (options: { stateDir: string; dataDir: string } & ClusterPorts) => string[];
export declare const apiServerFlags: (options: { stateDir: string } & ClusterPorts) => string[];
export declare const stopPid: (pid: number, stateDir: string, graceMs?: number) => Promise<void>;
export declare const startCluster: (options?: { stateDir?: string; detached?: boolean; timeoutMs?: number }) => Promise<LiveCluster>;
export declare const stopClusterAt: (stateDir: string, options?: { keepState?: boolean }) => Promise<string[]>;
