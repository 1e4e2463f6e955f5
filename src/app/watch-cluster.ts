import { resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { sensorLink, type CentralClient } from '../central-client/index.js';
import { serverVersion, Sensor, Shipper, type SensorEvent, type SensorState, type ShipperCounters, type ShipperEvent } from '../sensor/index.js';
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
  readonly emit: (event: SensorEvent | ShipperEvent) => void;
  readonly onEvaluated?: (state: SensorState) => void;
  /** Stream the cluster to central instead of judging it here. */
  readonly central?: CentralStream | undefined;
}

export interface CentralStream {
  readonly client: CentralClient;
  /** The name central knows this cluster by. */
  readonly cluster: string;
  readonly sensorVersion: string;
  readonly maxBuffered?: number | undefined;
  readonly heartbeatMs?: number | undefined;
}

/**
 * `sensor`: watches a cluster and judges it with the set's DEPLOY-stage policies and `ignore:`
 * rules on every change. `run` lasts until the signal aborts.
 */
export const watchCluster = (
  options: WatchClusterOptions,
): {
  readonly server: string;
  readonly policies: number;
  readonly run: (signal: AbortSignal) => Promise<void>;
  readonly counters: () => ShipperCounters | undefined;
} => {
  const deploy = options.set.policies.active.filter((compiled) => compiled.policy.lifecycleStages.includes('DEPLOY'));
  const central = options.central;
  let shipper: Shipper | undefined;
  let flushSignal: AbortSignal | undefined;
  const sensor = new Sensor({
    policies: deploy,
    ignoreRules: options.set.ignoreRules,
    now: options.now,
    debounceMs: options.debounceMs,
    emit: options.emit,
    ...(options.onEvaluated ? { onEvaluated: options.onEvaluated } : {}),
    ...(central
      ? {
          judge: false,
          observer: {
            relisted: () => shipper?.relisted(),
            changed: (kind, type, object) => shipper?.changed(kind, type, object),
            settled: () => void (flushSignal && shipper?.flush(flushSignal)),
          },
        }
      : {}),
  });
  const run = async (signal: AbortSignal): Promise<void> => {
    if (!central) return sensor.run(options.cluster, signal);
    const kubeVersion = await serverVersion(options.cluster);
    flushSignal = signal;
    shipper = new Shipper({
      link: sensorLink(central.client, central.cluster, { ...(kubeVersion ? { kubeVersion } : {}), sensorVersion: central.sensorVersion }),
      objects: () => sensor.rawObjects(),
      emit: options.emit,
      ...(central.maxBuffered ? { maxBuffered: central.maxBuffered } : {}),
      ...(central.heartbeatMs ? { heartbeatMs: central.heartbeatMs } : {}),
    });
    await Promise.all([sensor.run(options.cluster, signal), shipper.keepAlive(signal)]);
  };
  return {
    server: options.cluster.getCurrentCluster()?.server ?? '',
    policies: central ? 0 : deploy.length,
    run,
    counters: () => shipper?.counters(),
  };
};
