import type { ImageProblem, OperatingSystem } from '../../model/index.js';
import type { Cataloger, FileView, PackageDraft } from './types.js';

const STATUS = '/var/lib/dpkg/status';
const STATUS_D = '/var/lib/dpkg/status.d/';

/** Debian control paragraphs (`Field: value`, continuation lines start with a space). */
export const parseControl = (text: string): Record<string, string>[] => {
  const paragraphs: Record<string, string>[] = [];
  let current: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (Object.keys(current).length > 0) paragraphs.push(current);
      current = {};
      last = undefined;
    } else if (/^[ \t]/.test(line)) {
      if (last) current[last] += `\n${line.trim()}`;
    } else {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      last = line.slice(0, colon).trim();
      current[last] = line.slice(colon + 1).trim();
    }
  }
  if (Object.keys(current).length > 0) paragraphs.push(current);
  return paragraphs;
};

/**
 * dpkg's package states (the third word of `Status: <want> <flag> <state>`), in dpkg's own
 * order. A package's files are on disk from `half-installed` on (dpkg lists them with `-L`);
 * `config-files` keeps only its conffiles and `not-installed` nothing, so neither can carry a
 * vulnerability. The desired action (`deinstall`, `purge`, `hold`) and the error flag
 * (`reinstreq`) say what should happen next, not what is on disk, and are not looked at.
 */
const STATES_WITH_FILES: ReadonlySet<string> = new Set(['half-installed', 'unpacked', 'half-configured', 'triggers-awaited', 'triggers-pending', 'installed']);
const KNOWN_STATES: ReadonlySet<string> = new Set(['not-installed', 'config-files', ...STATES_WITH_FILES]);

/** Distroless `status.d` files carry no Status: what is listed there is installed. */
const installed = (status: string | undefined): boolean => {
  if (status === undefined) return true;
  const state = status.trim().split(/\s+/)[2];
  return state !== undefined && STATES_WITH_FILES.has(state);
};

/** `glibc (2.36-9+deb12u4)` → source name and version. */
const sourceOf = (field: string | undefined, version: string): { name?: string; version?: string } => {
  if (!field) return {};
  const match = /^(\S+)(?:\s+\(([^)]+)\))?$/.exec(field.trim());
  if (!match) return {};
  return { name: match[1] as string, version: match[2] ?? version };
};

/**
 * Advisories name source packages at source versions, so the purl carries both
 * (`upstream=postgresql-common%40248%2Bdeb12u2` for `postgresql-client 15+248+deb12u2`, or
 * `upstream=expat@2.5.0-1` for a binNMU `2.5.0-1+b1`): without the version, a reader of the
 * SBOM could only guess the binary's, which is a different number.
 */
const purlFor = (
  os: OperatingSystem | undefined,
  name: string,
  version: string,
  architecture: string | undefined,
  source: { name?: string; version?: string },
): string => {
  const namespace = os?.id === 'ubuntu' ? 'ubuntu' : 'debian';
  const sourceVersion = source.version ?? version;
  const upstream =
    source.name !== undefined && (source.name !== name || sourceVersion !== version) ? `upstream=${encodeURIComponent(`${source.name}@${sourceVersion}`)}` : '';
  const qualifiers = [
    architecture ? `arch=${encodeURIComponent(architecture)}` : '',
    os?.versionId ? `distro=${namespace}-${encodeURIComponent(os.versionId)}` : '',
    upstream,
  ].filter(Boolean);
  return `pkg:deb/${namespace}/${encodeURIComponent(name)}@${encodeURIComponent(version)}${qualifiers.length ? `?${qualifiers.join('&')}` : ''}`;
};

/**
 * dpkg's database: `/var/lib/dpkg/status` (installed packages only) and distroless images'
 * `/var/lib/dpkg/status.d/*` (one file per package). Each package is attributed to the lowest
 * layer whose copy of the database lists it at that version.
 */
export const dpkgCataloger: Cataloger = {
  name: 'dpkg',
  wants: (path) => path === STATUS || (path.startsWith(STATUS_D) && !path.endsWith('.md5sums')),
  catalog(view: FileView, os: OperatingSystem | undefined) {
    const packages: PackageDraft[] = [];
    const problems: ImageProblem[] = [];
    const files = [
      STATUS,
      ...view
        .capturedPaths()
        .filter((path) => path.startsWith(STATUS_D) && !path.endsWith('.md5sums'))
        .sort(),
    ];
    for (const file of files) {
      const content = view.read(file);
      if (!content) continue;
      // Where each name@version first appears, for layer attribution.
      const firstSeen = new Map<string, number>();
      for (const version of view.versions(file)) {
        for (const paragraph of parseControl(version.content.toString('utf8'))) {
          const key = `${paragraph.Package}@${paragraph.Version}`;
          if (!firstSeen.has(key) && installed(paragraph.Status)) firstSeen.set(key, version.layer);
        }
      }
      for (const paragraph of parseControl(content.toString('utf8'))) {
        const name = paragraph.Package;
        const version = paragraph.Version;
        const state = paragraph.Status?.trim().split(/\s+/)[2];
        if (paragraph.Status !== undefined && !KNOWN_STATES.has(state ?? '')) {
          problems.push({
            code: 'catalog',
            path: file,
            message: `${file}: package ${name ?? '(no name)'} has a Status dpkg does not define (${paragraph.Status}); skipped`,
          });
          continue;
        }
        // Purged and removed packages keep a paragraph, often without a Version: nothing to report.
        if (!installed(paragraph.Status)) continue;
        if (!name || !version) {
          if (name || version)
            problems.push({ code: 'catalog', path: file, message: `${file}: a package paragraph without Package or Version (${name ?? version})` });
          continue;
        }
        const source = sourceOf(paragraph.Source, version);
        const architecture = paragraph.Architecture;
        const layer = firstSeen.get(`${name}@${version}`) ?? view.layerOf(file);
        packages.push({
          cataloger: 'dpkg',
          ecosystem: os?.ecosystem === 'Ubuntu' ? 'Ubuntu' : 'Debian',
          ...(os?.release ? { release: os.release } : {}),
          name,
          version,
          ...(source.name ? { sourceName: source.name } : {}),
          ...(source.version ? { sourceVersion: source.version } : {}),
          purl: purlFor(os, name, version, architecture, source),
          ...(architecture ? { architecture } : {}),
          path: file,
          ...(layer === undefined ? {} : { layerIndex: layer }),
        });
      }
    }
    return { packages, problems };
  },
};
