import { crc32, deflateRawSync } from 'node:zlib';

/**
 * A zip whose central directory lists `names`, every entry pointing at the same local header and
 * deflate stream of `payload`: the "overlapping entries" zip bomb (each entry passes a per-entry
 * size and ratio check; together they inflate `names.length` times). With `shared: false` each
 * name gets its own copy of the stream, a well-formed archive.
 */
export const zipOf = (names: readonly string[], payload: Buffer, shared = true): Buffer => {
  const compressed = deflateRawSync(payload, { level: 9 });
  const crc = crc32(payload);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const local = (name: string): Buffer => {
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(8, 8);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(compressed.length, 18);
    header.writeUInt32LE(payload.length, 22);
    header.writeUInt16LE(Buffer.byteLength(name), 26);
    return Buffer.concat([header, Buffer.from(name), compressed]);
  };
  const offsets: number[] = [];
  names.forEach((name, index) => {
    if (shared && index > 0) {
      offsets.push(0);
      return;
    }
    offsets.push(offset);
    const entry = local(name);
    parts.push(entry);
    offset += entry.length;
  });
  names.forEach((name, index) => {
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(8, 10);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(compressed.length, 20);
    header.writeUInt32LE(payload.length, 24);
    header.writeUInt16LE(Buffer.byteLength(shared ? (names[0] as string) : name), 28);
    header.writeUInt32LE(offsets[index] as number, 42);
    // A shared entry must carry the local header's name, or readers that compare the two refuse it.
    central.push(Buffer.concat([header, Buffer.from(shared ? (names[0] as string) : name)]));
  });
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
};

/** Bytes that deflate about 50× (under the per-entry ratio limits): a few random bytes, then a run of zeros, per kilobyte. */
export const compressible = (bytes: number): Buffer => {
  const out = Buffer.alloc(bytes);
  let seed = 12345;
  for (let at = 0; at < bytes; at += 1024) {
    for (let index = 0; index < 24 && at + index < bytes; index++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      out[at + index] = seed & 0xff;
    }
  }
  return out;
};
