import { z } from 'zod';
import { summariseCiReport } from '../../ci.js';
import { scanFromReport } from '../../images.js';
import { timeOrderedId } from '../../store/index.js';
import { actorOf, ERRORS, within, type RouteContext } from '../context.js';
import { ApiError } from '../errors.js';
import { CiListQuery, CiPushBody, CiResultSchema, page } from '../schemas.js';

/**
 * CI's way in: reports pushed by `kubeward push` (or `--push` on scan and image scan/check), kept
 * per repository and commit. They belong to no cluster, so a cluster- or namespace-scoped token
 * sees none of them.
 */
export const ciRoutes = ({ api, store, options, authorise, images, ingestor }: RouteContext): void => {
  const unscoped = (scope: ReturnType<typeof within>): boolean => scope.cluster === undefined && scope.namespace === undefined;

  api.post(
    '/api/v1/ci/results',
    {
      schema: {
        summary: 'A report from CI, with its repository, commit and pipeline',
        body: CiPushBody,
        response: { 201: CiResultSchema, ...ERRORS },
      },
      onRequest: authorise('push'),
    },
    async (request, reply) => {
      const { report, ...metadata } = request.body;
      const summary = summariseCiReport(metadata.kind, report);
      if ('problem' in summary) throw new ApiError(400, 'invalid-report', summary.problem, 'body.report');
      const at = options.now().toISOString();
      const stored = await store.addCiResult({ id: timeOrderedId(at), ...metadata, ...summary, receivedAt: at, actor: actorOf(request), report });
      // An image scanned in CI is known by digest: the workloads that run it are judged with it.
      const scan = metadata.kind === 'image-scan' ? scanFromReport(report) : undefined;
      if (scan) {
        await images.put(scan.image.source, scan, 'ci', options.now(), report);
        ingestor.rejudgeSoon((await store.listClusters({})).map((cluster) => cluster.name));
      }
      return reply.status(201).send(stored);
    },
  );

  api.get(
    '/api/v1/ci/results',
    {
      schema: {
        summary: 'CI reports, newest first, by repository, commit or kind',
        querystring: CiListQuery,
        response: { 200: page(CiResultSchema), ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request) => (unscoped(within(request)) ? store.listCiResults(request.query) : { items: [] }),
  );

  api.get(
    '/api/v1/ci/results/:id',
    {
      schema: {
        summary: 'One CI report, whole',
        params: z.object({ id: z.string().max(64) }),
        response: { 200: CiResultSchema.extend({ report: z.unknown() }), ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request) => {
      const found = unscoped(within(request)) ? await store.getCiResult(request.params.id) : undefined;
      if (!found) throw new ApiError(404, 'not-found', `no CI result ${request.params.id}`);
      return found;
    },
  );

  api.get(
    '/api/v1/ci/repositories',
    {
      schema: {
        summary: 'Every repository that pushed reports: how many, and the newest',
        response: { 200: z.object({ items: z.array(z.object({ repository: z.string(), results: z.number(), latest: CiResultSchema })) }), ...ERRORS },
      },
      onRequest: authorise('read'),
    },
    async (request) => ({ items: unscoped(within(request)) ? await store.listCiRepositories() : [] }),
  );
};
