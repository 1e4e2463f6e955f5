import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ImageSourceError } from './types.js';

/** What a registry is told about who is asking. Values are used for requests only, never printed or stored. */
export interface RegistryCredentials {
  readonly username?: string;
  readonly password?: string;
  /** An OAuth2 refresh token (Docker's `identitytoken`), traded for access tokens. */
  readonly identityToken?: string;
  /** Where they came from, for messages: `--username`, `~/.docker/config.json`, `docker-credential-pass`. */
  readonly from: string;
}

interface DockerConfig {
  readonly auths?: Readonly<
    Record<string, { readonly auth?: string; readonly username?: string; readonly password?: string; readonly identitytoken?: string }>
  >;
  readonly credHelpers?: Readonly<Record<string, string>>;
  readonly credsStore?: string;
}

const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

/** The keys a config file may file a registry's credentials under (Docker writes several spellings). */
const keysFor = (registry: string): string[] =>
  registry === 'docker.io' ? DOCKER_HUB_KEYS : [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];

/** Config files in the order Docker, then Podman and skopeo, read them. */
export const credentialFiles = (env: NodeJS.ProcessEnv = process.env): string[] => [
  join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json'),
  ...(env.REGISTRY_AUTH_FILE ? [env.REGISTRY_AUTH_FILE] : []),
  ...(env.XDG_RUNTIME_DIR ? [join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json')] : []),
];

const readConfig = async (path: string): Promise<DockerConfig | undefined> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as DockerConfig;
  } catch (error) {
    throw new ImageSourceError(
      `${path} is not valid JSON (${(error as Error).message})`,
      'fix or move the file, or give credentials with --username and --password-stdin',
    );
  }
};

/** Runs `docker-credential-<helper> get`, which answers `{"Username": ..., "Secret": ...}` for a server. */
/** `https://index.docker.io/v1/` → `index.docker.io`; Docker Hub's spellings all → `docker.io`. */
const hostOf = (key: string): string => {
  const host = key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return DOCKER_HUB_KEYS.some((hub) => hub.replace(/^https:\/\//, '').replace(/\/.*$/, '') === host) ? 'docker.io' : host;
};

const fromHelper = (helper: string, server: string, optional: boolean): Promise<RegistryCredentials | undefined> =>
  new Promise((resolve, reject) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: 30_000, maxBuffer: 1024 * 1024 }, (error, stdout) => {
      if (error) {
        // The helper answers "credentials not found" with a non-zero exit: no credentials, not a failure.
        if (/not found/i.test(`${stdout} ${error.message}`)) return resolve(undefined);
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          if (optional) return resolve(undefined);
          return reject(new ImageSourceError(`credential helper docker-credential-${helper} (named in the Docker config) is not installed`));
        }
        return reject(new ImageSourceError(`credential helper docker-credential-${helper} failed for ${server}`));
      }
      try {
        const answer = JSON.parse(stdout) as { Username?: string; Secret?: string };
        if (!answer.Secret) return resolve(undefined);
        const from = `docker-credential-${helper}`;
        resolve(
          answer.Username === '<token>'
            ? { identityToken: answer.Secret, from }
            : { ...(answer.Username ? { username: answer.Username } : {}), password: answer.Secret, from },
        );
      } catch {
        reject(new ImageSourceError(`credential helper docker-credential-${helper} gave an answer that is not JSON`));
      }
    });
    child.stdin?.end(server);
  });

/**
 * Credentials for a registry from Docker's config (`auths`, `credHelpers`, `credsStore`) and the
 * containers `auth.json` files, the first file that knows the registry winning.
 */
export const lookupCredentials = async (registry: string, files: readonly string[] = credentialFiles()): Promise<RegistryCredentials | undefined> => {
  for (const path of files) {
    const config = await readConfig(path);
    if (!config) continue;
    const keys = keysFor(registry);
    // Docker files a registry under several spellings (`https://host/`, `https://host/v1/`): compare hosts.
    const wanted = new Set(keys.map(hostOf));
    const matching = Object.keys(config.auths ?? {}).filter((key) => wanted.has(hostOf(key)));
    const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => wanted.has(hostOf(key)))?.[1];
    if (helper) return fromHelper(helper, keys[0] as string, false);
    for (const key of matching) {
      const entry = config.auths?.[key];
      if (!entry) continue;
      if (entry.identitytoken) return { identityToken: entry.identitytoken, from: path };
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 0) throw new ImageSourceError(`${path}: the auth entry for ${key} is not base64 of user:password`);
        return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), from: path };
      }
      if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password, from: path };
      // An empty entry next to a credsStore means "ask the store".
    }
    // Docker asks its store for every registry; a store that is not installed here means none.
    if (config.credsStore) return fromHelper(config.credsStore, keys[0] as string, true);
  }
  return undefined;
};
