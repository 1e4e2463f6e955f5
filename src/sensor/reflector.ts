import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch } from 'undici';
import { collectionPath, type WatchedResource } from './resources.js';

export type RawObject = Record<string, unknown> & { metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string } };

export interface ReflectorSink {
  /** A complete list: the store replaces what it holds of this resource. */
  readonly replace: (resource: WatchedResource, items: readonly RawObject[], resourceVersion: string) => void;
  readonly apply: (resource: WatchedResource, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: RawObject) => void;
  readonly note: (resource: WatchedResource, message: string) => void;
  /** The resource cannot be listed (403, 404): the rest is judged without it, and the reflector keeps trying. */
  readonly unavailable: (resource: WatchedResource, message: string) => void;
}

export interface ReflectorOptions {
  readonly signal: AbortSignal;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** How long the API server keeps one watch open before it ends it (we then watch again from the last version). */
  readonly watchTimeoutSeconds: number;
}

class GoneError extends Error {}
class NotServedError extends Error {}
class RefusedError extends Error {}

/** A watch that ends this soon without an event is a failure to back off from, not a normal end. */
const SHORT_WATCH_MS = 1000;

const PAGE = 500;

/** Waits, or stops waiting when the signal aborts (its listener removed either way). */
const sleep = async (ms: number, signal: AbortSignal): Promise<void> => {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // aborted: the caller checks the signal
  }
};

/**
 * Keeps one resource in step with the API server, as client-go's reflector does: list (in
 * pages), then watch from the list's resourceVersion with bookmarks; when a watch ends, watch
 * again from the last version seen; when the version is too old (410 Gone, after a compaction)
 * list again; when the server is unreachable, retry with exponential backoff. A relist replaces
 * the resource's objects, so nothing missed while disconnected survives as stale state.
 */
export class Reflector {
  #resourceVersion: string | undefined;

  constructor(
    private readonly config: KubeConfig,
    private readonly resource: WatchedResource,
    private readonly sink: ReflectorSink,
    private readonly options: ReflectorOptions,
  ) {}

  async run(): Promise<void> {
    let backoff = this.options.initialBackoffMs;
    let listed = false;
    while (!this.options.signal.aborted) {
      try {
        if (this.#resourceVersion === undefined) {
          this.#resourceVersion = await this.list();
          listed = true;
        }
        const started = performance.now();
        const events = await this.watch();
        if (events > 0 || performance.now() - started >= SHORT_WATCH_MS) {
          backoff = this.options.initialBackoffMs;
          continue;
        }
        await sleep(backoff, this.options.signal);
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs);
      } catch (error) {
        if (this.options.signal.aborted) return;
        if (error instanceof GoneError) {
          this.sink.note(this.resource, `resourceVersion ${this.#resourceVersion} is too old (410 Gone): listing again`);
          this.#resourceVersion = undefined;
          continue;
        }
        if (error instanceof NotServedError && this.resource.optional) {
          this.sink.note(this.resource, 'not served by this API server; not watched');
          return;
        }
        if ((error instanceof RefusedError || error instanceof NotServedError) && !listed) {
          // Judging waits for every resource: one that cannot be listed must not hold the rest back.
          this.sink.unavailable(this.resource, `${error.message}; judged without ${this.resource.plural} until it can be listed`);
          listed = true;
          backoff = this.options.maxBackoffMs;
        } else {
          this.sink.note(this.resource, `${(error as Error).message}; retrying in ${backoff} ms`);
        }
        await sleep(backoff, this.options.signal);
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs);
      }
    }
  }

  #dispatcher: ReturnType<RequestContext['getDispatcher']>;

  async #request(url: URL, accept: string, signal: AbortSignal) {
    const context = new RequestContext(url.toString(), HttpMethod.GET);
    // Headers are asked for every time (tokens from exec plugins expire); the connection pool is
    // kept, since client-node builds a new one on each call.
    await this.config.applySecurityAuthentication(context);
    const headers = Object.fromEntries(Object.entries(context.getHeaders()));
    this.#dispatcher ??= context.getDispatcher();
    const dispatcher = this.#dispatcher;
    const response = await fetch(url, { method: 'GET', headers: { ...headers, accept }, signal, ...(dispatcher ? { dispatcher } : {}) });
    if (response.status !== 200) {
      const text = (await response.text().catch(() => '')).slice(0, 200);
      if (response.status === 410) throw new GoneError('gone');
      if (response.status === 404) throw new NotServedError(`${collectionPath(this.resource)}: HTTP 404`);
      if (response.status === 401 || response.status === 403) throw new RefusedError(`${collectionPath(this.resource)}: HTTP ${response.status} ${text}`);
      throw new Error(`${collectionPath(this.resource)}: HTTP ${response.status} ${text}`);
    }
    return response;
  }

  #url(query: Record<string, string>): URL {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(`${cluster.server.replace(/\/$/, '')}${collectionPath(this.resource)}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }

  // No fallback for metadata-only: a server that cannot answer as PartialObjectMetadata must
  // refuse (406), never send whole objects.
  #accept(list: boolean): string {
    return this.resource.metadataOnly ? `application/json;as=PartialObjectMetadata${list ? 'List' : ''};g=meta.k8s.io;v=v1` : 'application/json';
  }

  /** Lists every page; returns the list's resourceVersion. */
  async list(): Promise<string> {
    const items: RawObject[] = [];
    let next: string | undefined;
    let resourceVersion = '';
    do {
      const response = await this.#request(this.#url({ limit: String(PAGE), ...(next ? { continue: next } : {}) }), this.#accept(true), this.options.signal);
      const body = (await response.json()) as { kind?: string; items?: RawObject[]; metadata?: { resourceVersion?: string; continue?: string } };
      if (this.resource.metadataOnly && body.kind !== 'PartialObjectMetadataList')
        throw new Error(`${collectionPath(this.resource)}: expected a PartialObjectMetadataList, got ${body.kind}; refusing to hold whole objects`);
      items.push(...(body.items ?? []));
      resourceVersion = body.metadata?.resourceVersion ?? resourceVersion;
      next = body.metadata?.continue || undefined;
    } while (next);
    this.sink.replace(
      this.resource,
      items.map((item) => this.#typed(item)),
      resourceVersion,
    );
    return resourceVersion;
  }

  /**
   * Lists and partial metadata leave kind out of items; the model needs it. Metadata-only objects
   * also lose the annotations and field records that can quote their data: `kubectl apply` keeps
   * the whole applied Secret, values included, in last-applied-configuration.
   */
  #typed(object: RawObject): RawObject {
    if (!this.resource.metadataOnly) return { ...object, kind: this.resource.kind, apiVersion: this.resource.apiVersion };
    const metadata = { ...(object.metadata ?? {}) } as Record<string, unknown>;
    delete metadata.managedFields;
    if (metadata.annotations && typeof metadata.annotations === 'object') {
      const annotations = { ...(metadata.annotations as Record<string, string>) };
      delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
      metadata.annotations = annotations;
    }
    return { metadata, kind: this.resource.kind, apiVersion: this.resource.apiVersion } as RawObject;
  }

  /** One watch, until the server ends it; events update the last resourceVersion seen. Returns how many events came. */
  async watch(): Promise<number> {
    let events = 0;
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    this.options.signal.addEventListener('abort', abort, { once: true });
    // A watch that goes silent (a half-open connection) is abandoned after the timeout plus a margin.
    let idle: NodeJS.Timeout | undefined;
    let body: Readable | undefined;
    const touch = (): void => {
      clearTimeout(idle);
      idle = setTimeout(abort, (this.options.watchTimeoutSeconds + 30) * 1000);
      idle.unref();
    };
    try {
      touch();
      const response = await this.#request(
        this.#url({
          watch: 'true',
          resourceVersion: this.#resourceVersion ?? '0',
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(this.options.watchTimeoutSeconds),
        }),
        this.#accept(false),
        controller.signal,
      );
      if (!response.body) throw new Error(`watch ${collectionPath(this.resource)}: no body`);
      body = Readable.fromWeb(response.body as WebReadableStream);
      // Aborting the request errors the stream; the loop below has already ended by then.
      body.on('error', () => undefined);
      const lines = createInterface({ input: body, crlfDelay: Infinity });
      for await (const line of lines) {
        touch();
        if (line.trim() === '') continue;
        events++;
        const event = JSON.parse(line) as { type: string; object: RawObject & { code?: number; message?: string } };
        if (event.type === 'ERROR') {
          if (event.object.code === 410) throw new GoneError(event.object.message ?? 'gone');
          throw new Error(`watch error: ${event.object.message ?? JSON.stringify(event.object)}`);
        }
        const version = event.object.metadata?.resourceVersion;
        if (event.type === 'BOOKMARK') {
          if (version) this.#resourceVersion = version;
          continue;
        }
        if (this.resource.metadataOnly && event.object.kind !== 'PartialObjectMetadata')
          throw new Error(
            `${collectionPath(this.resource)}: expected PartialObjectMetadata in the watch, got ${event.object.kind as string}; refusing to hold whole objects`,
          );
        if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') {
          this.sink.apply(this.resource, event.type, this.#typed(event.object));
          if (version) this.#resourceVersion = version;
        }
      }
    } finally {
      clearTimeout(idle);
      this.options.signal.removeEventListener('abort', abort);
      body?.destroy();
      controller.abort();
    }
    return events;
  }
}
