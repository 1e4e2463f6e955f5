import { constants, type Dirent } from 'node:fs';
import { lstat, open, readdir, readlink, stat, statfs } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import tar from 'tar-stream';
import type { ImageProblem } from '../model/index.js';

export type NodeType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface FileNode {
  /** Absolute path inside the image, normalised (`/usr/bin/env`). */
  readonly path: string;
  readonly type: NodeType;
  readonly mode: number;
  readonly size: number;
  /** Symlink target as written, or a hard link's target path (normalised). */
  readonly linkname?: string;
  /** Index of the layer that last wrote it. */
  readonly layer: number;
  /** The content, for the files a cataloger asked for. */
  readonly content?: Buffer;
}

/** Which files' contents to keep while the layers stream by: only what catalogers read. */
export interface CapturePolicy {
  wants(path: string, size: number, mode: number): boolean;
  /**
   * Boils a file down to what a cataloger needs (a Go binary to its build info), or to nothing:
   * executables are read, but only their summaries are kept.
   */
  reduce?(path: string, content: Buffer, mode: number): Buffer | undefined;
  /** Larger files are not kept, and are reported. */
  readonly maxBytes: number;
  /** The limit for one path, when lower than `maxBytes` (package metadata is small by nature). */
  maxBytesFor?(path: string): number;
  /** What every captured file of the image may hold in all; past it, files are reported and not kept. */
  readonly maxTotalBytes?: number;
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
const MAX_SYMLINK_HOPS = 40;
/** Linux's PATH_MAX: no path of a real filesystem is longer. */
const MAX_PATH = 4096;

/**
 * A path from a layer, made absolute and clean; undefined when it would leave the image's root
 * (`..` components) or is absolute, which well-formed layers never are.
 */
export const cleanLayerPath = (name: string): string | undefined => {
  const trimmed = name.replace(/^(\.\/)+/, '');
  if (trimmed.startsWith('/')) return undefined;
  const parts = trimmed.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return undefined;
  return `/${parts.join('/')}`;
};

const typeOf = (type: string | null | undefined): NodeType => {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
};

/**
 * The image's root filesystem as its layers stack up, read from tar streams without writing
 * anything to disk: paths, types, modes and sizes of every entry, and the contents of the files
 * catalogers ask for. Whiteouts and opaque directories remove what lower layers added; links
 * resolve inside the image only.
 */
export class ImageFilesystem {
  readonly #nodes = new Map<string, FileNode>();
  /** Each captured file's content in every layer that wrote it, for attributing packages to layers. */
  readonly history = new Map<string, { readonly layer: number; readonly content: Buffer }[]>();
  readonly problems: ImageProblem[] = [];
  layers = 0;

  /** Reads one uncompressed layer tar and stacks it on the layers read before. */
  async addLayer(stream: Readable, layer: number, layerName: string, capture: CapturePolicy): Promise<void> {
    const added = new Map<string, FileNode>();
    const removed: string[] = [];
    const opaque: string[] = [];
    const extract = tar.extract();
    const forward = (error: Error): void => void extract.destroy(error);
    stream.on('error', forward);
    stream.pipe(extract);
    for await (const entry of extract) {
      const header = entry.header;
      if (header.name.length > MAX_PATH || (header.linkname?.length ?? 0) > MAX_PATH) {
        // No filesystem holds such a path; kept, it would cost every lookup of the map it sits in.
        this.problems.push({
          code: 'unsafe-path',
          layer: layerName,
          path: `${header.name.slice(0, 100)}…`,
          message: `an entry of ${header.name.length} characters (link target ${header.linkname?.length ?? 0}) is longer than any path (${MAX_PATH}); skipped`,
        });
        entry.resume();
        continue;
      }
      const path = cleanLayerPath(header.name);
      if (path === undefined) {
        this.problems.push({
          code: 'unsafe-path',
          layer: layerName,
          path: header.name,
          message: `entry ${JSON.stringify(header.name)} points outside the image root; skipped`,
        });
        entry.resume();
        continue;
      }
      const base = posix.basename(path);
      if (base === OPAQUE) {
        opaque.push(posix.dirname(path));
        entry.resume();
        continue;
      }
      if (base.startsWith(WHITEOUT)) {
        removed.push(posix.join(posix.dirname(path), base.slice(WHITEOUT.length)));
        entry.resume();
        continue;
      }
      const type = typeOf(header.type);
      const size = header.size ?? 0;
      const mode = header.mode ?? 0;
      let linkname: string | undefined;
      if (type === 'symlink') linkname = header.linkname ?? '';
      if (type === 'hardlink') {
        linkname = cleanLayerPath(header.linkname ?? '');
        if (linkname === undefined) {
          this.problems.push({
            code: 'unsafe-path',
            layer: layerName,
            path,
            message: `hard link ${path} points outside the image root (${JSON.stringify(header.linkname)}); skipped`,
          });
          entry.resume();
          continue;
        }
      }
      let content: Buffer | undefined;
      if (type === 'file' && capture.wants(path, size, mode)) {
        const limit = this.#admit(path, size, capture, layerName);
        if (limit !== undefined) content = this.#keep(path, await readAll(entry as AsyncIterable<Buffer>, limit), mode, capture, layerName);
      } else if (type === 'hardlink' && linkname !== undefined && capture.wants(path, 0, mode)) {
        // A hard link shares its target's content: take it from this layer or a lower one.
        content = (added.get(linkname) ?? this.#nodes.get(linkname))?.content;
      }
      entry.resume();
      const node: FileNode = { path, type, mode, size, layer, ...(linkname === undefined ? {} : { linkname }), ...(content === undefined ? {} : { content }) };
      added.set(path, node);
      if (content !== undefined) {
        const versions = this.history.get(path) ?? [];
        versions.push({ layer, content });
        this.history.set(path, versions);
      }
    }
    // The tar ends before its stream does (padding, trailing blocks). Read to the very end: only
    // then have the digest and the decompressor checked every byte, and a mismatch fails the layer.
    // The extractor is done; errors from here on belong to the stream alone.
    stream.off('error', forward);
    stream.unpipe(extract);
    stream.resume();
    await finished(stream);
    // Whiteouts hide what lower layers hold; entries of this same layer are not affected.
    for (const path of removed) this.#removeTree(path, true);
    for (const directory of opaque) this.#removeTree(directory, false);
    for (const [path, node] of added) {
      const previous = this.#nodes.get(path);
      if (previous?.type === 'directory' && node.type !== 'directory') this.#removeTree(path, false);
      this.#nodes.set(path, node);
    }
    this.layers = Math.max(this.layers, layer + 1);
  }

  /**
   * Reads a root filesystem from a directory as one layer. Only what a scan needs is kept: the
   * captured files' contents and the symbolic links (as written: they resolve inside the image,
   * never on the host). Files are opened without following links and read only when regular,
   * so an entry swapped for a link or a FIFO while the walk runs cannot lead outside or hang it.
   * Pseudo filesystems (proc, sysfs, cgroup, ...) are not entered wherever they are mounted;
   * `skip` names more absolute paths not to enter. Unreadable entries are problems; an
   * unreadable root is an error.
   */
  async addDirectory(root: string, capture: CapturePolicy, skip: readonly string[] = []): Promise<void> {
    const layer = this.layers;
    const rootInfo = await stat(root);
    const pending: { path: string; device: number }[] = [{ path: '/', device: rootInfo.dev }];
    while (pending.length > 0) {
      const { path: directory, device } = pending.pop() as { path: string; device: number };
      let entries: Dirent[];
      try {
        entries = await readdir(join(root, directory), { withFileTypes: true });
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        if (directory === '/') throw new Error(`${root} cannot be listed (${reason})`, { cause: error });
        this.problems.push({ code: 'unreadable', path: directory, message: `${directory} cannot be listed (${reason}); skipped` });
        continue;
      }
      for (const entry of entries) {
        const path = posix.join(directory, entry.name);
        const onDisk = join(root, path);
        try {
          const info = await lstat(onDisk);
          if (info.isDirectory()) {
            if (skip.includes(path)) continue;
            if (info.dev !== device && PSEUDO_FILESYSTEMS.has((await statfs(onDisk)).type)) continue;
            pending.push({ path, device: info.dev });
          } else if (info.isSymbolicLink()) {
            this.#nodes.set(path, { path, type: 'symlink', mode: info.mode & 0o7777, size: 0, layer, linkname: await readlink(onDisk) });
          } else if (info.isFile() && capture.wants(path, info.size, info.mode & 0o7777)) {
            const mode = info.mode & 0o7777;
            const limit = this.#admit(path, info.size, capture, undefined);
            if (limit === undefined) continue;
            const read = await readRegularFile(onDisk, limit);
            if (read === undefined) continue;
            const content = this.#keep(path, read, mode, capture, undefined);
            this.#nodes.set(path, { path, type: 'file', mode, size: info.size, layer, ...(content === undefined ? {} : { content }) });
            if (content !== undefined) this.history.set(path, [{ layer, content }]);
          }
        } catch (error) {
          this.problems.push({
            code: 'unreadable',
            path,
            message: `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); skipped`,
          });
        }
      }
    }
    this.layers = layer + 1;
  }

  /** Bytes of captured content kept so far (every layer's versions). */
  #captured = 0;

  /**
   * Whether a wanted file may be read: under its own limit and under what the image's captured
   * files may hold in all. The limit to read it with, or `undefined` (reported) when it may not.
   */
  #admit(path: string, size: number, capture: CapturePolicy, layer: string | undefined): number | undefined {
    const limit = Math.min(capture.maxBytes, capture.maxBytesFor?.(path) ?? capture.maxBytes);
    const where = layer === undefined ? {} : { layer };
    if (size > limit) {
      this.problems.push({ code: 'too-large', ...where, path, message: `${path} is ${size} bytes, over the ${limit}-byte limit for reading; not catalogued` });
      return undefined;
    }
    if (capture.maxTotalBytes !== undefined && this.#captured + size > capture.maxTotalBytes) {
      this.problems.push({
        code: 'too-large',
        ...where,
        path,
        message: `${path} (${size} bytes) would take the files read for cataloguing past ${capture.maxTotalBytes} bytes in all; not catalogued`,
      });
      return undefined;
    }
    return limit;
  }

  /** What is kept of a file read: the reducer's summary (a failing one is this file's problem, not the image's). */
  #keep(path: string, read: Buffer, mode: number, capture: CapturePolicy, layer: string | undefined): Buffer | undefined {
    let content: Buffer | undefined = read;
    if (capture.reduce) {
      try {
        content = capture.reduce(path, read, mode);
      } catch (error) {
        this.problems.push({
          code: 'catalog',
          ...(layer === undefined ? {} : { layer }),
          path,
          message: `${path}: ${(error as Error).message}; not catalogued`,
        });
        content = undefined;
      }
    }
    if (content !== undefined) this.#captured += content.length;
    return content;
  }

  #removeTree(path: string, includeSelf: boolean): void {
    if (includeSelf) this.#nodes.delete(path);
    const prefix = path === '/' ? '/' : `${path}/`;
    for (const key of [...this.#nodes.keys()]) if (key.startsWith(prefix) && key !== path) this.#nodes.delete(key);
  }

  get size(): number {
    return this.#nodes.size;
  }

  /** The node at a path, without following links. */
  node(path: string): FileNode | undefined {
    return this.#nodes.get(path);
  }

  /** Every node, in no particular order. */
  nodes(): IterableIterator<FileNode> {
    return this.#nodes.values();
  }

  /**
   * Resolves symbolic links in every component of `path`, as the kernel would inside a chroot:
   * absolute targets start at the image root and `..` never climbs above it, so no link leads out.
   */
  resolve(path: string): string | undefined {
    let pending = path.split('/').filter(Boolean);
    let resolved = '';
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift() as string;
      if (part === '.') continue;
      if (part === '..') {
        resolved = posix.dirname(resolved || '/') === '/' ? '' : posix.dirname(resolved);
        continue;
      }
      const candidate = `${resolved}/${part}`;
      const node = this.#nodes.get(candidate);
      if (node?.type === 'symlink') {
        if (++hops > MAX_SYMLINK_HOPS) return undefined;
        const target = node.linkname ?? '';
        const rest = target.split('/').filter(Boolean);
        if (target.startsWith('/')) resolved = '';
        pending = [...rest, ...pending];
        continue;
      }
      resolved = candidate;
    }
    return resolved || '/';
  }

  /** A captured file's content, following symbolic and hard links. */
  read(path: string): Buffer | undefined {
    const resolved = this.resolve(path);
    if (resolved === undefined) return undefined;
    let node = this.#nodes.get(resolved);
    if (node?.type === 'hardlink' && node.content === undefined && node.linkname) node = this.#nodes.get(node.linkname);
    return node?.content;
  }
}

/** statfs magic numbers of kernel pseudo filesystems: proc, sysfs, cgroup, cgroup2, debugfs, tracefs, securityfs, bpf, devpts, mqueue, pstore, configfs, fusectl. */
const PSEUDO_FILESYSTEMS = new Set([
  0x9fa0, 0x62656572, 0x27e0eb, 0x63677270, 0x64626720, 0x74726163, 0x73636673, 0xcafe4a11, 0x1cd1, 0x19800202, 0x6165676c, 0x62656570, 0x65735543,
]);

/**
 * A regular file's content, opened without following a final symbolic link and without blocking
 * on FIFOs, checked to be a regular file once open, and read to at most `limit` bytes.
 */
const readRegularFile = async (path: string, limit: number): Promise<Buffer | undefined> => {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) return undefined;
    const buffer = Buffer.alloc(Math.min(info.size, limit) + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, total, buffer.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) throw new Error(`grew past the ${limit}-byte limit while being read`);
      if (total === buffer.length) break;
    }
    return buffer.subarray(0, total);
  } finally {
    await handle.close();
  }
};

const readAll = async (stream: AsyncIterable<Buffer>, limit: number): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > limit) throw new Error(`entry larger than its header says (over ${limit} bytes)`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
};
