import type { ImageProblem, OperatingSystem } from '../../../model/index.js';
import type { Cataloger, CatalogHelpers, FileView, PackageDraft } from '../types.js';
import { isBerkeleyHash, readBerkeleyHashValues } from './bdb.js';
import { parseRpmHeader, sourceName, type RpmHeader } from './header.js';
import { readNdbBlobs } from './ndb.js';

const DIRECTORIES = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'];
const BDB = 'Packages';
const SQLITE = 'rpmdb.sqlite';
const NDB = 'Packages.db';

/** purl namespaces per os-release ID, as Syft and Trivy write them. */
const NAMESPACES: Readonly<Record<string, string>> = {
  rhel: 'redhat',
  centos: 'centos',
  rocky: 'rocky',
  almalinux: 'almalinux',
  fedora: 'fedora',
  ol: 'oracle',
  amzn: 'amazon',
  sles: 'suse',
  'opensuse-leap': 'opensuse',
  'opensuse-tumbleweed': 'opensuse',
  photon: 'photon',
  mariner: 'mariner',
  azurelinux: 'azurelinux',
  mageia: 'mageia',
  openEuler: 'openeuler',
};

const draftOf = (header: RpmHeader, os: OperatingSystem | undefined, path: string, layer: number | undefined): PackageDraft => {
  const evr = `${header.epoch ? `${header.epoch}:` : ''}${header.version}-${header.release}`;
  const source = header.sourceRpm ? sourceName(header.sourceRpm) : undefined;
  const namespace = NAMESPACES[os?.id ?? ''] ?? os?.id ?? 'redhat';
  const qualifiers = [
    header.arch ? `arch=${encodeURIComponent(header.arch)}` : '',
    header.epoch ? `epoch=${header.epoch}` : '',
    os?.versionId ? `distro=${encodeURIComponent(`${os.id}-${os.versionId}`)}` : '',
    header.sourceRpm ? `upstream=${encodeURIComponent(header.sourceRpm)}` : '',
  ].filter(Boolean);
  return {
    cataloger: 'rpm',
    // CentOS and other rebuilds are matched against the distribution they rebuild.
    ecosystem: os?.ecosystem ?? 'Red Hat',
    ...(os?.release ? { release: os.release } : {}),
    name: header.name,
    version: evr,
    ...(source ? { sourceName: source, sourceVersion: evr } : {}),
    purl: `pkg:rpm/${namespace}/${encodeURIComponent(header.name)}@${encodeURIComponent(`${header.version}-${header.release}`)}${qualifiers.length ? `?${qualifiers.join('&')}` : ''}`,
    ...(header.arch ? { architecture: header.arch } : {}),
    ...(header.license ? { licenses: [header.license] } : {}),
    path,
    ...(layer === undefined ? {} : { layerIndex: layer }),
  };
};

/**
 * rpm databases: Berkeley DB `Packages` (RHEL/CentOS ≤ 7, older SUSE), SQLite `rpmdb.sqlite`
 * (RHEL 8+, Fedora 33+), NDB `Packages.db` (SLE 15, openSUSE Leap 15 and Tumbleweed), under
 * /var/lib/rpm or /usr/lib/sysimage/rpm. `gpg-pubkey` pseudo-packages are not packages.
 */
export const rpmCataloger: Cataloger = {
  name: 'rpm',
  wants: (path) => DIRECTORIES.some((directory) => [BDB, SQLITE, `${SQLITE}-wal`, NDB].some((file) => path === `${directory}/${file}`)),
  async catalog(view: FileView, os: OperatingSystem | undefined, helpers: CatalogHelpers) {
    const packages: PackageDraft[] = [];
    const problems: ImageProblem[] = [];
    const seen = new Set<string>();
    const add = (blobs: readonly Buffer[], path: string): void => {
      const layer = view.layerOf(path);
      for (const blob of blobs) {
        // Record 0 of the Berkeley database holds a counter, not a header.
        if (blob.length < 16) continue;
        let header: RpmHeader;
        try {
          header = parseRpmHeader(blob);
        } catch (error) {
          problems.push({ code: 'catalog', path, message: `${path}: a package header cannot be read (${(error as Error).message})` });
          continue;
        }
        if (header.name === 'gpg-pubkey') continue;
        const key = `${header.name}@${header.epoch ?? 0}:${header.version}-${header.release}.${header.arch ?? ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        packages.push(draftOf(header, os, path, layer));
      }
    };
    for (const directory of DIRECTORIES) {
      const sqlitePath = `${directory}/${SQLITE}`;
      const sqlite = view.read(sqlitePath);
      if (sqlite) {
        try {
          const wal = view.read(`${sqlitePath}-wal`);
          add(await helpers.sqliteBlobs({ main: sqlite, ...(wal ? { wal } : {}) }, 'SELECT blob FROM Packages'), sqlitePath);
        } catch (error) {
          problems.push({ code: 'catalog', path: sqlitePath, message: `${sqlitePath} cannot be read as an rpm database (${(error as Error).message})` });
        }
        continue;
      }
      const bdbPath = `${directory}/${BDB}`;
      const bdb = view.read(bdbPath);
      if (bdb && isBerkeleyHash(bdb)) {
        try {
          add(readBerkeleyHashValues(bdb), bdbPath);
        } catch (error) {
          problems.push({ code: 'catalog', path: bdbPath, message: `${bdbPath} cannot be read as a Berkeley DB (${(error as Error).message})` });
        }
        continue;
      }
      const ndbPath = `${directory}/${NDB}`;
      const ndb = view.read(ndbPath);
      if (ndb) {
        try {
          const { blobs, errors } = readNdbBlobs(ndb);
          add(blobs, ndbPath);
          for (const error of errors) problems.push({ code: 'catalog', path: ndbPath, message: `${ndbPath}: a package cannot be read (${error})` });
        } catch (error) {
          problems.push({ code: 'catalog', path: ndbPath, message: `${ndbPath} cannot be read as an NDB rpm database (${(error as Error).message})` });
        }
      }
    }
    return { packages, problems };
  },
};
