import { PackageURL } from 'packageurl-js';
import type { PackageRef } from '../model/index.js';
import { releaseForOs } from './ecosystems.js';

const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  buzz: '1.1', rex: '1.2', bo: '1.3', hamm: '2.0', slink: '2.1', potato: '2.2', woody: '3.0', sarge: '3.1', etch: '4', lenny: '5',
  squeeze: '6', wheezy: '7', jessie: '8', stretch: '9', buster: '10', bullseye: '11', bookworm: '12', trixie: '13', forky: '14', duke: '15',
};

const DISTRIBUTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  deb: { debian: 'Debian', ubuntu: 'Ubuntu' },
  apk: { alpine: 'Alpine', wolfi: 'Wolfi', chainguard: 'Chainguard' },
  rpm: { redhat: 'Red Hat', rhel: 'Red Hat', rocky: 'Rocky Linux', 'rocky-linux': 'Rocky Linux', almalinux: 'AlmaLinux', alma: 'AlmaLinux', opensuse: 'openSUSE', suse: 'SUSE', sles: 'SUSE', mageia: 'Mageia', openeuler: 'openEuler', photon: 'Photon OS' },
};

const LANGUAGES: Readonly<Record<string, string>> = {
  npm: 'npm', pypi: 'PyPI', golang: 'Go', maven: 'Maven', cargo: 'crates.io', gem: 'RubyGems', nuget: 'NuGet', composer: 'Packagist',
};

export class PurlError extends Error {
  constructor(
    readonly purl: string,
    message: string,
  ) {
    super(`${purl}: ${message}`);
    this.name = 'PurlError';
  }
}

/** `debian-12`, `bookworm`, `12.5`, `alpine-3.19.1`, `3.19`, `ubuntu-22.04`, `rhel-9.3` → the release OSV names. */
const releaseFromDistro = (ecosystem: string, distro: string): string => {
  const text = distro.toLowerCase().replace(/^(debian|ubuntu|alpine|rhel|rocky|almalinux|alma|wolfi|opensuse|sles|suse)-/, '');
  if (ecosystem === 'Debian') return DEBIAN_CODENAMES[text] ?? releaseForOs(ecosystem, text);
  return releaseForOs(ecosystem, text);
};

/**
 * Reads a Package URL (`pkg:npm/lodash@4.17.20`, `pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12&upstream=openssl`)
 * into the package matching needs: OSV ecosystem and name, version, OS release, source package.
 */
export const packageFromPurl = (text: string): PackageRef => {
  let purl: PackageURL;
  try {
    purl = PackageURL.fromString(text.trim());
  } catch (error) {
    throw new PurlError(text, (error as Error).message);
  }
  if (!purl.version) throw new PurlError(text, 'has no version (pkg:type/name@version)');
  const qualifiers = (purl.qualifiers ?? {}) as Record<string, string>;
  const language = LANGUAGES[purl.type];
  if (language) {
    const name =
      purl.type === 'maven' ? `${purl.namespace ?? ''}:${purl.name}` : purl.namespace ? `${purl.namespace}/${purl.name}` : purl.name;
    return { ecosystem: language, name, version: purl.version, purl: text.trim() };
  }
  const distributions = DISTRIBUTIONS[purl.type];
  if (!distributions) throw new PurlError(text, `package type ${JSON.stringify(purl.type)} is not one Kubeward matches (npm, pypi, golang, maven, cargo, gem, nuget, composer, deb, apk, rpm)`);
  const ecosystem = distributions[(purl.namespace ?? '').toLowerCase()];
  if (!ecosystem) throw new PurlError(text, `${purl.type} namespace ${JSON.stringify(purl.namespace ?? '')} is not a known distribution (${Object.keys(distributions).join(', ')})`);
  // An rpm epoch travels as a qualifier; OSV versions carry it inline (`1:2.3-4`).
  const version = purl.type === 'rpm' && qualifiers.epoch && qualifiers.epoch !== '0' ? `${qualifiers.epoch}:${purl.version}` : purl.version;
  // Syft writes the source package as `upstream=openssl` or `upstream=openssl@3.0.11-1`.
  const upstream = qualifiers.upstream ?? qualifiers.source;
  const upstreamMatch = upstream ? /^([^@\s(]+)(?:@([^\s)]+)|\s*\(([^)]+)\))?$/.exec(upstream.trim()) : null;
  const release = qualifiers.distro ? releaseFromDistro(ecosystem, qualifiers.distro) : undefined;
  return {
    ecosystem,
    name: purl.name,
    version,
    ...(release ? { release } : {}),
    ...(upstreamMatch?.[1] ? { sourceName: upstreamMatch[1] } : {}),
    ...(upstreamMatch?.[2] || upstreamMatch?.[3] ? { sourceVersion: (upstreamMatch[2] ?? upstreamMatch[3]) as string } : {}),
    purl: text.trim(),
  };
};
