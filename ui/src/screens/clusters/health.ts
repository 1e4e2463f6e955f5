import type { Cluster } from '../../../../src/central/api/contract.js';

export interface SensorHealth {
  readonly state: 'healthy' | 'degraded' | 'unhealthy' | 'never';
  readonly label: string;
}

/** As StackRox grades sensors: heard from within a minute is healthy, within five degraded, else unhealthy. */
export const sensorHealth = (cluster: Cluster, now: Date): SensorHealth => {
  if (!cluster.lastContactAt) return { state: 'never', label: 'No contact' };
  const seconds = (now.getTime() - Date.parse(cluster.lastContactAt)) / 1000;
  if (seconds <= 60) return { state: 'healthy', label: 'Healthy' };
  if (seconds <= 300) return { state: 'degraded', label: 'Degraded' };
  return { state: 'unhealthy', label: 'Unhealthy' };
};

/** `3 min ago`, `2 h ago`, `5 d ago`. */
export const ago = (at: string | undefined, now: Date): string => {
  if (!at) return 'never';
  const seconds = Math.max(0, (now.getTime() - Date.parse(at)) / 1000);
  if (seconds < 60) return `${Math.round(seconds)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
};
