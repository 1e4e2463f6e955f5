import type { ImageProblem, InstalledPackage, OperatingSystem } from '../../model/index.js';

/** What catalogers see of an image: the files they asked for, with the layer each version came from. */
export interface FileView {
  /** A captured file's content, following links inside the image. */
  read(path: string): Buffer | undefined;
  /** Each layer's version of a captured file, lowest layer first. */
  versions(path: string): readonly { readonly layer: number; readonly content: Buffer }[];
  /** Paths of captured regular files that exist in the final filesystem. */
  capturedPaths(): readonly string[];
  /** The layer that last wrote a path. */
  layerOf(path: string): number | undefined;
}

export type PackageDraft = Omit<InstalledPackage, 'layer'>;

/** What some catalogers need from outside: reading an SQLite database held in memory. */
export interface CatalogHelpers {
  /** Runs a query returning one BLOB column over an SQLite database (and its write-ahead log). */
  sqliteBlobs(files: { readonly main: Buffer; readonly wal?: Buffer }, query: string): Promise<Buffer[]>;
}

export interface CatalogResult {
  readonly packages: PackageDraft[];
  readonly problems: ImageProblem[];
}

/** One kind of package database: which files it needs, and how it reads them. */
export interface Cataloger {
  readonly name: string;
  /** Whether to keep a file's content while the layers stream by. */
  wants(path: string): boolean;
  /** Files picked by size and mode rather than path (executables), and what to keep of each. */
  readonly probe?: {
    wants(path: string, size: number, mode: number): boolean;
    reduce(content: Buffer): Buffer | undefined;
  };
  catalog(view: FileView, os: OperatingSystem | undefined, helpers: CatalogHelpers): CatalogResult | Promise<CatalogResult>;
}
