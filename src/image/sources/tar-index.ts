import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { ImageSourceError } from './types.js';

interface IndexedEntry {
  readonly offset: number;
  readonly size: number;
  readonly type: string;
  readonly linkname?: string;
}

const BLOCK = 512;

const text = (block: Buffer, start: number, length: number): string => {
  const slice = block.subarray(start, start + length);
  const end = slice.indexOf(0);
  return (end === -1 ? slice : slice.subarray(0, end)).toString('utf8');
};

/** Header size field: octal text, or (GNU) big-endian base-256 when the high bit is set. */
const sizeOf = (block: Buffer): number => {
  const field = block.subarray(124, 136);
  if ((field[0] as number) & 0x80) {
    let value = 0;
    for (let index = 1; index < field.length; index++) value = value * 256 + (field[index] as number);
    return value;
  }
  return Number.parseInt(text(block, 124, 12).trim() || '0', 8);
};

/** pax records: `<length> <key>=<value>\n`. */
const parsePax = (data: Buffer): Record<string, string> => {
  const out: Record<string, string> = {};
  let index = 0;
  while (index < data.length) {
    const space = data.indexOf(0x20, index);
    if (space === -1) break;
    const length = Number(data.subarray(index, space).toString('utf8'));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, index + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) out[record.slice(0, equals)] = record.slice(equals + 1);
    index += length;
  }
  return out;
};

/**
 * An index of a tar archive's entries (name → offset and size), built by reading headers only,
 * so a `docker save` archive's layers can be streamed straight from the file without
 * extracting or reading past what is needed. Understands ustar, pax (`path`, `size`) and GNU
 * long names.
 */
export class TarIndex {
  private constructor(
    readonly path: string,
    private readonly entries: ReadonlyMap<string, IndexedEntry>,
  ) {}

  static async open(path: string): Promise<TarIndex> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new ImageSourceError(`cannot open ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const entries = new Map<string, IndexedEntry>();
    try {
      const { size: total } = await handle.stat();
      const header = Buffer.alloc(BLOCK);
      let offset = 0;
      let pax: Record<string, string> = {};
      let longName: string | undefined;
      while (offset + BLOCK <= total) {
        await handle.read(header, 0, BLOCK, offset);
        if (header.every((byte) => byte === 0)) break;
        const type = String.fromCharCode(header[156] || 0x30);
        let size = sizeOf(header);
        if (!Number.isSafeInteger(size) || size < 0) throw new ImageSourceError(`${path}: the header at offset ${offset} has no valid size`);
        const dataOffset = offset + BLOCK;
        if (type === 'x' || type === 'L') {
          if (size > 1024 * 1024) throw new ImageSourceError(`${path}: an extended header of ${size} bytes at offset ${offset}`);
          const data = Buffer.alloc(size);
          await handle.read(data, 0, size, dataOffset);
          if (type === 'x') pax = parsePax(data);
          else longName = text(data, 0, size);
        } else if (type !== 'g') {
          const prefix = text(header, 345, 155);
          const name = pax.path ?? longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
          if (pax.size !== undefined) {
            // A negative or fractional size would move the reader backwards, onto the same header, for ever.
            if (!/^\d{1,15}$/.test(pax.size))
              throw new ImageSourceError(
                `${path}: the pax header of ${name} at offset ${offset} gives size ${JSON.stringify(pax.size.slice(0, 40))}, not a byte count`,
              );
            size = Number(pax.size);
          }
          const linkname = pax.linkpath ?? text(header, 157, 100);
          if (dataOffset + size > total && (type === '0' || type === '\0'))
            throw new ImageSourceError(`${path}: ${name} runs past the end of the archive (truncated?)`);
          entries.set(posix.normalize(name).replace(/^\.\//, '').replace(/\/$/, ''), { offset: dataOffset, size, type, ...(linkname ? { linkname } : {}) });
          pax = {};
          longName = undefined;
        }
        offset = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
      }
    } finally {
      await handle.close();
    }
    if (entries.size === 0) throw new ImageSourceError(`${path} is not a tar archive (no entries)`);
    return new TarIndex(path, entries);
  }

  /** The entry at a name, following symbolic links inside the archive (`docker save` links layer.tar files). */
  #entry(name: string): IndexedEntry | undefined {
    let current = posix.normalize(name).replace(/^\.\//, '');
    for (let hops = 0; hops < 16; hops++) {
      const entry = this.entries.get(current);
      if (!entry || entry.type !== '2' || !entry.linkname) return entry;
      current = posix.normalize(posix.join(posix.dirname(current), entry.linkname));
    }
    return undefined;
  }

  has(name: string): boolean {
    return this.#entry(name) !== undefined;
  }

  size(name: string): number | undefined {
    return this.#entry(name)?.size;
  }

  async read(name: string, maxBytes: number): Promise<Buffer> {
    const entry = this.#entry(name);
    if (!entry) throw new ImageSourceError(`${this.path} has no ${name}`);
    if (entry.size > maxBytes) throw new ImageSourceError(`${this.path}: ${name} is ${entry.size} bytes, too large to read whole`);
    const handle = await open(this.path, 'r');
    try {
      const data = Buffer.alloc(entry.size);
      await handle.read(data, 0, entry.size, entry.offset);
      return data;
    } finally {
      await handle.close();
    }
  }

  stream(name: string): Readable {
    const entry = this.#entry(name);
    if (!entry) throw new ImageSourceError(`${this.path} has no ${name}`);
    return entry.size === 0
      ? createReadStream(this.path, { start: 1, end: 0 })
      : createReadStream(this.path, { start: entry.offset, end: entry.offset + entry.size - 1 });
  }
}
