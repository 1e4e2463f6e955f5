/**
 * Reads the package headers of an rpm NDB database (`Packages.db`, the default of SUSE since
 * SLE 15 / openSUSE Leap 15): written from rpm's lib/backend/ndb/rpmpkg.c. Little-endian
 * throughout. A 32-byte header ("RpmP", version 0, generation, number of slot pages), then the
 * slot pages (4 KiB each, 16-byte slots "Slot", package index, block offset, block count; the
 * header takes the first two slots), then blobs on 16-byte blocks: a 16-byte head ("BlbS",
 * package index, timestamp, length), the header blob, zero padding, and a 12-byte tail
 * (Adler-32 of head, blob and padding; length; "BlbE"). `Index.db` only indexes tags, and is
 * not needed to list packages.
 */
const HEADER_MAGIC = 0x506d7052; // 'RpmP'
const SLOT_MAGIC = 0x746f6c53; // 'Slot'
const BLOB_HEAD_MAGIC = 0x53626c42; // 'BlbS'
const BLOB_TAIL_MAGIC = 0x45626c42; // 'BlbE'
const HEADER_SIZE = 32;
const SLOT_SIZE = 16;
const BLOCK_SIZE = 16;
const PAGE_SIZE = 4096;
const BLOB_HEAD_SIZE = 16;
const BLOB_TAIL_SIZE = 12;
/** rpm itself never makes more: 2048 pages hold half a million slots. */
const MAX_SLOT_PAGES = 2048;

export class NdbError extends Error {}

export const isNdb = (data: Buffer): boolean => data.length >= HEADER_SIZE && data.readUInt32LE(0) === HEADER_MAGIC;

/** Adler-32 (RFC 1950), which NDB keeps over each blob. */
const adler32 = (data: Buffer): number => {
  let a = 1;
  let b = 0;
  for (let start = 0; start < data.length; start += 5552) {
    const end = Math.min(data.length, start + 5552);
    for (let index = start; index < end; index++) {
      a += data[index] as number;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
};

export interface NdbBlobs {
  /** Every package header blob, in slot order. */
  readonly blobs: Buffer[];
  /** Blobs that could not be read, each with why: the others are still listed. */
  readonly errors: string[];
}

/** The header blobs of an NDB `Packages.db`; throws when the file is no NDB database at all. */
export const readNdbBlobs = (data: Buffer): NdbBlobs => {
  if (!isNdb(data)) throw new NdbError('not an rpm NDB database (no RpmP magic)');
  const version = data.readUInt32LE(4);
  if (version !== 0) throw new NdbError(`NDB version ${version}, where rpm writes 0`);
  const slotPages = data.readUInt32LE(12);
  if (slotPages === 0 || slotPages > MAX_SLOT_PAGES) throw new NdbError(`${slotPages} slot pages`);
  if (slotPages * PAGE_SIZE > data.length) throw new NdbError(`${slotPages} slot pages, more than the file's ${data.length} bytes hold`);
  const fileBlocks = Math.floor(data.length / BLOCK_SIZE);
  const firstDataBlock = (slotPages * PAGE_SIZE) / BLOCK_SIZE;
  const blobs: Buffer[] = [];
  const errors: string[] = [];
  for (let at = HEADER_SIZE; at < slotPages * PAGE_SIZE; at += SLOT_SIZE) {
    if (data.readUInt32LE(at) !== SLOT_MAGIC) throw new NdbError(`bad slot magic at offset ${at}`);
    const packageIndex = data.readUInt32LE(at + 4);
    const blockOffset = data.readUInt32LE(at + 8);
    const blockCount = data.readUInt32LE(at + 12);
    if (blockOffset === 0) continue; // a free slot
    const fail = (why: string): void => void errors.push(`package ${packageIndex}: ${why}`);
    if (packageIndex === 0 || blockCount === 0 || blockOffset < firstDataBlock) {
      fail(`bad slot (block ${blockOffset}, ${blockCount} blocks)`);
      continue;
    }
    if (blockOffset + blockCount > fileBlocks) {
      fail(`its blob (blocks ${blockOffset}+${blockCount}) runs past the end of the file`);
      continue;
    }
    const start = blockOffset * BLOCK_SIZE;
    const end = start + blockCount * BLOCK_SIZE;
    if (data.readUInt32LE(start) !== BLOB_HEAD_MAGIC || data.readUInt32LE(start + 4) !== packageIndex) {
      fail('no blob where its slot points');
      continue;
    }
    const length = data.readUInt32LE(start + 12);
    if (blockCount !== Math.ceil((BLOB_HEAD_SIZE + length + BLOB_TAIL_SIZE) / BLOCK_SIZE)) {
      fail(`a blob of ${length} bytes in ${blockCount} blocks`);
      continue;
    }
    const tail = end - BLOB_TAIL_SIZE;
    if (data.readUInt32LE(tail + 4) !== length || data.readUInt32LE(tail + 8) !== BLOB_TAIL_MAGIC) {
      fail('its blob has no valid tail');
      continue;
    }
    if (adler32(data.subarray(start, tail)) !== data.readUInt32LE(tail)) {
      fail('its blob fails its Adler-32 checksum');
      continue;
    }
    blobs.push(data.subarray(start + BLOB_HEAD_SIZE, start + BLOB_HEAD_SIZE + length));
  }
  return { blobs, errors };
};
