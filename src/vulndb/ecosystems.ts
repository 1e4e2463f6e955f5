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
export const DEFAULT_ECOSYSTEMS: readonly string[] = [
  'Alpine',
  'Debian',
  'Ubuntu',
  'Wolfi',
  'Chainguard',
  'Red Hat',
  'Rocky Linux',
  'AlmaLinux',
  'npm',
  'PyPI',
  'Go',
  'Maven',
  'crates.io',
  'RubyGems',
  'NuGet',
  'Packagist',
];

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
  return { base, release: advisoryRelease(base, ecosystemName.slice(colon + 1)) };
};

/**
 * The release part of an advisory's ecosystem, spelled as `releaseForOs` spells an image's:
 * `Ubuntu:22.04:LTS` and `Ubuntu:Pro:22.04:LTS` → `22.04`; Red Hat's CPE-style streams
 * `enterprise_linux:9::appstream` → `9` (the main stream; EUS, AUS and other streams keep their
 * product name, `rhel_eus:8.6`, so they never match a plain RHEL); Rocky and AlmaLinux `9` → `9`.
 */
const advisoryRelease = (base: string, release: string): string => {
  switch (base) {
    case 'Ubuntu':
      return release
        .replace(/^Pro:/, '')
        .replace(/^FIPS(?:-updates|-preview)?:/, '')
        .replace(/:LTS$/, '');
    case 'Red Hat': {
      const [product = '', version = ''] = release.split(':');
      const major = /^(\d+)/.exec(version)?.[1] ?? version;
      return product === 'enterprise_linux' || product === 'rhel' ? major : `${product}:${version}`;
    }
    case 'Rocky Linux':
    case 'AlmaLinux':
      return /^(\d+)/.exec(release)?.[1] ?? release;
    default:
      return release;
  }
};

const UBUNTU_CODENAMES: Readonly<Record<string, string>> = {
  trusty: '14.04',
  xenial: '16.04',
  bionic: '18.04',
  focal: '20.04',
  jammy: '22.04',
  mantic: '23.10',
  noble: '24.04',
  oracular: '24.10',
  plucky: '25.04',
  questing: '25.10',
};
const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  squeeze: '6',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
};

/**
 * The release key an image's OS (its os-release `VERSION_ID`, or a purl's `distro`) maps to, as
 * advisories spell it: Alpine `3.19.1` → `v3.19`; Debian `12.5` or `bookworm` → `12`; Ubuntu
 * `22.04` or `jammy` → `22.04`; RHEL, Rocky, AlmaLinux `9.3` → `9`; SUSE `15.5` → `Linux
 * Enterprise Server 15 SP5`; openSUSE `leap-15.5` → `Leap 15.5`; Photon OS `3.0` → `3.0`.
 */
export const releaseForOs = (base: string, versionId: string): string => {
  const text = versionId.trim();
  switch (base) {
    case 'Alpine': {
      const match = /^v?(\d+)\.(\d+)/.exec(text);
      return match ? `v${match[1]}.${match[2]}` : text;
    }
    case 'Debian':
      return DEBIAN_CODENAMES[text.toLowerCase()] ?? /^(\d+)/.exec(text)?.[1] ?? text;
    case 'Ubuntu':
      return UBUNTU_CODENAMES[text.toLowerCase()] ?? /^(\d+\.\d+)/.exec(text)?.[1] ?? text;
    case 'Rocky Linux':
    case 'AlmaLinux':
    case 'Red Hat':
      return /^(\d+)/.exec(text)?.[1] ?? text;
    case 'SUSE': {
      const match = /^(\d+)(?:[.-](?:sp)?(\d+))?/i.exec(text);
      return match ? `Linux Enterprise Server ${match[1]}${match[2] && match[2] !== '0' ? ` SP${match[2]}` : ''}` : text;
    }
    case 'openSUSE': {
      const leap = /^(?:leap[- ]?)?(\d+\.\d+)$/i.exec(text);
      if (leap) return `Leap ${leap[1]}`;
      return /tumbleweed/i.test(text) ? 'Tumbleweed' : text;
    }
    default:
      return text;
  }
};
