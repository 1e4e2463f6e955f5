import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDockerArchive } from './docker-archive.js';
import { directoryStore, openOciLayout, tarStore } from './oci-layout.js';
import { isRegistryReference, openRegistryImage, type RegistryOptions } from './registry.js';
import { TarIndex } from './tar-index.js';
import { ImageSourceError, type Platform, type ResolvedImage } from './types.js';

export { formatPlatform, hostPlatform, parsePlatform } from './resolve.js';
export { ImageSourceError, type Platform, type ResolvedImage } from './types.js';
export { type RegistryCredentials } from './credentials.js';
export { type RegistryOptions } from './registry.js';

const HINT =
  'give a registry reference (registry/repository:tag), an OCI layout directory, a docker save or OCI archive, or oci:<dir>[:tag], oci-archive:<file>[:tag], docker-archive:<file>[:name:tag]';

/** Names that can only be files: a missing one is a missing file, not a registry image. */
const LOOKS_LIKE_PATH = /^[./~]|(^|\/)\.\.(\/|$)|\.(tar|tgz|tar\.gz|tar\.zst|tar\.xz|tar\.bz2|txz|oci)$/;

/** `kind:path[:tag]`; a path that exists as written wins over reading its last colon as a tag. */
const splitReference = (reference: string, kind: string): { path: string; tag?: string } | undefined => {
  if (!reference.startsWith(`${kind}:`)) return undefined;
  const rest = reference.slice(kind.length + 1);
  if (existsSync(rest)) return { path: rest };
  // docker-archive tags are name:tag (`nginx:1.25`); OCI tags are one word.
  const match = (kind === 'docker-archive' ? /^([^:]+):(.+)$/ : /^(.+):([^/:]+)$/).exec(rest);
  return match ? { path: match[1] as string, tag: match[2] as string } : { path: rest };
};

const openArchive = async (
  path: string,
  tag: string | undefined,
  display: string,
  kind: 'oci' | 'docker' | undefined,
  platform: Platform,
): Promise<ResolvedImage> => {
  const archive = await TarIndex.open(path);
  const oci = archive.has('index.json') && archive.has('oci-layout');
  // Docker 25+ writes both layouts into one archive; the OCI one carries real manifest digests.
  if (kind !== 'docker' && oci) return openOciLayout(tarStore(archive), tag, platform, display);
  if (kind !== 'oci' && archive.has('manifest.json')) return openDockerArchive(archive, tag, display);
  throw new ImageSourceError(
    `${display} is ${kind === 'oci' ? 'not an OCI archive (no index.json)' : kind === 'docker' ? 'not a docker save archive (no manifest.json)' : 'neither a docker save archive nor an OCI archive'}`,
    HINT,
  );
};

/**
 * Opens what a user names as an image:
 * - `docker://<reference>`, or a reference that is no local path (`nginx:1.27`,
 *   `ghcr.io/org/app@sha256:...`): an image on a registry;
 * - a directory holding `oci-layout`, or `oci:<dir>[:<tag>]`: an OCI image layout;
 * - a tar file, or `oci-archive:<file>[:<tag>]` / `docker-archive:<file>[:<name:tag>]`: an OCI
 *   archive or a `docker save` archive (told apart by what they hold).
 */
export const openImage = async (
  reference: string,
  options: { readonly cwd: string; readonly platform: Platform; readonly registry?: RegistryOptions },
): Promise<ResolvedImage> => {
  if (/^(docker|registry):\/\//.test(reference)) return openRegistryImage(reference, options.platform, options.registry);
  const oci = splitReference(reference, 'oci');
  if (oci) return openOciLayout(directoryStore(resolve(options.cwd, oci.path)), oci.tag, options.platform, reference);
  for (const [prefix, kind] of [
    ['oci-archive', 'oci'],
    ['docker-archive', 'docker'],
  ] as const) {
    const named = splitReference(reference, prefix);
    if (named) return openArchive(resolve(options.cwd, named.path), named.tag, reference, kind, options.platform);
  }
  const path = resolve(options.cwd, reference);
  if (!existsSync(path)) {
    if (!LOOKS_LIKE_PATH.test(reference) && isRegistryReference(reference)) {
      try {
        return await openRegistryImage(reference, options.platform, options.registry);
      } catch (error) {
        // A registry that cannot be reached may have been a mistyped file name: say none is here either.
        const unreachable = error instanceof ImageSourceError && /host not found|connection refused/.test(error.message);
        if (unreachable) throw new ImageSourceError(`${error.message} (and no file or directory named ${reference} here either)`, error.hint ?? HINT);
        throw error;
      }
    }
    if (!LOOKS_LIKE_PATH.test(reference) && /[A-Z]/.test(reference.split(/[:@]/)[0] ?? '') && isRegistryReference(reference.toLowerCase())) {
      throw new ImageSourceError(
        `${reference}: no such file, and repository names must be lowercase`,
        `docker://${reference.toLowerCase()} for the registry image`,
      );
    }
    throw new ImageSourceError(`${reference}: no such image source`, HINT);
  }
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, 'oci-layout'))) return openOciLayout(directoryStore(path), undefined, options.platform, reference);
    throw new ImageSourceError(
      `${reference} is a directory but not an OCI image layout (no oci-layout file)`,
      isRegistryReference(reference) ? `for the registry image of that name, write docker://${reference}` : HINT,
    );
  }
  return openArchive(path, undefined, reference, undefined, options.platform);
};
