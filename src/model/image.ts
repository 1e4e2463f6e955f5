import type { PackageRef, VulnerabilityMatch } from './vulnerability.js';

/** The operating system an image (or a root filesystem) is built on, from os-release and friends. */
export interface OperatingSystem {
  /** os-release `ID`: `debian`, `ubuntu`, `alpine`, `rhel`, `rocky`, ... */
  readonly id: string;
  /** os-release `VERSION_ID`: `12`, `22.04`, `3.19.1`. */
  readonly versionId?: string;
  readonly prettyName?: string;
  /** The OSV ecosystem its packages belong to (`Debian`, `Alpine`), when Kubeward matches it. */
  readonly ecosystem?: string;
  /** The release key advisories use (`12`, `v3.19`). */
  readonly release?: string;
  /** Which file told: `/etc/os-release`, `/etc/alpine-release`, ... */
  readonly source: string;
}

/** A package found installed in an image: what it is, and where it came from. */
export interface InstalledPackage extends PackageRef {
  /** `dpkg`, `apk`, `rpm`, `npm`, `python`, `go-binary`, `java-archive`, ... */
  readonly cataloger: string;
  readonly purl: string;
  readonly architecture?: string;
  readonly licenses?: readonly string[];
  /** The file that lists it: `/var/lib/dpkg/status`, `/app/node_modules/x/package.json`. */
  readonly path: string;
  /** Digest of the layer that added it (as the image's layer list names it), when known. */
  readonly layer?: string;
  /** 0-based index of that layer. */
  readonly layerIndex?: number;
}

/** One layer of an image, with the history step that made it when the config records one. */
export interface ImageLayer {
  readonly digest: string;
  /** The uncompressed layer's digest (the config's `rootfs.diff_ids`). */
  readonly diffId?: string;
  readonly mediaType: string;
  readonly size: number;
  /** The Dockerfile instruction that created it (`RUN apt-get install ...`), from the config history. */
  readonly createdBy?: string;
}

/** What an image's config says about how it runs, for BUILD-stage policies. */
export interface ImageMetadata {
  /** The reference or path it was read from. */
  readonly source: string;
  /** Digest of the image manifest. */
  readonly digest: string;
  readonly mediaType: string;
  readonly platform?: { readonly os: string; readonly architecture: string; readonly variant?: string };
  readonly created?: string;
  readonly user?: string;
  readonly exposedPorts: readonly string[];
  readonly env: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly workingDir?: string;
  readonly layers: readonly ImageLayer[];
  /** Every history step, empty layers included (ENV, EXPOSE, ...). */
  readonly history: readonly { readonly createdBy: string; readonly emptyLayer: boolean; readonly created?: string }[];
}

/** Something in an image that could not be read: as data, with the layer and path where known. */
export interface ImageProblem {
  readonly code: 'unsafe-path' | 'symlink-escape' | 'too-large' | 'unreadable' | 'unknown-media-type' | 'digest-mismatch' | 'invalid-manifest' | 'catalog';
  readonly message: string;
  readonly layer?: string;
  readonly path?: string;
}

/** Everything a scan of one image produced. */
export interface ImageScan {
  readonly image: ImageMetadata;
  readonly os?: OperatingSystem;
  readonly packages: readonly InstalledPackage[];
  readonly vulnerabilities: readonly VulnerabilityMatch[];
  readonly problems: readonly ImageProblem[];
}
