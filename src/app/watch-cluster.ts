import { resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { Sensor, type SensorEvent, type SensorState } from '../sensor/index.js';
import { KnownError } from './errors.js';
import type { PolicySet } from './policies.js';

export interface ClusterConnection {
  /** Read the pod's service account, as a sensor deployed in the cluster does. */
  readonly inCluster?: boolean | undefined;
  /** A kubeconfig file; else $KUBECONFIG or ~/.kube/config. */
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly cwd: string;
}

/** The cluster a connection names, checked to name one. */
export const connectToCluster = (connection: ClusterConnection): KubeConfig => {
  const config = new KubeConfig();
  try {
    if (connection.inCluster) config.loadFromCluster();
    else if (connection.kubeconfig) config.loadFromFile(resolve(connection.cwd, connection.kubeconfig));
    else config.loadFromDefault();
    if (connection.context) config.setCurrentContext(connection.context);
  } catch (error) {
    throw new KnownError(
      `cannot load the kubeconfig: ${(error as Error).message}`,
      'give --kubeconfig <file>, set KUBECONFIG, or run in a pod with --in-cluster',
    );
  }
  if (!config.getCurrentCluster()) throw new KnownError('the kubeconfig names no current cluster', 'give --context <name>');
  return config;
};

export interface WatchClusterOptions {
  /** From connectToCluster: checked before the policies are loaded, so a bad kubeconfig fails fast. */
  readonly cluster: KubeConfig;
  readonly set: PolicySet;
  readonly now: () => Date;
  /** Changes arriving within this many milliseconds are judged together. */
  readonly debounceMs: number;
  readonly emit: (event: SensorEvent) => void;
  readonly onEvaluated?: (state: SensorState) => void;
}

/**
 * `sensor`: watches a cluster and judges it with the set's DEPLOY-stage policies and `ignore:`
 * rules on every change. `run` lasts until the signal aborts.
 */
export const watchCluster = (
  options: WatchClusterOptions,
): { readonly server: string; readonly policies: number; readonly run: (signal: AbortSignal) => Promise<void> } => {
  const deploy = options.set.policies.active.filter((compiled) => compiled.policy.lifecycleStages.includes('DEPLOY'));
  const sensor = new Sensor({
    policies: deploy,
    ignoreRules: options.set.ignoreRules,
    now: options.now,
    debounceMs: options.debounceMs,
    emit: options.emit,
    ...(options.onEvaluated ? { onEvaluated: options.onEvaluated } : {}),
  });
  return { server: options.cluster.getCurrentCluster()?.server ?? '', policies: deploy.length, run: (signal) => sensor.run(options.cluster, signal) };
};
