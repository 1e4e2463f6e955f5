import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { ImageSourceError } from './types.js';

const DIGEST = /^(sha256|sha512):([a-f0-9]+)$/;

/** Splits a digest, refusing anything but `sha256:<64 hex>` / `sha512:<128 hex>` (a digest also names a file). */
export const parseDigest = (digest: string): { algorithm: 'sha256' | 'sha512'; hex: string } => {
  const match = DIGEST.exec(digest);
  const algorithm = match?.[1] as 'sha256' | 'sha512' | undefined;
  const hex = match?.[2];
  if (!algorithm || !hex || hex.length !== (algorithm === 'sha256' ? 64 : 128)) throw new ImageSourceError(`invalid digest ${JSON.stringify(digest)}`);
  return { algorithm, hex };
};

export const digestOf = (data: Buffer | string, algorithm: 'sha256' | 'sha512' = 'sha256'): string =>
  `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;

/** Checks bytes that were read whole against their descriptor. */
export const verifyBuffer = (data: Buffer, digest: string, size: number | undefined, what: string): void => {
  const { algorithm } = parseDigest(digest);
  if (size !== undefined && data.length !== size) throw new ImageSourceError(`${what}: ${data.length} bytes where the descriptor says ${size} (truncated?)`);
  const actual = digestOf(data, algorithm);
  if (actual !== digest) throw new ImageSourceError(`${what}: content digest ${actual} does not match ${digest}`);
};

/** Passes bytes through, and fails at the end when their digest or count is not what the descriptor says. */
export const verifyingStream = (digest: string, size: number | undefined, what: string): Transform => {
  const { algorithm } = parseDigest(digest);
  const hash = createHash(algorithm);
  let count = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      count += chunk.length;
      if (size !== undefined && count > size) callback(new ImageSourceError(`${what}: more bytes than the ${size} its descriptor says`));
      else callback(null, chunk);
    },
    flush(callback) {
      if (size !== undefined && count !== size) return callback(new ImageSourceError(`${what}: ${count} bytes where the descriptor says ${size} (truncated?)`));
      const actual = `${algorithm}:${hash.digest('hex')}`;
      callback(actual === digest ? null : new ImageSourceError(`${what}: content digest ${actual} does not match ${digest}`));
    },
  });
};
