import { z } from 'zod';
import { accessRequest, mapNetwork, whoCanInCluster } from '../../../app/index.js';
import type { ClusterSnapshot } from '../../../model/index.js';
import { NETWORK_MAP_RENDERERS } from '../../../report/network/index.js';
import { RBAC_RENDERERS } from '../../../report/rbac/index.js';
import type { Scope } from '../../store/index.js';
import { ERRORS, within, type RouteContext } from '../context.js';
import { ApiError } from '../errors.js';
import { parseWorkloadKey } from '../../states.js';
import { ClusterSchema, NamespaceSchema, page, WorkloadDetailSchema, WorkloadListQuery, WorkloadSchema } from '../schemas.js';

const Name = z.string().min(1).max(253);

interface NetworkMapJson {
  readonly workloads: readonly { readonly id: string; readonly namespace: string }[];
  readonly connections: readonly { readonly from: string; readonly to: string }[];
  readonly [field: string]: unknown;
}

/** For a namespace-scoped token: peers in other namespaces are not named, only the namespace's own and external ones. */
const withinNamespace = (map: NetworkMapJson, namespace: string): NetworkMapJson => {
  const inside = (id: string): boolean => id.startsWith(`${namespace}/`) || !map.workloads.some((workload) => workload.id === id);
  return {
    ...map,
    workloads: map.workloads.filter((workload) => workload.namespace === namespace),
    connections: map.connections.filter((edge) => inside(edge.from) && inside(edge.to)),
  };
};

export const inventoryRoutes = ({ api, store, authorise, ingestor, options }: RouteContext): void => {
  api.get(
    '/api/v1/clusters',
    {
      schema: { summary: 'Clusters central knows, with sensor contact and counts', response: { 200: z.object({ items: z.array(ClusterSchema) }), ...ERRORS } },
      onRequest: authorise('read'),
    },
    async (request) => ({ items: await store.listClusters(within(request)) }),
  );

  api.get(
    '/api/v1/namespaces',
    {
      schema: {
        summary: 'Namespaces of the clusters in scope, with their labels, workloads and active violations by severity',
        querystring: z.object({ cluster: Name.optional() }).strict(),
        response: { 200: z.object({ items: z.array(NamespaceSchema) }), ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request) => ({ items: await store.listNamespaces(within(request), request.query.cluster) }),
  );

  api.get(
    '/api/v1/workloads',
    {
      schema: { summary: 'Workloads, most at risk first', querystring: WorkloadListQuery, response: { 200: page(WorkloadSchema), ...ERRORS } },
      onRequest: authorise('read'),
    },
    async (request) => store.listWorkloads({ ...request.query, scope: within(request) }),
  );

  api.get(
    '/api/v1/workloads/:id',
    {
      schema: {
        summary: 'One workload: its risk factors with their evidence in words, its history, its open violations by severity',
        params: z.object({ id: z.string().max(1100).describe('`cluster/namespace/Kind/name`, URL-encoded') }),
        response: { 200: WorkloadDetailSchema, ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request) => {
      const scope = within(request);
      const { id } = request.params;
      const [workload, target] = [await store.getWorkload(id, scope), parseWorkloadKey(id)];
      if (!workload || !target) throw new ApiError(404, 'not-found', `no workload ${id}`);
      const violations = { critical: 0, high: 0, medium: 0, low: 0 };
      let cursor: string | undefined;
      do {
        const chunk = await store.listViolations({ scope, workload: target, state: ['active'], now: options.now().toISOString(), limit: 500, cursor });
        for (const item of chunk.items) violations[item.severity.toLowerCase() as keyof typeof violations]++;
        cursor = chunk.next;
      } while (cursor);
      return { ...workload, history: await store.workloadHistory(id, 100), violations };
    },
  );

  /** The cluster as central keeps it; 404 outside the token's scope or before its first snapshot. */
  const modelOf = async (cluster: string, scope: Scope): Promise<ClusterSnapshot> => {
    const known = await store.getCluster(cluster, scope);
    const snapshot = known ? await ingestor.snapshot(cluster) : undefined;
    if (!snapshot) throw new ApiError(404, 'not-found', known ? `cluster ${cluster} has sent no snapshot yet` : `no cluster ${cluster}`);
    return snapshot;
  };

  api.get(
    '/api/v1/clusters/:cluster/network',
    {
      schema: {
        summary: 'The network map of a namespace (or, for a cluster-wide token, of the cluster), as `kubeward netpol map --format json`',
        params: z.object({ cluster: Name }),
        querystring: z
          .object({
            namespace: Name.optional().describe('The namespace mapped: its workloads, the peers they can talk with, their exposure'),
            focus: z.string().max(600).optional().describe('One workload: namespace/Kind/name, namespace/name or name'),
          })
          .strict(),
        response: { 200: z.record(z.string(), z.unknown()), ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request) => {
      const scope = within(request);
      const namespace = scope.namespace ?? request.query.namespace;
      if (scope.namespace !== undefined && request.query.namespace !== undefined && request.query.namespace !== scope.namespace)
        throw new ApiError(403, 'forbidden', `this token sees namespace ${scope.namespace} only`);
      const snapshot = await modelOf(request.params.cluster, scope);
      let map;
      try {
        map = mapNetwork(snapshot, { namespace, focus: request.query.focus });
      } catch (error) {
        throw new ApiError(404, 'not-found', (error as Error).message, 'query.focus');
      }
      const body = JSON.parse(NETWORK_MAP_RENDERERS.json.render(map)) as NetworkMapJson;
      return scope.namespace === undefined ? body : withinNamespace(body, scope.namespace);
    },
  );

  api.get(
    '/api/v1/clusters/:cluster/rbac/who-can',
    {
      schema: {
        summary: 'Every subject the cluster’s RBAC allows a request, with the bindings and roles that grant it, as `kubeward rbac who-can --format json`',
        params: z.object({ cluster: Name }),
        querystring: z
          .object({
            verb: z.string().min(1).max(100),
            resource: z.string().min(1).max(300).describe('pods, pods/exec, deployments.apps, secrets; or a non-resource path such as /metrics'),
            namespace: Name.optional().describe('The request’s namespace; absent, a cluster-wide request'),
            name: Name.optional().describe('The object’s name, for rules limited by resourceNames'),
          })
          .strict(),
        response: { 200: z.record(z.string(), z.unknown()), ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request) => {
      const scope = within(request);
      const { verb, resource, name } = request.query;
      // A namespace-scoped token asks about its own namespace only: a cluster-wide answer would show other namespaces' bindings.
      const namespace = request.query.namespace ?? scope.namespace;
      if (scope.namespace !== undefined && namespace !== scope.namespace)
        throw new ApiError(403, 'forbidden', `this token sees namespace ${scope.namespace} only`, 'query.namespace');
      const snapshot = await modelOf(request.params.cluster, scope);
      const { report, problems } = whoCanInCluster(snapshot, accessRequest(verb, resource, { namespace, name }), `${verb} ${resource}`);
      const rendered = RBAC_RENDERERS.json.render(report, { color: false, now: options.now(), toolVersion: options.version });
      const body = JSON.parse(typeof rendered === 'string' ? rendered : [...rendered].join('')) as Record<string, unknown>;
      return { ...body, problems };
    },
  );
};
