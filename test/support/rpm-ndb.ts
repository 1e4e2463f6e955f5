import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { sharedDataRoot } from './repo.js';

/**
 * Writes an rpm NDB `Packages.db` holding the given header blobs, laid out as rpm's
 * lib/backend/ndb/rpmpkg.c writes it (rpmpkgWriteHeader, rpmpkgWriteEmptySlotpage,
 * rpmpkgWriteslot, rpmpkgWriteBlob). Debian's rpm is built without the NDB backend, so tests
 * fill one with real package headers from another database to check what is read against rpm.
 */
export const writeNdb = (blobs: readonly Buffer[], options: { timestamp?: number } = {}): Buffer => {
  const slotsPerPage = 4096 / 16;
  // The 32-byte header takes the first two slots of page 0.
  const slotPages = Math.ceil((blobs.length + 2 + 1) / slotsPerPage);
  const parts: Buffer[] = [];
  const header = Buffer.alloc(32);
  header.write('RpmP', 0, 'latin1');
  header.writeUInt32LE(0, 4); // version
  header.writeUInt32LE(blobs.length + 1, 8); // generation
  header.writeUInt32LE(slotPages, 12);
  header.writeUInt32LE(blobs.length + 1, 16); // next package index
  const slots = Buffer.alloc(slotPages * 4096 - 32);
  for (let at = 0; at < slots.length; at += 16) slots.write('Slot', at, 'latin1');
  let block = slotPages * 256;
  const data: Buffer[] = [];
  for (const [index, blob] of blobs.entries()) {
    const blocks = Math.ceil((16 + blob.length + 12) / 16);
    slots.writeUInt32LE(index + 1, index * 16 + 4);
    slots.writeUInt32LE(block, index * 16 + 8);
    slots.writeUInt32LE(blocks, index * 16 + 12);
    const head = Buffer.alloc(16);
    head.write('BlbS', 0, 'latin1');
    head.writeUInt32LE(index + 1, 4);
    head.writeUInt32LE(options.timestamp ?? 1_700_000_000, 8);
    head.writeUInt32LE(blob.length, 12);
    const padding = Buffer.alloc(blocks * 16 - (16 + blob.length + 12));
    const checked = Buffer.concat([head, blob, padding]);
    // zlib's stream ends with the Adler-32 of what it compressed: rpm's checksum, computed apart from Kubeward's.
    const compressed = deflateSync(checked, { level: 0 });
    const tail = Buffer.alloc(12);
    tail.writeUInt32LE(compressed.readUInt32BE(compressed.length - 4), 0);
    tail.writeUInt32LE(blob.length, 4);
    tail.write('BlbE', 8, 'latin1');
    data.push(checked, tail);
    block += blocks;
  }
  parts.push(header, slots, ...data);
  return Buffer.concat(parts);
};

/** `rpmdb --importdb` input: each header blob after the 8-byte header magic, as `--exportdb` writes them. */
export const headerStream = (blobs: readonly Buffer[]): Buffer => {
  const magic = Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]);
  return Buffer.concat(blobs.flatMap((blob) => [magic, blob]));
};

/**
 * Real NDB databases (SUSE images' `Packages.db`), when some are provided: every
 * `<name>/Packages.db` under `$KUBEWARD_RPM_NDB_DATA`, else under `rpm-ndb/` of the shared test
 * data. None ship with Debian.
 */
export const realNdbDatabases = (): { name: string; path: string }[] => {
  const roots: string[] = [];
  if (process.env.KUBEWARD_RPM_NDB_DATA) roots.push(process.env.KUBEWARD_RPM_NDB_DATA);
  try {
    roots.push(join(sharedDataRoot(), 'rpm-ndb'));
  } catch {
    // no shared data on this machine
  }
  const root = roots.find((candidate) => existsSync(candidate));
  if (!root) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'Packages.db')))
    .map((entry) => ({ name: entry.name, path: join(root, entry.name, 'Packages.db') }))
    .sort((a, b) => a.name.localeCompare(b.name));
};
