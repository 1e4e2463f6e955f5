import type { CentralLink } from '../sensor/index.js';
import { CentralError, type CentralClient } from './client.js';

/** The sensor's batches as central's ingest API takes them. */
export const sensorLink = (client: CentralClient, cluster: string, meta: { readonly kubeVersion?: string; readonly sensorVersion?: string }): CentralLink => {
  const path = `/api/v1/clusters/${encodeURIComponent(cluster)}`;
  return {
    sendSnapshot: async (batch) => {
      await client.request('POST', `${path}/snapshots`, { snapshotId: batch.snapshotId, objects: batch.objects, ...meta });
    },
    sendChanges: async (batch) => {
      try {
        await client.request('POST', `${path}/changes`, { ...batch, ...meta });
        return 'applied';
      } catch (error) {
        if (error instanceof CentralError && error.status === 409 && error.code === 'resync-required') return 'resync';
        throw error;
      }
    },
  };
};
