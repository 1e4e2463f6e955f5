import type { ImageProblem } from '../../model/index.js';
import type { Cataloger, FileView, PackageDraft } from './types.js';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** The markers Go puts around the module info since 1.18 (`runtime/debug` strips them too). */
const MODINFO_MARKER = 16;

interface BuildInfo {
  readonly goVersion: string;
  readonly modinfo: string;
}

/** Reads an unsigned LEB128 varint. */
const uvarint = (data: Buffer, at: number): [number, number] => {
  let value = 0;
  let shift = 0;
  for (let index = at; index < Math.min(data.length, at + 10); index++) {
    const byte = data[index] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, index + 1];
    shift += 7;
  }
  throw new Error('bad varint');
};

interface Segment {
  readonly vaddr: number;
  readonly offset: number;
  readonly size: number;
}

/** PT_LOAD segments of an ELF file, to turn the pointers of old build info into file offsets. */
const elfSegments = (data: Buffer): { segments: Segment[]; little: boolean; wide: boolean } | undefined => {
  if (data.length < 64 || data.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const wide = data[4] === 2;
  const little = data[5] === 1;
  const read = (at: number, bytes: 4 | 8 | 2): number =>
    bytes === 8
      ? Number(little ? data.readBigUInt64LE(at) : data.readBigUInt64BE(at))
      : bytes === 4
        ? little
          ? data.readUInt32LE(at)
          : data.readUInt32BE(at)
        : little
          ? data.readUInt16LE(at)
          : data.readUInt16BE(at);
  const phoff = wide ? read(32, 8) : read(28, 4);
  const phentsize = read(wide ? 54 : 42, 2);
  const phnum = read(wide ? 56 : 44, 2);
  const segments: Segment[] = [];
  for (let index = 0; index < phnum; index++) {
    const at = phoff + index * phentsize;
    if (at + phentsize > data.length) break;
    if (read(at, 4) !== 1) continue; // PT_LOAD
    segments.push(
      wide
        ? { offset: read(at + 8, 8), vaddr: read(at + 16, 8), size: read(at + 32, 8) }
        : { offset: read(at + 4, 4), vaddr: read(at + 8, 4), size: read(at + 16, 4) },
    );
  }
  return { segments, little, wide };
};

/**
 * The build info Go links into every binary (`go version -m`): the Go version and the module
 * info (main module, dependencies, replacements). Go 1.18+ writes it inline after the
 * `\xff Go buildinf:` header; older toolchains write pointers to two Go strings, resolved here
 * through the ELF program headers.
 */
export const readBuildInfo = (data: Buffer): BuildInfo | undefined => {
  let at = data.indexOf(MAGIC);
  while (at !== -1 && at % 16 !== 0) at = data.indexOf(MAGIC, at + 1);
  if (at === -1 || at + 32 > data.length) return undefined;
  const pointerSize = data[at + 14] as number;
  const flags = data[at + 15] as number;
  if ((flags & 2) !== 0) {
    const [versionLength, versionEnd] = uvarint(data, at + 32);
    const goVersion = data.toString('utf8', versionEnd, versionEnd + versionLength);
    const [infoLength, infoStart] = uvarint(data, versionEnd + versionLength);
    const raw = data.toString('latin1', infoStart, infoStart + infoLength);
    return {
      goVersion,
      modinfo: raw.length >= 2 * MODINFO_MARKER + 1 ? Buffer.from(raw.slice(MODINFO_MARKER, -MODINFO_MARKER), 'latin1').toString('utf8') : '',
    };
  }
  const elf = elfSegments(data);
  if (!elf || (pointerSize !== 4 && pointerSize !== 8)) return undefined;
  const bigEndian = (flags & 1) !== 0;
  const pointer = (offset: number): number =>
    pointerSize === 8
      ? Number(bigEndian ? data.readBigUInt64BE(offset) : data.readBigUInt64LE(offset))
      : bigEndian
        ? data.readUInt32BE(offset)
        : data.readUInt32LE(offset);
  const fileOffset = (address: number): number | undefined => {
    const segment = elf.segments.find((candidate) => address >= candidate.vaddr && address < candidate.vaddr + candidate.size);
    return segment ? address - segment.vaddr + segment.offset : undefined;
  };
  /** A Go string header (pointer, length) at a virtual address. */
  const goString = (address: number): string | undefined => {
    const header = fileOffset(address);
    if (header === undefined || header + 2 * pointerSize > data.length) return undefined;
    const start = fileOffset(pointer(header));
    const length = pointer(header + pointerSize);
    if (start === undefined || length > 1 << 24 || start + length > data.length) return undefined;
    return data.toString('utf8', start, start + length);
  };
  const goVersion = goString(pointer(at + 16));
  const modinfo = goString(pointer(at + 16 + pointerSize));
  if (goVersion === undefined) return undefined;
  return { goVersion, modinfo: modinfo && modinfo.length >= 2 * MODINFO_MARKER + 1 ? modinfo.slice(MODINFO_MARKER, -MODINFO_MARKER) : '' };
};

export interface GoModule {
  readonly path: string;
  readonly version: string;
  readonly main: boolean;
}

/** Module lines of `go version -m`: `mod` (main), `dep`, and `=>` (the replacement of the dep above). */
export const parseModinfo = (modinfo: string): GoModule[] => {
  const modules: GoModule[] = [];
  for (const line of modinfo.split('\n')) {
    const [kind, path, version] = line.split('\t');
    if (kind === 'mod' && path) modules.push({ path, version: version ?? '(devel)', main: true });
    else if (kind === 'dep' && path && version) modules.push({ path, version, main: false });
    else if (kind === '=>' && path && modules.length > 0) {
      const replaced = modules.pop() as GoModule;
      // A local replacement has no version: the module is what the directory held, unknowable here.
      modules.push(version ? { path, version, main: replaced.main } : { ...replaced, version: '(devel)' });
    }
  }
  return modules;
};

/** `go1.21.5` / `go1.22rc1` / `go1.24.0 X:boringcrypto` → the stdlib version OSV's Go records use. */
const stdlibVersion = (goVersion: string): string | undefined => /^go(\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)/.exec(goVersion.trim())?.[1];

/** Keeps only what the Go cataloger needs of an executable: its build info as text. */
export const GO_BUILDINFO_PREFIX = 'kubeward-go-buildinfo\n';

export const reduceGoBinary = (content: Buffer): Buffer | undefined => {
  const info = readBuildInfo(content);
  return info ? Buffer.from(`${GO_BUILDINFO_PREFIX}${info.goVersion}\n${info.modinfo}`) : undefined;
};

/**
 * Go binaries: every executable with build info lists the standard library (as `stdlib` at the
 * Go version it was built with, which is how Go's advisories name it) and its modules.
 */
export const goBinaryCataloger: Cataloger = {
  name: 'go-binary',
  wants: () => false,
  probe: {
    // Executables big enough to be a Go program (the smallest are about a megabyte).
    wants: (_path, size, mode) => (mode & 0o111) !== 0 && size > 500_000,
    reduce: reduceGoBinary,
  },
  catalog(view: FileView) {
    const packages: PackageDraft[] = [];
    const problems: ImageProblem[] = [];
    for (const path of view.capturedPaths()) {
      const content = view.read(path);
      if (!content || !content.subarray(0, GO_BUILDINFO_PREFIX.length).equals(Buffer.from(GO_BUILDINFO_PREFIX))) continue;
      const [goVersion = '', ...rest] = content.toString('utf8').slice(GO_BUILDINFO_PREFIX.length).split('\n');
      const layer = view.layerOf(path);
      const push = (name: string, version: string): void => {
        packages.push({
          cataloger: 'go-binary',
          ecosystem: 'Go',
          name,
          version,
          purl: `pkg:golang/${name.split('/').map(encodeURIComponent).join('/')}@${encodeURIComponent(version)}`,
          path,
          ...(layer === undefined ? {} : { layerIndex: layer }),
        });
      };
      const stdlib = stdlibVersion(goVersion);
      if (stdlib) push('stdlib', stdlib);
      for (const module of parseModinfo(rest.join('\n'))) {
        if (module.version === '(devel)' || module.version === '') continue;
        push(module.path, module.version);
      }
    }
    return { packages, problems };
  },
};
