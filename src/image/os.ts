import type { OperatingSystem } from '../model/index.js';
import { releaseForOs } from '../vulndb/index.js';

/** Files that say which OS an image is, in the order they are trusted. */
export const OS_FILES = ['/etc/os-release', '/usr/lib/os-release', '/etc/alpine-release', '/etc/debian_version', '/etc/redhat-release', '/etc/system-release'];

/** os-release `ID` → the OSV ecosystem its packages are matched in. */
const ECOSYSTEM_BY_ID: Readonly<Record<string, string>> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  alpine: 'Alpine',
  wolfi: 'Wolfi',
  chainguard: 'Chainguard',
  rhel: 'Red Hat',
  // CentOS rebuilds RHEL: its packages are matched against Red Hat's advisories, as Trivy does.
  centos: 'Red Hat',
  rocky: 'Rocky Linux',
  almalinux: 'AlmaLinux',
  sles: 'SUSE',
  'opensuse-leap': 'openSUSE',
  'opensuse-tumbleweed': 'openSUSE',
  photon: 'Photon OS',
  mageia: 'Mageia',
  openEuler: 'openEuler',
};

/** Parses os-release: `KEY=value` lines, values optionally quoted, with shell escapes. */
export const parseOsRelease = (text: string): Record<string, string> => {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match) continue;
    let value = (match[2] as string).trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))
      value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    fields[match[1] as string] = value;
  }
  return fields;
};

const withEcosystem = (id: string, versionId: string | undefined, prettyName: string | undefined, source: string): OperatingSystem => {
  const ecosystem = ECOSYSTEM_BY_ID[id];
  const release =
    ecosystem && versionId ? releaseForOs(ecosystem, ecosystem === 'openSUSE' && id === 'opensuse-tumbleweed' ? 'tumbleweed' : versionId) : undefined;
  return {
    id,
    ...(versionId ? { versionId } : {}),
    ...(prettyName ? { prettyName } : {}),
    ...(ecosystem ? { ecosystem } : {}),
    ...(release ? { release } : {}),
    source,
  };
};

/**
 * Detects the OS from os-release, falling back to `/etc/alpine-release`, `/etc/debian_version`
 * and `/etc/redhat-release` for images that lack it. Undefined for images without an OS
 * (scratch, distroless static).
 */
export const detectOs = (read: (path: string) => Buffer | undefined): OperatingSystem | undefined => {
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    const content = read(path);
    if (!content) continue;
    const fields = parseOsRelease(content.toString('utf8'));
    if (!fields.ID) continue;
    // Debian testing/sid carry no VERSION_ID; debian_version then says `trixie/sid`.
    const versionId = fields.VERSION_ID ?? (fields.ID === 'debian' ? read('/etc/debian_version')?.toString('utf8').trim() : undefined);
    return withEcosystem(fields.ID, versionId, fields.PRETTY_NAME, path);
  }
  const alpine = read('/etc/alpine-release')?.toString('utf8').trim();
  if (alpine) return withEcosystem('alpine', alpine, `Alpine Linux v${alpine}`, '/etc/alpine-release');
  const debian = read('/etc/debian_version')?.toString('utf8').trim();
  if (debian) return withEcosystem('debian', debian, `Debian GNU/Linux ${debian}`, '/etc/debian_version');
  for (const path of ['/etc/redhat-release', '/etc/system-release']) {
    const text = read(path)?.toString('utf8').trim();
    if (!text) continue;
    const version = /release (\d+(?:\.\d+)*)/.exec(text)?.[1];
    const id = /rocky/i.test(text) ? 'rocky' : /alma/i.test(text) ? 'almalinux' : /centos/i.test(text) ? 'centos' : 'rhel';
    return withEcosystem(id, version, text, path);
  }
  return undefined;
};
