/**
 * rpm package headers, as the rpm database stores them (a header "blob": index entries, then a
 * data store). Only the tags a cataloger needs are read; bounds are checked so a corrupt blob
 * is refused, never read past.
 */
export const TAGS = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  summary: 1004,
  size: 1009,
  vendor: 1011,
  license: 1014,
  arch: 1022,
  sourceRpm: 1044,
  modularityLabel: 5096,
} as const;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;

export interface RpmHeader {
  readonly name: string;
  readonly version: string;
  readonly release: string;
  readonly epoch?: number;
  readonly arch?: string;
  readonly sourceRpm?: string;
  readonly license?: string;
  readonly vendor?: string;
  readonly modularityLabel?: string;
}

export class RpmHeaderError extends Error {}

/** Parses one header blob (`il`, `dl`, `il` 16-byte index entries, `dl` bytes of data). */
export const parseRpmHeader = (blob: Buffer): RpmHeader => {
  if (blob.length < 8) throw new RpmHeaderError('header shorter than its length fields');
  const indexLength = blob.readUInt32BE(0);
  const dataLength = blob.readUInt32BE(4);
  const dataStart = 8 + indexLength * 16;
  if (indexLength > 0x10000 || dataLength > 0x10000000 || dataStart + dataLength > blob.length)
    throw new RpmHeaderError(`header claims ${indexLength} entries and ${dataLength} bytes, more than its ${blob.length} bytes hold`);
  const strings = new Map<number, string>();
  const numbers = new Map<number, number>();
  const stringAt = (offset: number): string => {
    const start = dataStart + offset;
    const end = blob.indexOf(0, start);
    if (start < dataStart || start >= dataStart + dataLength || end === -1 || end > dataStart + dataLength)
      throw new RpmHeaderError(`a string at offset ${offset} runs out of the header`);
    return blob.toString('utf8', start, end);
  };
  const wanted = new Set<number>(Object.values(TAGS));
  for (let entry = 0; entry < indexLength; entry++) {
    const at = 8 + entry * 16;
    const tag = blob.readInt32BE(at);
    if (!wanted.has(tag)) continue;
    const type = blob.readUInt32BE(at + 4);
    const offset = blob.readInt32BE(at + 8);
    const count = blob.readUInt32BE(at + 12);
    if (offset < 0 || offset >= dataLength) throw new RpmHeaderError(`tag ${tag} points outside the data`);
    if (type === TYPE_STRING || ((type === TYPE_STRING_ARRAY || type === TYPE_I18NSTRING) && count >= 1)) strings.set(tag, stringAt(offset));
    else if (type === TYPE_INT32 && count >= 1) {
      if (dataStart + offset + 4 > dataStart + dataLength) throw new RpmHeaderError(`tag ${tag} runs out of the header`);
      numbers.set(tag, blob.readInt32BE(dataStart + offset));
    }
  }
  const name = strings.get(TAGS.name);
  const version = strings.get(TAGS.version);
  const release = strings.get(TAGS.release);
  if (name === undefined || version === undefined || release === undefined) throw new RpmHeaderError('header without name, version or release');
  const optional = (key: keyof RpmHeader, tag: number): Partial<RpmHeader> => (strings.has(tag) ? { [key]: strings.get(tag) } : {});
  const epoch = numbers.get(TAGS.epoch);
  return {
    name,
    version,
    release,
    ...(epoch === undefined ? {} : { epoch }),
    ...optional('arch', TAGS.arch),
    ...optional('sourceRpm', TAGS.sourceRpm),
    ...optional('license', TAGS.license),
    ...optional('vendor', TAGS.vendor),
    ...optional('modularityLabel', TAGS.modularityLabel),
  };
};

/** `openssl-1.0.2k-19.el7.src.rpm` → `openssl` (the source package advisories name). */
export const sourceName = (sourceRpm: string): string | undefined => /^(.+)-[^-]+-[^-]+\.(?:no)?src\.rpm$/.exec(sourceRpm)?.[1];
