import { VERSION_SCHEMES, type VersionScheme } from './version/index.js';

/**
 * The OSV ecosystems Kubeward matches, with how each orders versions and spells package names.
 * Names are OSV's (`ecosystems.txt` of the OSV schema); distribution ecosystems carry a release
 * after a colon (`Debian:12`, `Alpine:v3.19`, `Ubuntu:22.04:LTS`).
 */
export interface EcosystemInfo {
  readonly name: string;
  readonly scheme: VersionScheme;
  /** Operating-system packages: records name a release, images are matched by their OS release. */
  readonly distribution: boolean;
  /** Lookup key of a package name: the spellings the ecosystem treats as one package map to one key. */
  readonly normaliseName: (name: string) => string;
}

const exact = (name: string): string => name;
const lower = (name: string): string => name.toLowerCase();
/** PEP 503: case-insensitive, runs of `-`, `_` and `.` equal. */
const pep503 = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');
/** crates.io treats `-` and `_` as the same character and names as case-insensitive. */
const crate = (name: string): string => name.toLowerCase().replaceAll('_', '-');

const ecosystem = (name: string, scheme: keyof typeof VERSION_SCHEMES, normaliseName: (name: string) => string, distribution = false): EcosystemInfo => ({
  name,
  scheme: VERSION_SCHEMES[scheme],
  distribution,
  normaliseName,
});

const ECOSYSTEM_LIST: readonly EcosystemInfo[] = [
  ecosystem('Debian', 'dpkg', lower, true),
  ecosystem('Ubuntu', 'dpkg', lower, true),
  ecosystem('Alpine', 'apk', lower, true),
  ecosystem('Wolfi', 'apk', lower, true),
  ecosystem('Chainguard', 'apk', lower, true),
  ecosystem('Red Hat', 'rpm', exact, true),
  ecosystem('Rocky Linux', 'rpm', exact, true),
  ecosystem('AlmaLinux', 'rpm', exact, true),
  ecosystem('SUSE', 'rpm', exact, true),
  ecosystem('openSUSE', 'rpm', exact, true),
  ecosystem('Mageia', 'rpm', exact, true),
  ecosystem('openEuler', 'rpm', exact, true),
  ecosystem('Photon OS', 'rpm', exact, true),
  // npm refuses names that differ only in case, and advisories are not always careful with case.
  ecosystem('npm', 'semver', lower),
  ecosystem('crates.io', 'semver', crate),
  ecosystem('Go', 'go', exact),
  ecosystem('PyPI', 'pep440', pep503),
  ecosystem('Maven', 'maven', exact),
  ecosystem('RubyGems', 'rubygems', exact),
  ecosystem('NuGet', 'nuget', lower),
  ecosystem('Packagist', 'packagist', lower),
];

export const ECOSYSTEMS: ReadonlyMap<string, EcosystemInfo> = new Map(ECOSYSTEM_LIST.map((info) => [info.name, info]));

/** What `kubeward db update` downloads when no ecosystem is named: the ones image scanning reads. */
export const DEFAULT_ECOSYSTEMS: readonly string[] = ['Alpine', 'Debian', 'Ubuntu', 'Wolfi', 'Chainguard', 'Red Hat', 'Rocky Linux', 'AlmaLinux', 'npm', 'PyPI', 'Go', 'Maven', 'crates.io', 'RubyGems', 'NuGet', 'Packagist'];

export interface EcosystemName {
  /** `Debian` of `Debian:12`. */
  readonly base: string;
  /** `12` of `Debian:12`, normalised (`Ubuntu:22.04:LTS` → `22.04`); empty when the ecosystem has no release. */
  readonly release: string;
}

/** Splits `Debian:12` into base and release, normalising Ubuntu's `:LTS` and `Pro:` decorations. */
export const parseEcosystem = (ecosystemName: string): EcosystemName => {
  const colon = ecosystemName.indexOf(':');
  if (colon < 0) return { base: ecosystemName, release: '' };
  const base = ecosystemName.slice(0, colon);
  let release = ecosystemName.slice(colon + 1);
  if (base === 'Ubuntu') release = release.replace(/^Pro:/, '').replace(/^FIPS(?:-updates|-preview)?:/, '').replace(/:LTS$/, '');
  return { base, release };
};

/**
 * The release key an image's OS maps to: Alpine `3.19.1` → `v3.19`, Debian `12` (or `12.5`) → `12`,
 * Ubuntu `22.04` → `22.04`, Rocky/Alma `9.3` → `9`.
 */
export const releaseForOs = (base: string, versionId: string): string => {
  const text = versionId.trim();
  switch (base) {
    case 'Alpine': {
      const match = /^v?(\d+)\.(\d+)/.exec(text);
      return match ? `v${match[1]}.${match[2]}` : text;
    }
    case 'Debian':
    case 'Rocky Linux':
    case 'AlmaLinux':
    case 'Red Hat':
      return /^(\d+)/.exec(text)?.[1] ?? text;
    default:
      return text;
  }
};
