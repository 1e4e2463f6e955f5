import type { ImageProblem } from '../../model/index.js';
import type { Cataloger, FileView, PackageDraft } from './types.js';

/** Installed distributions: wheel `*.dist-info/METADATA`, setuptools `*.egg-info/PKG-INFO`, distutils `*.egg-info` files. */
const METADATA = /\/[^/]+\.dist-info\/METADATA$|\/[^/]+\.egg-info\/PKG-INFO$|\/[^/]+\.egg-info$/;

/** The RFC 822 header block of core metadata (the description that may follow is not read). */
export const parseCoreMetadata = (text: string): Record<string, string> => {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    const match = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line);
    if (match && fields[match[1] as string] === undefined) fields[match[1] as string] = (match[2] as string).trim();
  }
  return fields;
};

/** PEP 503 normalisation, as purls and OSV spell PyPI names. */
const normalise = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** Python distributions installed in site-packages or dist-packages (pip, wheels, eggs, Debian's python3-* packages). */
export const pythonCataloger: Cataloger = {
  name: 'python',
  wants: (path) => METADATA.test(path),
  catalog(view: FileView) {
    const packages: PackageDraft[] = [];
    const problems: ImageProblem[] = [];
    const seen = new Set<string>();
    for (const path of view
      .capturedPaths()
      .filter((candidate) => METADATA.test(candidate))
      .sort()) {
      const content = view.read(path);
      if (!content) continue;
      const fields = parseCoreMetadata(content.toString('utf8'));
      const name = fields.Name;
      const version = fields.Version;
      if (!name || !version) {
        problems.push({ code: 'catalog', path, message: `${path}: no Name or Version in its metadata` });
        continue;
      }
      // One distribution per site directory, however many metadata files describe it.
      const key = `${path.replace(/\/[^/]+\.(?:dist|egg)-info(?:\/(?:METADATA|PKG-INFO))?$/, '')}|${normalise(name)}@${version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const layer = view.layerOf(path);
      const license = fields.License && fields.License !== 'UNKNOWN' ? fields.License : undefined;
      packages.push({
        cataloger: 'python',
        ecosystem: 'PyPI',
        name,
        version,
        purl: `pkg:pypi/${encodeURIComponent(normalise(name))}@${encodeURIComponent(version)}`,
        ...(license ? { licenses: [license] } : {}),
        path,
        ...(layer === undefined ? {} : { layerIndex: layer }),
      });
    }
    return { packages, problems };
  },
};
