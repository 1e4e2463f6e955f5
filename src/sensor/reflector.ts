import { createInterface } from 'node:readline';
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

const PAGE = 500;

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

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
    while (!this.options.signal.aborted) {
      try {
        if (this.#resourceVersion === undefined) this.#resourceVersion = await this.list();
        await this.watch();
        backoff = this.options.initialBackoffMs;
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
        this.sink.note(this.resource, `${(error as Error).message}; retrying in ${backoff} ms`);
        await sleep(backoff, this.options.signal);
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs);
      }
    }
  }

  async #request(url: URL, accept: string, signal: AbortSignal) {
    const context = new RequestContext(url.toString(), HttpMethod.GET);
    await this.config.applySecurityAuthentication(context);
    const headers = Object.fromEntries(Object.entries(context.getHeaders()));
    const dispatcher = context.getDispatcher();
    return fetch(url, { method: 'GET', headers: { ...headers, accept }, signal, ...(dispatcher ? { dispatcher } : {}) });
  }

  #url(query: Record<string, string>): URL {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(`${cluster.server.replace(/\/$/, '')}${collectionPath(this.resource)}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }

  #accept(list: boolean): string {
    return this.resource.metadataOnly ? `application/json;as=PartialObjectMetadata${list ? 'List' : ''};g=meta.k8s.io;v=v1, application/json` : 'application/json';
  }

  /** Lists every page; returns the list's resourceVersion. */
  async list(): Promise<string> {
    const items: RawObject[] = [];
    let next: string | undefined;
    let resourceVersion = '';
    do {
      const response = await this.#request(this.#url({ limit: String(PAGE), ...(next ? { continue: next } : {}) }), this.#accept(true), this.options.signal);
      if (response.status === 410) throw new GoneError('list continuation expired');
      if (response.status === 404) throw new NotServedError('not found');
      if (response.status !== 200) throw new Error(`list ${collectionPath(this.resource)}: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
      const body = (await response.json()) as { items?: RawObject[]; metadata?: { resourceVersion?: string; continue?: string } };
      items.push(...(body.items ?? []));
      resourceVersion = body.metadata?.resourceVersion ?? resourceVersion;
      next = body.metadata?.continue || undefined;
    } while (next);
    this.sink.replace(this.resource, items.map((item) => this.#typed(item)), resourceVersion);
    return resourceVersion;
  }

  /** Lists and partial metadata leave kind out of items; the model needs it. */
  #typed(object: RawObject): RawObject {
    return { ...object, kind: this.resource.kind, apiVersion: this.resource.apiVersion };
  }

  /** One watch, until the server ends it; events update the last resourceVersion seen. */
  async watch(): Promise<void> {
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
        this.#url({ watch: 'true', resourceVersion: this.#resourceVersion ?? '0', allowWatchBookmarks: 'true', timeoutSeconds: String(this.options.watchTimeoutSeconds) }),
        this.#accept(false),
        controller.signal,
      );
      if (response.status === 410) throw new GoneError('gone');
      if (response.status === 404) throw new NotServedError('not found');
      if (response.status !== 200 || !response.body) throw new Error(`watch ${collectionPath(this.resource)}: HTTP ${response.status}`);
      body = Readable.fromWeb(response.body as WebReadableStream);
      // Aborting the request errors the stream; the loop below has already ended by then.
      body.on('error', () => undefined);
      const lines = createInterface({ input: body, crlfDelay: Infinity });
      for await (const line of lines) {
        touch();
        if (line.trim() === '') continue;
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
  }
}
