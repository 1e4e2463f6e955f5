import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { BatchMeta, IngestReport, ObjectBatch } from '../../ingest.js';
import { ApiError } from '../errors.js';
import { ERRORS, within, type RouteContext } from '../context.js';
import { ChangesBody, IngestReportSchema, SnapshotBody } from '../schemas.js';

const ClusterParams = z.object({
  cluster: z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, 'a DNS label: lower-case letters, digits, dots and dashes'),
});

/** Sensors' way in: a full snapshot after each (re)list, then change batches on top of it. */
export const ingestRoutes = ({ api, authorise, ingestor, metrics }: RouteContext): void => {
  const apply = async (request: FastifyRequest, cluster: string, batch: ObjectBatch, meta: BatchMeta): Promise<IngestReport> => {
    const scope = within(request);
    if (scope.cluster !== undefined && scope.cluster !== cluster) throw new ApiError(403, 'forbidden', `this token reports for cluster ${scope.cluster} only`);
    const started = performance.now();
    const outcome = await ingestor.ingest(cluster, batch, meta);
    metrics.ingests.inc({ cluster, outcome: outcome.resync ? 'resync' : outcome.duplicate ? 'duplicate' : 'applied' });
    metrics.ingestDuration.observe({ cluster }, (performance.now() - started) / 1000);
    if (outcome.resync) throw new ApiError(409, 'resync-required', `${outcome.reason}; send a full snapshot`);
    return outcome;
  };

  api.post(
    '/api/v1/clusters/:cluster/snapshots',
    {
      schema: {
        summary: 'A full snapshot of a cluster’s objects (what a sensor sends after each list): judged, then applied whole',
        params: ClusterParams,
        body: SnapshotBody,
        response: { 200: IngestReportSchema, ...ERRORS },
      },
      onRequest: authorise('ingest'),
    },
    async (request) => {
      const { snapshotId, objects, kubeVersion, sensorVersion } = request.body;
      return apply(request, request.params.cluster, { kind: 'full', snapshotId, objects }, { kubeVersion, sensorVersion });
    },
  );

  api.post(
    '/api/v1/clusters/:cluster/changes',
    {
      schema: {
        summary: 'Objects added, changed and deleted since the last batch: applied on top of the snapshot, the cluster judged again',
        description:
          'Batches follow one another: `sequence` is 1 after the snapshot, then one more each time. A batch at or below the last applied is a duplicate (nothing changes); one that does not follow, or names another snapshot, is answered 409 `resync-required`: send a full snapshot. An empty batch is a heartbeat.',
        params: ClusterParams,
        body: ChangesBody,
        response: { 200: IngestReportSchema, ...ERRORS },
      },
      onRequest: authorise('ingest'),
    },
    async (request) => {
      const { snapshotId, sequence, upserts, deletes, kubeVersion, sensorVersion } = request.body;
      return apply(request, request.params.cluster, { kind: 'changes', snapshotId, sequence, upserts, deletes }, { kubeVersion, sensorVersion });
    },
  );
};
