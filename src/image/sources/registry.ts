import { parseImageName } from '../../k8s/index.js';
import { lookupCredentials, type RegistryCredentials } from './credentials.js';
import { errorDetail, readBody, send, serverUrl, type HttpOptions, type HttpResponse } from './http.js';
import { MAX_JSON_BYTES } from './oci-layout.js';
import { parseConfig, selectManifest } from './resolve.js';
import { ImageSourceError, MEDIA_TYPES, type Descriptor, type Platform, type ResolvedImage } from './types.js';
import { digestOf, parseDigest, verifyBuffer, verifyingStream } from './verify.js';

export interface RegistryOptions {
  /** Plain HTTP, or HTTPS without certificate checks, for this registry. */
  readonly insecure?: boolean;
  /** PEM CA certificates to trust for HTTPS. */
  readonly ca?: string | Buffer;
  /** Given credentials win over the Docker config's. */
  readonly credentials?: RegistryCredentials;
  /** Docker config files to read credentials from (defaults: `~/.docker/config.json`, containers `auth.json`). */
  readonly credentialFiles?: readonly string[];
  readonly timeoutMs?: number;
}

const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerList, MEDIA_TYPES.dockerManifest].join(', ');
const SCHEMA1 = /application\/vnd\.docker\.distribution\.manifest\.v1/;

/** `docker.io` images live on `registry-1.docker.io`. */
const endpointHost = (registry: string): string => (registry === 'docker.io' ? 'registry-1.docker.io' : registry);

interface Challenge {
  readonly scheme: 'bearer' | 'basic';
  readonly params: Readonly<Record<string, string>>;
}

/** `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"`. */
export const parseChallenge = (header: string | undefined): Challenge | undefined => {
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header ?? '');
  if (!match) return undefined;
  const scheme = (match[1] as string).toLowerCase();
  if (scheme !== 'bearer' && scheme !== 'basic') return undefined;
  const params: Record<string, string> = {};
  for (const part of (match[2] as string).matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[(part[1] as string).toLowerCase()] = part[2] === undefined ? (part[3] ?? '') : part[2].replace(/\\(.)/g, '$1');
  }
  return { scheme, params };
};

/**
 * A client for one repository on an OCI distribution registry: bearer-token and basic auth
 * (answering the registry's challenge), credentials from flags or the Docker config, HTTPS with
 * plain HTTP only for insecure registries.
 */
class RegistryClient {
  readonly #registry: string;
  readonly #repository: string;
  readonly #options: RegistryOptions;
  readonly #http: HttpOptions;
  #base: string;
  #authorization: string | undefined;
  #credentials: RegistryCredentials | undefined | null = null;

  constructor(registry: string, repository: string, options: RegistryOptions) {
    this.#registry = registry;
    this.#repository = repository;
    this.#options = options;
    // --insecure-registry is about the registry alone: its token server and blob storage keep their checks.
    this.#http = {
      ...(options.insecure ? { insecureHosts: new Set([endpointHost(registry)]) } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    };
    this.#base = `https://${endpointHost(registry)}`;
  }

  async #credentialsFor(): Promise<RegistryCredentials | undefined> {
    if (this.#credentials === null) this.#credentials = this.#options.credentials ?? (await lookupCredentials(this.#registry, this.#options.credentialFiles));
    return this.#credentials;
  }

  /** One request to the registry, answering an auth challenge once. */
  async get(path: string, accept?: string): Promise<HttpResponse> {
    const headers = (): Record<string, string> => ({ ...(accept ? { accept } : {}), ...(this.#authorization ? { authorization: this.#authorization } : {}) });
    let response = await this.#send(path, headers());
    if (response.status === 401) {
      response.body.destroy();
      // Only the registry itself is answered: a host it redirected to gets no credentials.
      const answeredBy = new URL(response.url).host;
      if (answeredBy !== endpointHost(this.#registry))
        throw new ImageSourceError(`${this.#registry}: ${answeredBy}, where it redirected, asks for authentication; credentials not sent`);
      const challenge = parseChallenge(response.headers['www-authenticate']);
      if (!challenge) throw new ImageSourceError(`${this.#registry} asks for authentication it does not describe (no usable WWW-Authenticate header)`);
      this.#authorization = await this.#authorize(challenge);
      response = await this.#send(path, headers());
      if (response.status === 401) {
        response.body.destroy();
        const credentials = await this.#credentialsFor();
        throw new ImageSourceError(
          `${this.#registry}: authentication failed for ${this.#repository}${credentials ? ` (credentials from ${credentials.from})` : ' (no credentials found)'}`,
          credentials ? 'check the user name and password or token' : 'log in with docker login, or give --username and --password-stdin',
        );
      }
    }
    return response;
  }

  async #send(path: string, headers: Record<string, string>): Promise<HttpResponse> {
    try {
      return await send(`${this.#base}${path}`, { headers }, this.#http);
    } catch (error) {
      // An insecure registry may speak plain HTTP only: Docker tries HTTPS first, then HTTP.
      if (
        this.#options.insecure &&
        this.#base.startsWith('https:') &&
        error instanceof ImageSourceError &&
        /not speaking TLS|ECONNRESET|socket hang up/i.test(error.message)
      ) {
        this.#base = `http://${endpointHost(this.#registry)}`;
        return send(`${this.#base}${path}`, { headers }, this.#http);
      }
      throw error;
    }
  }

  async #authorize(challenge: Challenge): Promise<string> {
    const credentials = await this.#credentialsFor();
    if (challenge.scheme === 'basic') {
      if (credentials?.username === undefined || credentials.password === undefined) {
        throw new ImageSourceError(
          `${this.#registry}: authentication failed for ${this.#repository} (no credentials found; it asks for a user name and password)`,
          'log in with docker login, or give --username and --password-stdin',
        );
      }
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
    const realm = challenge.params.realm;
    if (!realm) throw new ImageSourceError(`${this.#registry}: bearer challenge without a realm`);
    const realmUrl = serverUrl(realm, undefined, `${this.#registry}: token realm`);
    const registryHostname = new URL(`https://${endpointHost(this.#registry)}`).hostname;
    if (realmUrl.protocol === 'http:' && credentials && !(this.#options.insecure && realmUrl.hostname === registryHostname)) {
      throw new ImageSourceError(
        `${this.#registry}: its token server ${realmUrl.host} is plain HTTP; credentials not sent`,
        realmUrl.hostname === registryHostname ? 'add --insecure-registry if you trust the network' : 'a token server on another host must use HTTPS',
      );
    }
    const service = challenge.params.service;
    const scope = challenge.params.scope ?? `repository:${this.#repository}:pull`;
    let response: HttpResponse;
    if (credentials?.identityToken) {
      // An identity token is an OAuth2 refresh token: trade it at the realm (Docker's token spec).
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credentials.identityToken,
        client_id: 'kubeward',
        scope,
        ...(service ? { service } : {}),
      });
      response = await send(
        realmUrl.toString(),
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() },
        this.#http,
      );
    } else {
      if (service) realmUrl.searchParams.set('service', service);
      realmUrl.searchParams.set('scope', scope);
      const basic =
        credentials?.username !== undefined && credentials.password !== undefined
          ? { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` }
          : {};
      response = await send(realmUrl.toString(), { headers: basic }, this.#http);
    }
    const body = await readBody(response, 1024 * 1024, `token from ${realmUrl.host}`);
    if (response.status === 401 || response.status === 403) {
      throw new ImageSourceError(
        `${this.#registry}: the token server refused ${credentials ? `the credentials from ${credentials.from}` : 'anonymous access'} to ${this.#repository}`,
        credentials ? 'check the user name and password or token' : 'log in with docker login, or give --username and --password-stdin',
      );
    }
    if (response.status !== 200) throw new ImageSourceError(`${this.#registry}: token server ${realmUrl.host} answered HTTP ${response.status}`);
    let token: string | undefined;
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { token?: string; access_token?: string };
      token = parsed.token ?? parsed.access_token;
    } catch {
      // fall through to the error below
    }
    if (!token) throw new ImageSourceError(`${this.#registry}: token server ${realmUrl.host} gave no token`);
    return `Bearer ${token}`;
  }

  async statusError(response: HttpResponse, what: string): Promise<ImageSourceError> {
    const detail = await errorDetail(response);
    if (response.status === 404) return new ImageSourceError(`${what}: not found on ${this.#registry}${detail}`, 'check the repository name and tag');
    if (response.status === 403) return new ImageSourceError(`${what}: access denied by ${this.#registry}${detail}`);
    if (response.status === 429)
      return new ImageSourceError(`${what}: ${this.#registry} is rate-limiting requests (HTTP 429)${detail}`, 'wait, or log in for a higher limit');
    return new ImageSourceError(`${what}: ${this.#registry} answered HTTP ${response.status}${detail}`);
  }

  path(kind: 'manifests' | 'blobs', reference: string): string {
    return `/v2/${this.#repository}/${kind}/${reference}`;
  }
}

/** Whether a reference names a registry image rather than a local path. */
export const isRegistryReference = (reference: string): boolean =>
  /^(docker|registry):\/\//.test(reference) ||
  /^[a-z0-9][a-z0-9._-]*(?::[0-9]+)?(?:\/[a-z0-9._/-]+)?(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/.test(reference);

/**
 * Opens an image on a registry over the OCI distribution API: the manifest (or index, then the
 * manifest for the platform), the config, and layers streamed on demand; every blob is checked
 * against its digest.
 */
export const openRegistryImage = async (reference: string, platform: Platform, options: RegistryOptions = {}): Promise<ResolvedImage> => {
  const bare = reference.replace(/^(docker|registry):\/\//, '');
  const name = parseImageName(bare);
  if (name.digest !== undefined) parseDigest(name.digest);
  const display = `${name.registry}/${name.remote}${name.tag ? `:${name.tag}` : ''}${name.digest ? `@${name.digest}` : ''}`;
  const client = new RegistryClient(name.registry, name.remote, options);
  const tagOrDigest = name.digest ?? name.tag ?? 'latest';

  const fetchManifest = async (ref: string, expected?: Descriptor): Promise<{ data: Buffer; digest: string; mediaType?: string }> => {
    const response = await client.get(client.path('manifests', ref), MANIFEST_ACCEPT);
    if (response.status !== 200) throw await client.statusError(response, `${display}: manifest ${ref}`);
    const data = await readBody(response, MAX_JSON_BYTES, `${display}: manifest ${ref}`);
    const mediaType = response.headers['content-type']?.split(';')[0]?.trim();
    if (mediaType && SCHEMA1.test(mediaType))
      throw new ImageSourceError(`${display} uses the Docker schema 1 manifest format, retired in 2019`, 'push it again with a current tool');
    const digest = ref.includes(':') ? ref : ((response.headers['docker-content-digest'] as string | undefined) ?? digestOf(data));
    verifyBuffer(data, digest, expected?.size, `${display}: manifest ${ref}`);
    return { data, digest, ...(mediaType ? { mediaType } : {}) };
  };

  const fetchBlob = async (descriptor: Descriptor): Promise<Buffer> => {
    if (descriptor.size > MAX_JSON_BYTES) throw new ImageSourceError(`${display}: ${descriptor.digest} is ${descriptor.size} bytes, too large for a config`);
    const response = await client.get(client.path('blobs', descriptor.digest));
    if (response.status !== 200) throw await client.statusError(response, `${display}: blob ${descriptor.digest}`);
    const data = await readBody(response, MAX_JSON_BYTES, `${display}: blob ${descriptor.digest}`);
    verifyBuffer(data, descriptor.digest, descriptor.size, `${display}: blob ${descriptor.digest}`);
    return data;
  };

  const top = await fetchManifest(tagOrDigest);
  const selected = await selectManifest(top, (descriptor) => fetchManifest(descriptor.digest, descriptor).then((manifest) => manifest.data), platform, display);
  const config = parseConfig(await fetchBlob(selected.manifest.config), `${display}: config`);
  return {
    source: display,
    name: display,
    manifestDigest: selected.digest,
    manifestMediaType: selected.mediaType,
    manifest: selected.manifest,
    config,
    ...(selected.platform ? { platform: selected.platform } : {}),
    openLayer: async (layer) => {
      const response = await client.get(client.path('blobs', layer.digest));
      if (response.status !== 200) throw await client.statusError(response, `${display}: layer ${layer.digest}`);
      const verify = verifyingStream(layer.digest, layer.size, `${display}: layer ${layer.digest}`);
      response.body.on('error', (error) => verify.destroy(error));
      return response.body.pipe(verify);
    },
  };
};
