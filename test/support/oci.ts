import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import tar from 'tar-stream';

export interface TarEntry {
  readonly name: string;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device';
  readonly content?: string | Buffer;
  readonly linkname?: string;
  readonly mode?: number;
}

/** A tar archive made of the given entries, exactly as written (hostile names included). */
export const tarOf = async (entries: readonly TarEntry[]): Promise<Buffer> => {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const entry of entries) {
    const content = typeof entry.content === 'string' ? Buffer.from(entry.content) : entry.content;
    const body = content ?? Buffer.alloc(0);
    pack.entry(
      { name: entry.name, type: entry.type ?? 'file', mode: entry.mode ?? 0o644, ...(entry.linkname ? { linkname: entry.linkname } : {}), size: body.length },
      body,
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
};

/** A gzipped tar of the entries, compressed as it is packed: large contents never sit in memory twice. */
export const gzipTarOf = async (entries: readonly TarEntry[]): Promise<Buffer> => {
  const { createGzip } = await import('node:zlib');
  const pack = tar.pack();
  const gzip = createGzip();
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  pack.pipe(gzip);
  for (const entry of entries) {
    const body = typeof entry.content === 'string' ? Buffer.from(entry.content) : (entry.content ?? Buffer.alloc(0));
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: entry.name, type: entry.type ?? 'file', mode: entry.mode ?? 0o644, size: body.length }, body, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
};

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Writes a minimal OCI image layout holding one image, tagged `test`; returns the blob digests. */
export const writeOciLayout = async (
  directory: string,
  layers: readonly { readonly data: Buffer; readonly mediaType: string }[],
  config: Record<string, unknown> = {},
): Promise<{ manifest: string; config: string; layers: string[] }> => {
  await mkdir(join(directory, 'blobs', 'sha256'), { recursive: true });
  const put = async (data: Buffer): Promise<string> => {
    const digest = sha256(data);
    await writeFile(join(directory, 'blobs', 'sha256', digest.slice(7)), data);
    return digest;
  };
  const layerDigests = await Promise.all(layers.map((layer) => put(layer.data)));
  const configData = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, ...config }));
  const configDigest = await put(configData);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: configData.length },
      layers: layers.map((layer, index) => ({ mediaType: layer.mediaType, digest: layerDigests[index], size: layer.data.length })),
    }),
  );
  const manifestDigest = await put(manifest);
  await writeFile(join(directory, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(directory, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': 'test' },
        },
      ],
    }),
  );
  return { manifest: manifestDigest, config: configDigest, layers: layerDigests };
};
