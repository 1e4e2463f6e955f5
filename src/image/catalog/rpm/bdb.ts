/**
 * Reads the values of a Berkeley DB hash database (the rpm `Packages` file of CentOS/RHEL 5–7 and
 * older SUSE): page by page, following overflow chains. Written from Berkeley DB's on-disk
 * layout (db_page.h): a 72-byte metadata page, pages with a 26-byte header, hash pages holding
 * key/data item pairs, large items on chains of overflow pages.
 */
const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;

export class BdbError extends Error {}

export const isBerkeleyHash = (data: Buffer): boolean => data.length >= 72 && (data.readUInt32LE(12) === HASH_MAGIC || data.readUInt32BE(12) === HASH_MAGIC);

/** Every data item (the odd-numbered items of each page), in page order. */
export const readBerkeleyHashValues = (data: Buffer): Buffer[] => {
  if (!isBerkeleyHash(data)) throw new BdbError('not a Berkeley DB hash database');
  const little = data.readUInt32LE(12) === HASH_MAGIC;
  const u32 = (offset: number): number => (little ? data.readUInt32LE(offset) : data.readUInt32BE(offset));
  const u16 = (offset: number): number => (little ? data.readUInt16LE(offset) : data.readUInt16BE(offset));
  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0)
    throw new BdbError(`page size ${pageSize} is not a power of two between 512 and 65536`);
  const lastPage = u32(32);
  const pages = Math.min(lastPage + 1, Math.floor(data.length / pageSize));
  const pageAt = (number: number): number => number * pageSize;

  const overflow = (first: number, total: number): Buffer => {
    if (total > 256 * 1024 * 1024) throw new BdbError(`an item of ${total} bytes`);
    const parts: Buffer[] = [];
    let length = 0;
    const seen = new Set<number>();
    for (let page = first; page !== 0 && length < total;) {
      if (page >= pages || seen.has(page)) throw new BdbError(`overflow chain breaks at page ${page}`);
      seen.add(page);
      const start = pageAt(page);
      if (data[start + 25] !== P_OVERFLOW) throw new BdbError(`page ${page} in an overflow chain is not an overflow page`);
      const bytes = Math.min(u16(start + 22), pageSize - PAGE_HEADER, total - length);
      parts.push(data.subarray(start + PAGE_HEADER, start + PAGE_HEADER + bytes));
      length += bytes;
      page = u32(start + 16);
    }
    if (length !== total) throw new BdbError(`overflow chain holds ${length} of ${total} bytes`);
    return Buffer.concat(parts);
  };

  const values: Buffer[] = [];
  for (let page = 1; page < pages; page++) {
    const start = pageAt(page);
    const type = data[start + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(start + 20);
    for (let item = 1; item < entries; item += 2) {
      const offset = u16(start + PAGE_HEADER + item * 2);
      const previous = u16(start + PAGE_HEADER + (item - 1) * 2);
      if (offset < PAGE_HEADER || offset >= pageSize) continue;
      const itemType = data[start + offset];
      if (itemType === H_OFFPAGE) {
        values.push(overflow(u32(start + offset + 4), u32(start + offset + 8)));
      } else if (itemType === H_KEYDATA) {
        // Items fill the page from its end: an item ends where the one before it starts.
        const end = previous > offset ? previous : pageSize;
        values.push(data.subarray(start + offset + 1, start + end));
      }
    }
  }
  return values;
};
