import { PackageURL } from 'packageurl-js';
import type { PackageRef } from '../model/index.js';
import { releaseForOs } from './ecosystems.js';

const DISTRIBUTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  deb: { debian: 'Debian', ubuntu: 'Ubuntu' },
  apk: { alpine: 'Alpine', wolfi: 'Wolfi', chainguard: 'Chainguard' },
  rpm: {
    redhat: 'Red Hat',
    rhel: 'Red Hat',
    rocky: 'Rocky Linux',
    'rocky-linux': 'Rocky Linux',
    almalinux: 'AlmaLinux',
    alma: 'AlmaLinux',
    opensuse: 'openSUSE',
    suse: 'SUSE',
    sles: 'SUSE',
    mageia: 'Mageia',
    openeuler: 'openEuler',
    photon: 'Photon OS',
  },
};

const LANGUAGES: Readonly<Record<string, string>> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  maven: 'Maven',
  cargo: 'crates.io',
  gem: 'RubyGems',
  nuget: 'NuGet',
  composer: 'Packagist',
};

/** The purl grammar, read plainly: `pkg:type/namespace/name@version?qualifiers#subpath`. */
const splitPurl = (text: string): Pick<PackageURL, 'type' | 'namespace' | 'name' | 'version' | 'qualifiers'> | undefined => {
  const match = /^pkg:([A-Za-z][A-Za-z0-9.+-]*)\/+([^@?#]+)(?:@([^?#]+))?(?:\?([^#]*))?/.exec(text);
  if (!match) return undefined;
  const decode = (part: string): string => decodeURIComponent(part);
  const segments = (match[2] as string).split('/').filter(Boolean).map(decode);
  const name = segments.pop();
  if (!name) return undefined;
  const qualifiers = Object.fromEntries(
    (match[4] ?? '')
      .split('&')
      .filter(Boolean)
      .map((pair) => [pair.split('=')[0]?.toLowerCase() ?? '', decode(pair.slice(pair.indexOf('=') + 1))]),
  );
  return {
    type: (match[1] as string).toLowerCase(),
    namespace: segments.length > 0 ? segments.join('/') : undefined,
    name,
    version: match[3] === undefined ? undefined : decode(match[3]),
    qualifiers,
  } as Pick<PackageURL, 'type' | 'namespace' | 'name' | 'version' | 'qualifiers'>;
};

/** A qualifier's value as written, percent-decoded but with `+` kept (purls are not form-encoded). */
const rawQualifier = (purl: string, key: string): string | undefined => {
  const query = purl.split('#')[0]?.split('?')[1];
  const pair = query?.split('&').find((part) => part.toLowerCase().startsWith(`${key}=`));
  if (pair === undefined) return undefined;
  try {
    return decodeURIComponent(pair.slice(key.length + 1));
  } catch {
    return pair.slice(key.length + 1);
  }
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

/** `debian-12`, `bookworm`, `alpine-3.19.1`, `ubuntu-22.04`, `jammy`, `rhel-9.3`, `sles-15.5`, `opensuse-leap-15.5`, `photon-3.0` → the release advisories name. */
const releaseFromDistro = (ecosystem: string, distro: string): string =>
  releaseForOs(
    ecosystem,
    distro.replace(/^(debian|ubuntu|alpine|rhel|redhat|rocky|almalinux|alma|wolfi|chainguard|opensuse|sles|suse|photon|mageia|openeuler)-/i, ''),
  );

/**
 * Reads a Package URL (`pkg:npm/lodash@4.17.20`, `pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12&upstream=openssl`)
 * into the package matching needs: OSV ecosystem and name, version, OS release, source package.
 */
export const packageFromPurl = (text: string): PackageRef => {
  let purl: Pick<PackageURL, 'type' | 'namespace' | 'name' | 'version' | 'qualifiers'>;
  try {
    purl = PackageURL.fromString(text.trim());
  } catch (error) {
    // packageurl-js 2.0.1 trips over some Go versions (`v17.03.2-ce`) with a ReferenceError of its own.
    const fallback = error instanceof ReferenceError ? splitPurl(text.trim()) : undefined;
    if (!fallback) throw new PurlError(text, (error as Error).message);
    purl = fallback;
  }
  if (!purl.version) throw new PurlError(text, 'has no version (pkg:type/name@version)');
  const qualifiers = (purl.qualifiers ?? {}) as Record<string, string>;
  const language = LANGUAGES[purl.type];
  if (language) {
    const name = purl.type === 'maven' ? `${purl.namespace ?? ''}:${purl.name}` : purl.namespace ? `${purl.namespace}/${purl.name}` : purl.name;
    return { ecosystem: language, name, version: purl.version, purl: text.trim() };
  }
  const distributions = DISTRIBUTIONS[purl.type];
  if (!distributions)
    throw new PurlError(
      text,
      `package type ${JSON.stringify(purl.type)} is not one Kubeward matches (npm, pypi, golang, maven, cargo, gem, nuget, composer, deb, apk, rpm)`,
    );
  const ecosystem = distributions[(purl.namespace ?? '').toLowerCase()];
  if (!ecosystem)
    throw new PurlError(
      text,
      `${purl.type} namespace ${JSON.stringify(purl.namespace ?? '')} is not a known distribution (${Object.keys(distributions).join(', ')})`,
    );
  // An rpm epoch travels as a qualifier; OSV versions carry it inline (`1:2.3-4`).
  const version = purl.type === 'rpm' && qualifiers.epoch && qualifiers.epoch !== '0' ? `${qualifiers.epoch}:${purl.version}` : purl.version;
  // Syft writes the source package as `upstream=openssl` or `upstream=openssl@3.0.11-1`. Read it from
  // the text: packageurl-js decodes `+` as a space, and Debian versions are full of `+deb12u1`.
  const upstream = rawQualifier(text, 'upstream') ?? rawQualifier(text, 'source') ?? qualifiers.upstream ?? qualifiers.source;
  // rpm purls name the source rpm file (`openssl-3.0.7-25.el9_3.src.rpm`), whose package name is all but the last two fields.
  const sourceRpm = purl.type === 'rpm' && upstream ? /^(.+)-[^-]+-[^-]+\.(?:no)?src\.rpm$/.exec(upstream.trim())?.[1] : undefined;
  const upstreamMatch = sourceRpm !== undefined ? [sourceRpm, sourceRpm] : upstream ? /^([^@\s(]+)(?:@([^\s)]+)|\s*\(([^)]+)\))?$/.exec(upstream.trim()) : null;
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
