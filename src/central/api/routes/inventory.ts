import { z } from 'zod';
import { ERRORS, within, type RouteContext } from '../context.js';
import { ClusterSchema, page, WorkloadListQuery, WorkloadSchema } from '../schemas.js';

export const inventoryRoutes = ({ api, store, authorise }: RouteContext): void => {
  api.get(
    '/api/v1/clusters',
    {
      schema: { summary: 'Clusters central knows, with sensor contact and counts', response: { 200: z.object({ items: z.array(ClusterSchema) }), ...ERRORS } },
      onRequest: authorise('read'),
    },
    async (request) => ({ items: await store.listClusters(within(request)) }),
  );

  api.get(
    '/api/v1/workloads',
    {
      schema: { summary: 'Workloads, most at risk first', querystring: WorkloadListQuery, response: { 200: page(WorkloadSchema), ...ERRORS } },
      onRequest: authorise('read'),
    },
    async (request) => store.listWorkloads({ ...request.query, scope: within(request) }),
  );
};
