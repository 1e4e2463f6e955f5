import { z } from 'zod';
import { scanManifests } from '../../../app/index.js';
import { ERRORS, type RouteContext } from '../context.js';
import { ScanBody } from '../schemas.js';

export const scanRoutes = ({ api, options, policies, authorise }: RouteContext): void => {
  api.post(
    '/api/v1/scan',
    {
      schema: {
        summary: 'Manifests in, the scan report out: what `kubeward scan --format json` prints',
        body: ScanBody,
        response: { 200: z.record(z.string(), z.unknown()), ...ERRORS },
      },
      onRequest: authorise('scan'),
    },
    async (request) => {
      const result = await scanManifests({
        set: policies.current(),
        inputs: ['-'],
        cwd: process.cwd(),
        stdin: () => [request.body.manifests],
        now: options.now(),
        version: options.version,
        namespace: request.body.namespace,
        threads: 1,
      });
      return JSON.parse(JSON.stringify(result.report)) as Record<string, unknown>;
    },
  );
};
