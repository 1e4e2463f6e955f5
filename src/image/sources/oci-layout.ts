import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { parseConfig, selectManifest } from './resolve.js';
import type { TarIndex } from './tar-index.js';
import { ImageSourceError, type Descriptor, type Platform, type ResolvedImage } from './types.js';
import { parseDigest, verifyBuffer, verifyingStream } from './verify.js';

/** Largest JSON document (manifest, index, config) read whole. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

/** Where an OCI layout's files are: a directory, or a tar archive of one. */
export interface LayoutStore {
  read(path: string, maxBytes: number): Promise<Buffer | undefined>;
  stream(path: string): Promise<Readable | undefined>;
}

export const directoryStore = (root: string): LayoutStore => ({
  read: async (path, maxBytes) => {
    try {
      const info = await stat(join(root, path));
      if (info.size > maxBytes) throw new ImageSourceError(`${path} is ${info.size} bytes, too large to read whole`);
      return await readFile(join(root, path));
    } catch (error) {
      if (error instanceof ImageSourceError) throw error;
      return undefined;
    }
  },
  stream: async (path) => {
    try {
      await stat(join(root, path));
    } catch {
      return undefined;
    }
    return createReadStream(join(root, path));
  },
});

export const tarStore = (archive: TarIndex): LayoutStore => ({
  read: async (path, maxBytes) => (archive.has(path) ? archive.read(path, maxBytes) : undefined),
  stream: async (path) => (archive.has(path) ? archive.stream(path) : undefined),
});

const blobPath = (digest: string): string => {
  const { algorithm, hex } = parseDigest(digest);
  return `blobs/${algorithm}/${hex}`;
};

/**
 * An OCI image layout (`oci-layout`, `index.json`, `blobs/`), in a directory or an archive.
 * `tag` picks the manifest annotated `org.opencontainers.image.ref.name`; without one, the only
 * image (or the one for the platform). Every blob is checked against its digest.
 */
export const openOciLayout = async (store: LayoutStore, tag: string | undefined, platform: Platform, display: string): Promise<ResolvedImage> => {
  const readJsonBlob = async (descriptor: Descriptor): Promise<Buffer> => {
    if (descriptor.size > MAX_JSON_BYTES) throw new ImageSourceError(`${display}: ${descriptor.digest} is ${descriptor.size} bytes, too large for a manifest or config`);
    const data = await store.read(blobPath(descriptor.digest), MAX_JSON_BYTES);
    if (!data) throw new ImageSourceError(`${display}: blob ${descriptor.digest} is missing`);
    verifyBuffer(data, descriptor.digest, descriptor.size, `${display}: blob ${descriptor.digest}`);
    return data;
  };
  const indexData = await store.read('index.json', MAX_JSON_BYTES);
  if (!indexData) throw new ImageSourceError(`${display} is not an OCI image layout (no index.json)`);
  let index: { manifests?: Descriptor[] };
  try {
    index = JSON.parse(indexData.toString('utf8')) as { manifests?: Descriptor[] };
  } catch (error) {
    throw new ImageSourceError(`${display}: index.json is not valid JSON (${(error as Error).message})`);
  }
  const manifests = index.manifests ?? [];
  const named = tag === undefined ? manifests : manifests.filter((descriptor) => descriptor.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (named.length === 0) {
    const tags = manifests.map((descriptor) => descriptor.annotations?.['org.opencontainers.image.ref.name']).filter(Boolean);
    throw new ImageSourceError(`${display} has no image ${tag === undefined ? '' : `tagged ${JSON.stringify(tag)}`}`.trim(), tags.length ? `tags in it: ${tags.join(', ')}` : undefined);
  }
  // Several images: treat the layout's index as an image index and let the platform decide.
  const only = named.length === 1 ? (named[0] as Descriptor) : undefined;
  const top = only ? { data: await readJsonBlob(only), digest: only.digest, mediaType: only.mediaType } : { data: Buffer.from(JSON.stringify({ ...index, manifests: named })), digest: 'index.json', mediaType: 'application/vnd.oci.image.index.v1+json' };
  const selected = await selectManifest(top, readJsonBlob, platform, display);
  const config = parseConfig(await readJsonBlob(selected.manifest.config), `${display}: config`);
  return {
    source: display,
    manifestDigest: selected.digest,
    manifestMediaType: selected.mediaType,
    manifest: selected.manifest,
    config,
    ...(selected.platform ? { platform: selected.platform } : {}),
    openLayer: async (layer) => {
      const input = await store.stream(blobPath(layer.digest));
      if (!input) throw new ImageSourceError(`${display}: layer ${layer.digest} is missing`);
      const verify = verifyingStream(layer.digest, layer.size, `${display}: layer ${layer.digest}`);
      input.on('error', (error) => verify.destroy(error));
      return input.pipe(verify);
    },
  };
};
