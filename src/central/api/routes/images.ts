import { z } from 'zod';
import { IMAGE_RENDERERS } from '../../../report/image/index.js';
import { scanFromReport } from '../../images.js';
import type { ImageRecord, Scope } from '../../store/index.js';
import { ERRORS, within, type RouteContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ImageSchema, page, PageQuery } from '../schemas.js';

const RiskQuery = z
  .object({
    cluster: z.string().max(253).optional().describe('One cluster; every cluster in the token’s scope when absent.'),
    namespace: z.string().max(253).optional().describe('Ranked over the workloads of one namespace.'),
    top: z.coerce.number().int().min(1).max(10_000).default(100),
    fixable: z
      .enum(['true', 'false'])
      .transform((value) => value === 'true')
      .optional()
      .describe('CVEs: only those with a fix.'),
    kev: z
      .enum(['true', 'false'])
      .transform((value) => value === 'true')
      .optional()
      .describe('CVEs: only those in CISA’s Known Exploited Vulnerabilities.'),
  })
  .strict();

/**
 * Images and what they carry: the scans central holds (from CI, its own scans, the demo), and the
 * rankings `kubeward risk --by image|cve` gives, run on the objects central keeps of each cluster.
 */
export const imageRoutes = ({ api, store, options, authorise, ingestor }: RouteContext): void => {
  /** The image names the workloads in a scope run; undefined for an unscoped token (every image). */
  const namesInScope = async (scope: Scope): Promise<Set<string> | undefined> => {
    if (scope.cluster === undefined && scope.namespace === undefined) return undefined;
    const names = new Set<string>();
    let cursor: string | undefined;
    do {
      const chunk = await store.listWorkloads({ scope, limit: 500, cursor, sort: 'name' });
      for (const workload of chunk.items) for (const image of workload.images) names.add(image);
      cursor = chunk.next;
    } while (cursor);
    return names;
  };
  const visible = (image: ImageRecord, names: Set<string> | undefined): boolean => !names || image.names.some((name) => names.has(name));

  api.get(
    '/api/v1/images',
    {
      schema: {
        summary: 'Scanned images, newest scan first, searched by substring of name or digest',
        querystring: z.object({ search: z.string().max(200).optional(), ...PageQuery }).strict(),
        response: { 200: page(ImageSchema), ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request) => {
      const listed = await store.listImages(request.query);
      const names = await namesInScope(within(request));
      return { ...listed, items: listed.items.filter((image) => visible(image, names)) };
    },
  );

  api.get(
    '/api/v1/images/:digest',
    {
      schema: {
        summary: 'One image: the scan whole (`format=json`, the `image scan` report), or its SBOM (`cyclonedx`, `spdx-json`)',
        params: z.object({ digest: z.string().max(200) }),
        querystring: z.object({ format: z.enum(['json', 'cyclonedx', 'spdx-json']).default('json') }).strict(),
        response: { 200: z.record(z.string(), z.unknown()), ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request, reply) => {
      const found = await store.getImage(request.params.digest);
      const scan = scanFromReport(found?.report);
      if (!found || !scan || !visible(found, await namesInScope(within(request))))
        throw new ApiError(404, 'not-found', `no scanned image ${request.params.digest}`);
      const { report, ...record } = found;
      if (request.query.format === 'json') return { ...record, report } as Record<string, unknown>;
      const rendered = IMAGE_RENDERERS[request.query.format].render(scan, { color: false, now: options.now(), toolVersion: options.version });
      return reply
        .type(request.query.format === 'cyclonedx' ? 'application/vnd.cyclonedx+json' : 'application/spdx+json')
        .header('content-disposition', `attachment; filename="${found.digest.replace(/[^\w.-]/g, '_')}.${request.query.format}.json"`)
        .serializer((body: string) => body)
        .send(rendered as never);
    },
  );

  const clustersOf = async (scope: Scope, cluster: string | undefined): Promise<string[]> => {
    const known = (await store.listClusters(scope)).map((entry) => entry.name);
    if (cluster === undefined) return known;
    if (!known.includes(cluster)) throw new ApiError(404, 'not-found', `no cluster ${cluster}`);
    return [cluster];
  };

  api.post(
    '/api/v1/images/scan',
    {
      schema: {
        summary: 'Scan images now (by the names workloads run them by), or every unscanned one; needs `kubeward server --scan-images`',
        body: z.object({ names: z.array(z.string().min(1).max(1000)).max(1000).optional() }).strict(),
        response: { 202: z.object({ queued: z.number() }), ...ERRORS },
      },
      onRequest: authorise('triage'),
    },
    async (request, reply) => {
      if (!options.scanner) throw new ApiError(409, 'not-scanning', 'this server does not scan images; start it with --scan-images');
      return reply.status(202).send({ queued: await options.scanner.sweep(request.body.names) });
    },
  );

  api.post(
    '/api/v1/images/rematch',
    {
      schema: {
        summary: 'Match every kept scan again with the current vulnerability database (after a `db update`)',
        response: { 200: z.object({ changed: z.number() }), ...ERRORS },
      },
      onRequest: authorise('admin'),
    },
    async () => {
      if (!options.scanner) throw new ApiError(409, 'not-scanning', 'this server does not scan images; start it with --scan-images');
      return { changed: await options.scanner.rematchAll() };
    },
  );

  api.post(
    '/api/v1/vulndb/update',
    {
      schema: {
        summary: 'Refresh the vulnerability database now (as the schedule does), then match every kept scan again',
        response: { 200: z.object({ updated: z.boolean(), changed: z.number() }), ...ERRORS },
      },
      onRequest: authorise('admin'),
    },
    async () => {
      if (!options.scanner) throw new ApiError(409, 'not-scanning', 'this server does not scan images; start it with --scan-images');
      try {
        return await options.scanner.updateAndRematch();
      } catch (error) {
        throw new ApiError(502, 'update-failed', `the vulnerability database was not updated (the current one stays): ${(error as Error).message}`);
      }
    },
  );

  for (const by of ['image', 'cve'] as const)
    api.get(
      `/api/v1/risk/${by === 'image' ? 'images' : 'cves'}`,
      {
        schema: {
          summary:
            by === 'image'
              ? 'Images ranked by risk in their Kubernetes context, as `kubeward risk --by image`'
              : 'CVEs ranked by risk in their Kubernetes context (fixable, KEV, EPSS, where they run), as `kubeward risk --by cve`',
          querystring: RiskQuery,
          response: { 200: z.object({ items: z.array(z.record(z.string(), z.unknown())) }), ...ERRORS },
        },
        onRequest: authorise('read'),
      },
      async (request) => {
        const scope = within(request);
        if (scope.namespace !== undefined && request.query.namespace !== undefined && request.query.namespace !== scope.namespace)
          throw new ApiError(403, 'forbidden', `this token sees namespace ${scope.namespace} only`);
        const namespace = scope.namespace ?? request.query.namespace;
        const items: Record<string, unknown>[] = [];
        for (const cluster of await clustersOf(scope, request.query.cluster)) {
          const report = await ingestor.rank(cluster, by, options.version, namespace);
          if (!report || report.by === 'workload') continue;
          for (const entry of report.entries as unknown as readonly Record<string, unknown>[]) {
            if (request.query.fixable && entry.fixable !== true) continue;
            if (request.query.kev && !entry.kev) continue;
            items.push({ cluster, ...JSON.parse(JSON.stringify(entry)) });
          }
        }
        const score = (entry: Record<string, unknown>): number => Number(by === 'image' ? entry.workloadScore : entry.score) || 0;
        return { items: items.sort((a, b) => score(b) - score(a)).slice(0, request.query.top) };
      },
    );
};
