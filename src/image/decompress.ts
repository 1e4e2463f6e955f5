import { createGunzip } from 'node:zlib';
import { Transform, type Readable } from 'node:stream';
import { Decompress } from 'fzstd';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Compression from the media type, else from the first bytes (docker-archive layers carry no media type). */
export const compressionOf = (mediaType: string | undefined, head: Uint8Array): Compression => {
  if (mediaType?.endsWith('+gzip') || mediaType?.endsWith('.gzip')) return 'gzip';
  if (mediaType?.endsWith('+zstd') || mediaType?.endsWith('.zstd')) return 'zstd';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
};

export class DecompressionLimitError extends Error {
  constructor(limit: number) {
    super(`expands past ${limit} bytes (a decompression bomb?)`);
    this.name = 'DecompressionLimitError';
  }
}

/** Counts what flows through and fails the stream once it passes `limit` bytes. */
const capped = (limit: number): Transform => {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > limit) callback(new DecompressionLimitError(limit));
      else callback(null, chunk);
    },
  });
};

/** zstd through fzstd (Node 20's zlib has none), as a stream. */
const zstdStream = (): Transform => {
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        decoder.push(chunk);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback) {
      try {
        decoder.push(new Uint8Array(0), true);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  const decoder = new Decompress((data) => {
    stream.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  return stream;
};

/** The uncompressed bytes of a layer, never more than `limit` of them. */
export const decompress = (input: Readable, compression: Compression, limit: number): Readable => {
  const decoded = compression === 'gzip' ? input.pipe(createGunzip()) : compression === 'zstd' ? input.pipe(zstdStream()) : input;
  const output = decoded.pipe(capped(limit));
  // Errors anywhere upstream (a truncated gzip, a failing read) end the output with that error.
  for (const stage of new Set([input, decoded])) stage.on('error', (error) => output.destroy(error));
  return output;
};
