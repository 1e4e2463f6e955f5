import { MAX_JSON_BYTES } from './oci-layout.js';
import { jsonErrorWithoutContent, parseConfig } from './resolve.js';
import type { TarIndex } from './tar-index.js';
import { ImageSourceError, MEDIA_TYPES, type ResolvedImage } from './types.js';
import { digestOf, verifyingStream } from './verify.js';

interface DockerManifestEntry {
  readonly Config: string;
  readonly RepoTags?: readonly string[] | null;
  readonly Layers: readonly string[];
}

/** `nginx:1.25` and `docker.io/library/nginx:1.25` name the same tag. */
const sameTag = (wanted: string, tag: string): boolean => {
  const full = (name: string): string => {
    const withTag = /:[^/]+$/.test(name) ? name : `${name}:latest`;
    const [first] = withTag.split('/');
    if (!withTag.includes('/')) return `docker.io/library/${withTag}`;
    return first?.includes('.') || first?.includes(':') || first === 'localhost' ? withTag : `docker.io/${withTag}`;
  };
  return full(wanted) === full(tag);
};

/** The digest a layer's path names: `blobs/sha256/<hex>` (Docker 25+) or `<hex>.tar` (skopeo). */
const digestInPath = (path: string): string | undefined => {
  const hex = /(?:^|\/)(?:blobs\/sha256\/)?([a-f0-9]{64})(?:\.tar)?$/.exec(path)?.[1];
  return hex ? `sha256:${hex}` : undefined;
};

/**
 * A `docker save` archive (`manifest.json`, a config and one tar per layer). Layers are checked
 * against the digest their path names, or else the config's `diff_ids` (older archives store
 * layers uncompressed, so the two are the same bytes).
 */
export const openDockerArchive = async (archive: TarIndex, tag: string | undefined, display: string): Promise<ResolvedImage> => {
  let entries: DockerManifestEntry[];
  try {
    entries = JSON.parse((await archive.read('manifest.json', MAX_JSON_BYTES)).toString('utf8')) as DockerManifestEntry[];
  } catch (error) {
    throw new ImageSourceError(
      `${display}: manifest.json cannot be read (${error instanceof SyntaxError ? `not valid JSON: ${jsonErrorWithoutContent(error)}` : (error as Error).message})`,
    );
  }
  if (!Array.isArray(entries) || entries.length === 0) throw new ImageSourceError(`${display}: manifest.json lists no image`);
  const chosen =
    tag === undefined
      ? entries.length === 1
        ? entries[0]
        : undefined
      : entries.find((entry) => (entry.RepoTags ?? []).some((repoTag) => sameTag(tag, repoTag)));
  if (!chosen) {
    const tags = entries.flatMap((entry) => entry.RepoTags ?? []);
    throw new ImageSourceError(
      `${display} holds ${entries.length} images${tag ? ', none tagged ' + JSON.stringify(tag) : ''}`,
      tags.length ? `name one: ${tags.join(', ')}` : undefined,
    );
  }
  if (typeof chosen.Config !== 'string' || !Array.isArray(chosen.Layers)) throw new ImageSourceError(`${display}: manifest.json entry needs Config and Layers`);
  const configData = await archive.read(chosen.Config, MAX_JSON_BYTES);
  const configDigest = digestOf(configData);
  const named = digestInPath(chosen.Config);
  if (named && named !== configDigest) throw new ImageSourceError(`${display}: config ${chosen.Config} has digest ${configDigest}`);
  const config = parseConfig(configData, `${display}: config`);
  const diffIds = config.rootfs?.diff_ids ?? [];
  const layers = chosen.Layers.map((path, index) => {
    const size = archive.size(path);
    if (size === undefined) throw new ImageSourceError(`${display}: layer ${path} is missing`);
    const digest = digestInPath(path) ?? diffIds[index];
    if (!digest) throw new ImageSourceError(`${display}: layer ${path} has no digest to check it against`);
    return { mediaType: 'application/vnd.docker.image.rootfs.diff.tar', digest, size, path };
  });
  // The config is content-addressed, manifest.json is not: a layer is the image's only if it
  // uncompresses to the config's diff_id. Uncompressed layers named by that digest are checked
  // already; others are checked again after decompression.
  const diffIdChecks = new Map<string, string>();
  for (const [index, layer] of layers.entries()) {
    const diffId = diffIds[index];
    if (diffId === undefined) throw new ImageSourceError(`${display}: the config lists ${diffIds.length} layer digests (diff_ids) for ${layers.length} layers`);
    if (layer.digest !== diffId) diffIdChecks.set(layer.digest, diffId);
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.dockerManifest,
    config: { mediaType: MEDIA_TYPES.dockerConfig, digest: configDigest, size: configData.length },
    layers: layers.map(({ path: _path, ...layer }) => layer),
  };
  return {
    source: display,
    // An archive has no manifest of its own: the image is known by its config digest (`docker images` ID).
    manifestDigest: configDigest,
    manifestMediaType: MEDIA_TYPES.dockerManifest,
    manifest,
    config,
    diffIdChecks,
    ...(chosen.RepoTags?.[0] ? { name: chosen.RepoTags.find((repoTag) => tag !== undefined && sameTag(tag, repoTag)) ?? chosen.RepoTags[0] } : {}),
    openLayer: async (descriptor) => {
      const layer = layers.find((candidate) => candidate.digest === descriptor.digest);
      if (!layer) throw new ImageSourceError(`${display}: no layer ${descriptor.digest}`);
      const verify = verifyingStream(layer.digest, layer.size, `${display}: layer ${layer.path}`);
      const input = archive.stream(layer.path);
      input.on('error', (error) => verify.destroy(error));
      return input.pipe(verify);
    },
  };
};
