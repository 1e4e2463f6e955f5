import type { ImageProblem, OperatingSystem } from '../../model/index.js';
import type { Cataloger, FileView, PackageDraft } from './types.js';

const INSTALLED = '/lib/apk/db/installed';

/** apk's installed database: paragraphs of one-letter `K:value` lines (P name, V version, o origin, A arch, L license). */
export const parseApkInstalled = (text: string): Record<string, string>[] => {
  const out: Record<string, string>[] = [];
  let current: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current.P) out.push(current);
      current = {};
      continue;
    }
    const key = line[0];
    if (line[1] !== ':' || key === undefined) continue;
    // Files (F, R, ...) repeat; only the first value of each key matters here.
    current[key] ??= line.slice(2);
  }
  if (current.P) out.push(current);
  return out;
};

/** apk packages, from `/lib/apk/db/installed` (Alpine, Wolfi, Chainguard). */
export const apkCataloger: Cataloger = {
  name: 'apk',
  wants: (path) => path === INSTALLED,
  catalog(view: FileView, os: OperatingSystem | undefined) {
    const packages: PackageDraft[] = [];
    const problems: ImageProblem[] = [];
    const content = view.read(INSTALLED);
    if (!content) return { packages, problems };
    const firstSeen = new Map<string, number>();
    for (const version of view.versions(INSTALLED)) {
      for (const entry of parseApkInstalled(version.content.toString('utf8'))) {
        const key = `${entry.P}@${entry.V}`;
        if (!firstSeen.has(key)) firstSeen.set(key, version.layer);
      }
    }
    const namespace = os?.id === 'wolfi' ? 'wolfi' : os?.id === 'chainguard' ? 'chainguard' : 'alpine';
    const ecosystem = os?.ecosystem ?? 'Alpine';
    for (const entry of parseApkInstalled(content.toString('utf8'))) {
      const name = entry.P as string;
      const version = entry.V;
      if (!version) {
        problems.push({ code: 'catalog', path: INSTALLED, message: `${INSTALLED}: package ${name} has no version` });
        continue;
      }
      const origin = entry.o;
      const qualifiers = [
        entry.A ? `arch=${encodeURIComponent(entry.A)}` : '',
        os?.versionId ? `distro=${namespace}-${encodeURIComponent(os.versionId)}` : '',
        origin && origin !== name ? `upstream=${encodeURIComponent(origin)}` : '',
      ].filter(Boolean);
      const layer = firstSeen.get(`${name}@${version}`) ?? view.layerOf(INSTALLED);
      packages.push({
        cataloger: 'apk',
        ecosystem,
        ...(os?.release ? { release: os.release } : {}),
        name,
        version,
        ...(origin ? { sourceName: origin, sourceVersion: version } : {}),
        purl: `pkg:apk/${namespace}/${encodeURIComponent(name)}@${encodeURIComponent(version)}${qualifiers.length ? `?${qualifiers.join('&')}` : ''}`,
        ...(entry.A ? { architecture: entry.A } : {}),
        ...(entry.L ? { licenses: [entry.L] } : {}),
        path: INSTALLED,
        ...(layer === undefined ? {} : { layerIndex: layer }),
      });
    }
    return { packages, problems };
  },
};
