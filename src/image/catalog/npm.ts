import { posix } from 'node:path';
import type { ImageProblem } from '../../model/index.js';
import type { Cataloger, FileView, PackageDraft } from './types.js';

/** `…/node_modules/name/package.json` or `…/node_modules/@scope/name/package.json`: an installed package. */
const INSTALLED = /\/node_modules\/(?:@[^/]+\/)?[^/@.][^/]*\/package\.json$/;
const LOCKFILE = /\/package-lock\.json$/;

const purl = (name: string, version: string): string => {
  const scoped = /^(@[^/]+)\/(.+)$/.exec(name);
  const path = scoped ? `${encodeURIComponent(scoped[1] as string)}/${encodeURIComponent(scoped[2] as string)}` : encodeURIComponent(name);
  return `pkg:npm/${path}@${encodeURIComponent(version)}`;
};

const licenseOf = (value: unknown): string[] | undefined => {
  if (typeof value === 'string') return [value];
  if (typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string') return [(value as { type: string }).type];
  if (Array.isArray(value)) return value.flatMap((item) => licenseOf(item) ?? []);
  return undefined;
};

interface LockDependency {
  readonly version?: string;
  readonly dev?: boolean;
  readonly link?: boolean;
  readonly dependencies?: Readonly<Record<string, LockDependency>>;
}

/**
 * A package-lock.json's packages, without development dependencies: lockfile v1's nested
 * `dependencies`, and v2/v3's `packages` keyed by install path (`node_modules/a/node_modules/b`).
 */
export const parsePackageLock = (text: string): { name: string; version: string }[] => {
  const lock = JSON.parse(text) as {
    lockfileVersion?: number;
    packages?: Record<string, LockDependency & { name?: string }>;
    dependencies?: Record<string, LockDependency>;
  };
  const out = new Map<string, { name: string; version: string }>();
  const add = (name: string, version: string | undefined): void => {
    if (version && !version.startsWith('file:') && !version.startsWith('link:')) out.set(`${name}@${version}`, { name, version });
  };
  if (lock.packages && (lock.lockfileVersion ?? 0) >= 2) {
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === '' || entry.dev || entry.link) continue;
      const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
      add(name, entry.version);
    }
  } else {
    const walk = (dependencies: Readonly<Record<string, LockDependency>> | undefined): void => {
      for (const [name, entry] of Object.entries(dependencies ?? {})) {
        if (entry.dev) continue;
        add(name, entry.version);
        walk(entry.dependencies);
      }
    };
    walk(lock.dependencies);
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
};

/**
 * npm packages: every installed `node_modules/<name>/package.json` (what really runs), and the
 * `package-lock.json` of applications whose `node_modules` is not in the image.
 */
export const npmCataloger: Cataloger = {
  name: 'npm',
  wants: (path) => INSTALLED.test(path) || (LOCKFILE.test(path) && !path.includes('/node_modules/')),
  catalog(view: FileView) {
    const packages: PackageDraft[] = [];
    const problems: ImageProblem[] = [];
    const paths = view.capturedPaths();
    const installedRoots = new Set<string>();
    for (const path of paths.filter((candidate) => INSTALLED.test(candidate)).sort()) {
      const content = view.read(path);
      if (!content) continue;
      let manifest: { name?: unknown; version?: unknown; license?: unknown; licenses?: unknown; private?: unknown };
      try {
        manifest = JSON.parse(content.toString('utf8')) as typeof manifest;
      } catch (error) {
        problems.push({ code: 'catalog', path, message: `${path}: not valid JSON (${(error as Error).message})` });
        continue;
      }
      if (typeof manifest.name !== 'string' || typeof manifest.version !== 'string') continue;
      installedRoots.add(path.slice(0, path.indexOf('/node_modules/')));
      const layer = view.layerOf(path);
      const licenses = licenseOf(manifest.license ?? manifest.licenses);
      packages.push({
        cataloger: 'npm',
        ecosystem: 'npm',
        name: manifest.name,
        version: manifest.version,
        purl: purl(manifest.name, manifest.version),
        ...(licenses?.length ? { licenses } : {}),
        path,
        ...(layer === undefined ? {} : { layerIndex: layer }),
      });
    }
    for (const path of paths.filter((candidate) => LOCKFILE.test(candidate) && !candidate.includes('/node_modules/')).sort()) {
      if (installedRoots.has(posix.dirname(path))) continue;
      const content = view.read(path);
      if (!content) continue;
      let locked: { name: string; version: string }[];
      try {
        locked = parsePackageLock(content.toString('utf8'));
      } catch (error) {
        problems.push({ code: 'catalog', path, message: `${path}: not a readable package-lock.json (${(error as Error).message})` });
        continue;
      }
      const layer = view.layerOf(path);
      for (const { name, version } of locked) {
        packages.push({
          cataloger: 'npm-lockfile',
          ecosystem: 'npm',
          name,
          version,
          purl: purl(name, version),
          path,
          ...(layer === undefined ? {} : { layerIndex: layer }),
        });
      }
    }
    return { packages, problems };
  },
};
