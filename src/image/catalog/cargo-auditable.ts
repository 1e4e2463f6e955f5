import { inflateSync } from 'node:zlib';
import type { ImageProblem } from '../../model/index.js';
import type { Cataloger, FileView, PackageDraft } from './types.js';

/**
 * Rust executables built with `cargo auditable`: the linker puts the crate graph in an ELF
 * section `.dep-v0` (`.rust-deps-v0` for rust-audit 0.1), as zlib-compressed JSON
 * `{"packages": [{"name", "version", "source", "kind", "dependencies", "root"}]}`.
 */
const SECTIONS = ['.dep-v0', '.rust-deps-v0'];
/** The most inflated JSON kept per executable: the limit rust-audit-info applies by default (8 MiB). */
export const MAX_DEP_INFO_BYTES = 8 * 1024 * 1024;

/** What the probe keeps of an executable: the inflated JSON, or why it could not be had. */
export const CARGO_AUDITABLE_PREFIX = 'kubeward-cargo-auditable\n';
const PROBLEM_PREFIX = 'kubeward-cargo-auditable-problem\n';

const SHT_NOBITS = 8;
const SHN_XINDEX = 0xffff;

interface Section {
  readonly name: string;
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

/** The section headers of an ELF file (32 or 64 bit, either byte order), or undefined when it is none. */
export const elfSections = (data: Buffer): Section[] | undefined => {
  if (data.length < 52 || data.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const wide = data[4] === 2;
  const little = data[5] === 1;
  if ((data[4] !== 1 && !wide) || (data[5] !== 2 && !little) || (wide && data.length < 64)) return undefined;
  const u16 = (at: number): number => (little ? data.readUInt16LE(at) : data.readUInt16BE(at));
  const u32 = (at: number): number => (little ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const word = (at: number): number => (wide ? Number(little ? data.readBigUInt64LE(at) : data.readBigUInt64BE(at)) : u32(at));
  const shoff = word(wide ? 0x28 : 0x20);
  const entsize = u16(wide ? 0x3a : 0x2e);
  let count = u16(wide ? 0x3c : 0x30);
  let names = u16(wide ? 0x3e : 0x32);
  if (shoff === 0 || entsize < (wide ? 64 : 40) || shoff + entsize > data.length) return [];
  const header = (index: number): number => shoff + index * entsize;
  // More than 0xff00 sections: the counts live in section 0.
  if (count === 0) count = word(header(0) + (wide ? 32 : 20));
  if (names === SHN_XINDEX) names = u32(header(0) + (wide ? 40 : 24));
  count = Math.min(count, Math.floor((data.length - shoff) / entsize));
  const raw = Array.from({ length: count }, (_, index) => {
    const at = header(index);
    return { nameOffset: u32(at), type: u32(at + 4), offset: word(at + (wide ? 24 : 16)), size: word(at + (wide ? 32 : 20)) };
  });
  const table = raw[names];
  if (!table || table.offset >= data.length) return [];
  const tableEnd = Math.min(data.length, table.offset + table.size);
  return raw.map(({ nameOffset, type, offset, size }) => {
    const start = table.offset + nameOffset;
    const end = start < tableEnd ? data.indexOf(0, start) : -1;
    return { name: end !== -1 && end < tableEnd ? data.toString('latin1', start, end) : '', type, offset, size };
  });
};

/** Inflates the dependency section of an executable: undefined when it has none, a problem when it cannot be read. */
export const readDepInfo = (data: Buffer, maxBytes = MAX_DEP_INFO_BYTES): { json: Buffer } | { problem: string } | undefined => {
  const sections = elfSections(data);
  const section = sections && SECTIONS.flatMap((name) => sections.filter((candidate) => candidate.name === name && candidate.type !== SHT_NOBITS))[0];
  if (!section) return undefined;
  if (section.offset + section.size > data.length) return { problem: `its ${section.name} section runs past the end of the file` };
  try {
    return { json: inflateSync(data.subarray(section.offset, section.offset + section.size), { maxOutputLength: maxBytes }) };
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError)
      return { problem: `its ${section.name} section inflates to more than ${maxBytes} bytes; not read` };
    return { problem: `its ${section.name} section is not zlib data (${(error as Error).message})` };
  }
};

/** Keeps only what the cataloger needs of an executable: the inflated JSON, or why it is unreadable. */
export const reduceCargoAuditable = (content: Buffer): Buffer | undefined => {
  const info = readDepInfo(content);
  if (!info) return undefined;
  return 'json' in info ? Buffer.concat([Buffer.from(CARGO_AUDITABLE_PREFIX), info.json]) : Buffer.from(`${PROBLEM_PREFIX}${info.problem}`);
};

export interface AuditableCrate {
  readonly name: string;
  readonly version: string;
  readonly source?: string;
  readonly root: boolean;
}

/**
 * The crates an executable runs with. Like Trivy and Syft (go-rustaudit), entries default to
 * `kind: runtime` and `build` dependencies (build scripts, proc macros) are left out: they are
 * not in the executable. The root crate is kept, as Trivy keeps it.
 */
export const parseDepInfo = (json: string): AuditableCrate[] => {
  const value = JSON.parse(json) as { packages?: unknown };
  if (!Array.isArray(value.packages)) throw new Error('no "packages" list');
  return value.packages.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { name, version, source, kind, root } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || typeof version !== 'string' || !name || !version) return [];
    if (kind !== undefined && kind !== 'runtime') return [];
    return [{ name, version, ...(typeof source === 'string' ? { source } : {}), root: root === true }];
  });
};

/** Rust executables with cargo-auditable dependency info: one crates.io package per runtime crate. */
export const cargoAuditableCataloger: Cataloger = {
  name: 'cargo-auditable',
  wants: () => false,
  probe: {
    // Any executable that can hold an ELF header: Rust programs can be small (a few hundred
    // kilobytes), and reading the header of one that is not ELF costs nothing.
    wants: (_path, size, mode) => (mode & 0o111) !== 0 && size >= 52,
    reduce: reduceCargoAuditable,
  },
  catalog(view: FileView) {
    const packages: PackageDraft[] = [];
    const problems: ImageProblem[] = [];
    const prefix = Buffer.from(CARGO_AUDITABLE_PREFIX);
    const problemPrefix = Buffer.from(PROBLEM_PREFIX);
    for (const path of view.capturedPaths()) {
      const content = view.read(path);
      if (!content) continue;
      if (content.subarray(0, problemPrefix.length).equals(problemPrefix)) {
        problems.push({ code: 'catalog', path, message: `${path}: Rust dependency info cannot be read: ${content.toString('utf8', problemPrefix.length)}` });
        continue;
      }
      if (!content.subarray(0, prefix.length).equals(prefix)) continue;
      let crates: AuditableCrate[];
      try {
        crates = parseDepInfo(content.toString('utf8', prefix.length));
      } catch (error) {
        problems.push({ code: 'catalog', path, message: `${path}: Rust dependency info is not the JSON cargo-auditable writes (${(error as Error).message})` });
        continue;
      }
      const layer = view.layerOf(path);
      const seen = new Set<string>();
      for (const crate of crates) {
        const key = `${crate.name}@${crate.version}`;
        if (seen.has(key)) continue;
        seen.add(key);
        packages.push({
          cataloger: 'cargo-auditable',
          ecosystem: 'crates.io',
          name: crate.name,
          version: crate.version,
          purl: `pkg:cargo/${encodeURIComponent(crate.name)}@${encodeURIComponent(crate.version)}`,
          path,
          ...(layer === undefined ? {} : { layerIndex: layer }),
        });
      }
    }
    return { packages, problems };
  },
};
