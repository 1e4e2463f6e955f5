import type { Ingestor } from './ingest.js';
import type { CentralStore, ExceptionRecord } from './store/index.js';

/**
 * Judges again the clusters an exception reaches, so its violations move to `excepted` (approved)
 * or back to `active` (revoked, expired) at once rather than at the next sensor batch.
 */
export const rejudgeForException = async (store: CentralStore, ingestor: Ingestor, exception: ExceptionRecord): Promise<void> => {
  const clusters = exception.scope.cluster ? [exception.scope.cluster] : (await store.listClusters({})).map((cluster) => cluster.name);
  for (const cluster of clusters) await ingestor.rejudge(cluster);
};

/** Expires the exceptions whose time is up and judges their clusters again; returns how many expired. */
export const expireExceptions = async (store: CentralStore, ingestor: Ingestor, now: Date): Promise<number> => {
  const expired = await store.expireExceptions(now.toISOString());
  for (const exception of expired) await rejudgeForException(store, ingestor, exception);
  return expired.length;
};
