import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Counter, Histogram } from 'prom-client';
import type { PolicySet } from '../../app/index.js';
import type { TlsOptions } from '../../http-server/index.js';
import type { ImageScanner } from '../image-scanning.js';
import type { ImageCatalogue } from '../images.js';
import type { Ingestor } from '../ingest.js';
import type { CentralPolicies } from '../policies.js';
import type { CentralStore, Scope } from '../store/index.js';
import type { Permission } from './auth.js';
import { ApiErrorSchema } from './schemas.js';

export interface ApiOptions {
  readonly store: CentralStore;
  /** The server's own set: seeds central's policies, and holds the thresholds and `ignore:` rules. */
  readonly set: PolicySet;
  /** Central's policies over the store; made from `set` when absent. */
  readonly policies?: CentralPolicies;
  readonly version: string;
  readonly now: () => Date;
  readonly tls?: TlsOptions | undefined;
  /** pino options, or false for no log. */
  readonly log: boolean | { readonly level: string; readonly stream?: NodeJS.WritableStream };
  /** Requests a second per token, and the burst allowed. */
  readonly rateLimit?: { readonly rate: number; readonly burst: number };
  readonly bodyLimitBytes?: number;
  /** The ingest pipeline; one is made over the store when absent. */
  readonly ingestor?: Ingestor;
  /** The image scans central holds; one is made over the store when absent. */
  readonly images?: ImageCatalogue;
  /** The server's own image scans, when it makes them. */
  readonly scanner?: ImageScanner | undefined;
  /** The web console's built files (dist/ui of the package by default); false for the API alone. */
  readonly console?: string | false | undefined;
}

/** The Fastify instance routes are declared on, with zod schemas as the type provider. */
export type ZodApi = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** What every route module is given: the API, the store, the pipeline, and the guards. */
export interface RouteContext {
  readonly api: ZodApi;
  readonly store: CentralStore;
  readonly options: ApiOptions;
  readonly ingestor: Ingestor;
  readonly images: ImageCatalogue;
  readonly policies: CentralPolicies;
  readonly authorise: (permission: Permission) => (request: FastifyRequest) => Promise<void>;
  readonly metrics: {
    readonly ingests: Counter<'cluster' | 'outcome'>;
    readonly ingestDuration: Histogram<'cluster'>;
  };
}

export const ERRORS = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
  409: ApiErrorSchema,
  413: ApiErrorSchema,
  429: ApiErrorSchema,
  502: ApiErrorSchema,
  503: ApiErrorSchema,
};

/** The scope a query runs in: the token's scope; a filter can only narrow it (the store applies both). */
export const within = (request: FastifyRequest): Scope => request.principal?.token.scope ?? {};

/** The actor a change is recorded under. */
export const actorOf = (request: FastifyRequest): string => request.principal?.actor ?? 'anonymous';

export const csvCell = (value: unknown): string => {
  let text = value === undefined || value === null ? '' : String(value);
  // A cell a spreadsheet would run as a formula is written as text.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The most a list export holds: beyond it, page through the JSON. */
export const CSV_MAX_ROWS = 100_000;
