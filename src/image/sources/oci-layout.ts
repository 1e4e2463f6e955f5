import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig, selectManifest } from './resolve.js';
import { ImageSourceError, type Descriptor, type Platform, type ResolvedImage } from './types.js';
import { parseDigest, verifyBuffer, verifyingStream } from './verify.js';

/** Largest JSON document (manifest, index, config) read whole. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

const blobPath = (root: string, digest: string): string => {
  const { algorithm, hex } = parseDigest(digest);
  return join(root, 'blobs', algorithm, hex);
};

/**
 * An OCI image layout directory (`oci-layout`, `index.json`, `blobs/`). `tag` picks the manifest
 * annotated `org.opencontainers.image.ref.name`; without one, the only image (or the one for the
 * platform). Every blob is checked against its digest.
 */
export const openOciLayout = async (root: string, tag: string | undefined, platform: Platform, display: string): Promise<ResolvedImage> => {
  const readJsonBlob = async (descriptor: Descriptor): Promise<Buffer> => {
    if (descriptor.size > MAX_JSON_BYTES) throw new ImageSourceError(`${display}: ${descriptor.digest} is ${descriptor.size} bytes, too large for a manifest or config`);
    let data: Buffer;
    try {
      data = await readFile(blobPath(root, descriptor.digest));
    } catch (error) {
      throw new ImageSourceError(`${display}: blob ${descriptor.digest} is missing (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    verifyBuffer(data, descriptor.digest, descriptor.size, `${display}: blob ${descriptor.digest}`);
    return data;
  };
  let indexData: Buffer;
  try {
    indexData = await readFile(join(root, 'index.json'));
  } catch {
    throw new ImageSourceError(`${display} is not an OCI image layout (no index.json)`);
  }
  const index = JSON.parse(indexData.toString('utf8')) as { manifests?: Descriptor[] };
  const manifests = index.manifests ?? [];
  const named = tag === undefined ? manifests : manifests.filter((descriptor) => descriptor.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (named.length === 0) {
    const tags = manifests.map((descriptor) => descriptor.annotations?.['org.opencontainers.image.ref.name']).filter(Boolean);
    throw new ImageSourceError(`${display} has no image ${tag === undefined ? '' : `tagged ${JSON.stringify(tag)}`}`.trim(), tags.length ? `tags in it: ${tags.join(', ')}` : undefined);
  }
  // Several images: treat the layout's index as an image index and let the platform decide.
  const top = named.length === 1 ? { data: await readJsonBlob(named[0] as Descriptor), digest: (named[0] as Descriptor).digest, mediaType: (named[0] as Descriptor).mediaType } : { data: Buffer.from(JSON.stringify({ ...index, manifests: named })), digest: 'index.json', mediaType: 'application/vnd.oci.image.index.v1+json' };
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
      const path = blobPath(root, layer.digest);
      try {
        await stat(path);
      } catch {
        throw new ImageSourceError(`${display}: layer ${layer.digest} is missing`);
      }
      const verify = verifyingStream(layer.digest, layer.size, `${display}: layer ${layer.digest}`);
      const input = createReadStream(path);
      input.on('error', (error) => verify.destroy(error));
      return input.pipe(verify);
    },
  };
};
