import { constants } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { jsonErrorWithoutContent, parseConfig, selectManifest } from './resolve.js';
import type { TarIndex } from './tar-index.js';
import { ImageSourceError, type Descriptor, type Platform, type ResolvedImage } from './types.js';
import { parseDigest, verifyBuffer, verifyingStream } from './verify.js';

/** Largest JSON document (manifest, index, config) read whole. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

/** Where an OCI layout's files are: a directory, or a tar archive of one. */
export interface LayoutStore {
  read(path: string, maxBytes: number): Promise<Buffer | undefined>;
  /** A blob's bytes; `maxBytes` is the size its descriptor gives (a larger file is refused). */
  stream(path: string, maxBytes: number): Promise<Readable | undefined>;
}

/**
 * Opens a file of a layout directory the way a hostile layout cannot turn: every directory on the
 * way must be a real directory (no symbolic link out of the layout), the file itself is opened
 * with O_NOFOLLOW and O_NONBLOCK (a link is refused, a FIFO cannot block) and must be a regular
 * file (not /dev/zero), no larger than the caller allows. `undefined` when it does not exist.
 */
const openLayoutFile = async (root: string, path: string, maxBytes: number): Promise<{ handle: FileHandle; size: number } | undefined> => {
  const parts = path.split('/');
  let directory = root;
  for (const part of parts.slice(0, -1)) {
    directory = join(directory, part);
    const info = await lstat(directory).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
    if (!info) return undefined;
    if (!info.isDirectory())
      throw new ImageSourceError(
        `${path}: ${parts.slice(0, parts.indexOf(part) + 1).join('/')} is ${info.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}; refused (layout files must be inside the layout)`,
      );
  }
  let handle: FileHandle;
  try {
    handle = await open(join(root, path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new ImageSourceError(`${path} is a symbolic link; refused (layout files must be regular files)`);
    throw new ImageSourceError(`${path}: cannot open (${code ?? (error as Error).message})`);
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new ImageSourceError(`${path} is not a regular file; refused`);
  }
  if (info.size > maxBytes) {
    await handle.close();
    throw new ImageSourceError(`${path} is ${info.size} bytes, more than the ${maxBytes} it may hold`);
  }
  return { handle, size: info.size };
};

/** Reads exactly `size` bytes (what fstat said): a file that grows while it is read is not read further. */
const readAll = async (handle: FileHandle, size: number): Promise<Buffer> => {
  const buffer = Buffer.alloc(size);
  let offset = 0;
  while (offset < size) {
    const { bytesRead } = await handle.read(buffer, offset, size - offset, offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  return offset === size ? buffer : buffer.subarray(0, offset);
};

export const directoryStore = (root: string): LayoutStore => ({
  read: async (path, maxBytes) => {
    const opened = await openLayoutFile(root, path, maxBytes);
    if (!opened) return undefined;
    try {
      return await readAll(opened.handle, opened.size);
    } finally {
      await opened.handle.close();
    }
  },
  stream: async (path, maxBytes) => {
    const opened = await openLayoutFile(root, path, maxBytes);
    if (!opened) return undefined;
    return opened.handle.createReadStream({ start: 0, end: Math.max(0, opened.size - 1), autoClose: true, ...(opened.size === 0 ? { end: -1 } : {}) });
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
    if (descriptor.size > MAX_JSON_BYTES)
      throw new ImageSourceError(`${display}: ${descriptor.digest} is ${descriptor.size} bytes, too large for a manifest or config`);
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
    throw new ImageSourceError(`${display}: index.json is not valid JSON (${jsonErrorWithoutContent(error)})`);
  }
  const manifests = index.manifests ?? [];
  const named = tag === undefined ? manifests : manifests.filter((descriptor) => descriptor.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (named.length === 0) {
    const tags = manifests.map((descriptor) => descriptor.annotations?.['org.opencontainers.image.ref.name']).filter(Boolean);
    throw new ImageSourceError(
      `${display} has no image ${tag === undefined ? '' : `tagged ${JSON.stringify(tag)}`}`.trim(),
      tags.length ? `tags in it: ${tags.join(', ')}` : undefined,
    );
  }
  // Several images: treat the layout's index as an image index and let the platform decide.
  const only = named.length === 1 ? (named[0] as Descriptor) : undefined;
  const top = only
    ? { data: await readJsonBlob(only), digest: only.digest, mediaType: only.mediaType }
    : { data: Buffer.from(JSON.stringify({ ...index, manifests: named })), digest: 'index.json', mediaType: 'application/vnd.oci.image.index.v1+json' };
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
      const input = await store.stream(blobPath(layer.digest), layer.size);
      if (!input) throw new ImageSourceError(`${display}: layer ${layer.digest} is missing`);
      const verify = verifyingStream(layer.digest, layer.size, `${display}: layer ${layer.digest}`);
      input.on('error', (error) => verify.destroy(error));
      return input.pipe(verify);
    },
  };
};
