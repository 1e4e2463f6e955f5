import { parse as parseToml } from 'smol-toml';
import type { ImageProblem } from '../../model/index.js';
import type { Cataloger, FileView, PackageDraft } from './types.js';

/**
 * Application dependency files of the ecosystems that install without a per-package database:
 * Ruby (installed gemspecs, Gemfile.lock), Rust (Cargo.lock), PHP (Composer's installed.json and
 * composer.lock), .NET (packages.lock.json, *.deps.json).
 */
interface LockfileKind {
  readonly cataloger: string;
  readonly ecosystem: string;
  readonly matches: RegExp;
  readonly parse: (text: string) => { name: string; version: string }[];
  readonly purl: (name: string, version: string) => string;
}

const encode = (text: string): string => encodeURIComponent(text);

/**
 * `s.name = "rake".freeze` / `spec.version = "1.25.0"`: what RubyGems writes into installed
 * gemspecs, assigned to the block's own variable (`Gem::Specification.new do |s|`).
 */
export const parseGemspec = (text: string): { name: string; version: string }[] => {
  const variable = /Gem::Specification\.new\s+do\s+\|\s*(\w+)\s*\|/.exec(text)?.[1];
  if (!variable) throw new Error('no Gem::Specification.new block');
  const name = new RegExp(`^\\s*${variable}\\.name\\s*=\\s*["']([^"']+)["']`, 'm').exec(text)?.[1];
  const version = new RegExp(`^\\s*${variable}\\.version\\s*=\\s*["']([^"']+)["']`, 'm').exec(text)?.[1];
  if (!name || !version) throw new Error('no name or version assignment');
  return [{ name, version }];
};

/** Gemfile.lock: the `specs:` of each source block, four-space indented `name (version)` lines. */
export const parseGemfileLock = (text: string): { name: string; version: string }[] => {
  const out: { name: string; version: string }[] = [];
  for (const match of text.matchAll(/^ {4}([^\s(]+) \(([^)]+)\)$/gm)) {
    // Platform-specific gems are written `nokogiri (1.10.3-x86_64-linux)`; the version is the part before the platform.
    const version = (match[2] as string).replace(/-(?:x86|x64|arm|aarch64|universal|java|mingw|mswin)[\w-]*$/, '');
    out.push({ name: match[1] as string, version });
  }
  return out;
};

export const parseCargoLock = (text: string): { name: string; version: string }[] => {
  const lock = parseToml(text) as { package?: { name?: unknown; version?: unknown }[] };
  return (lock.package ?? []).flatMap((entry) =>
    typeof entry.name === 'string' && typeof entry.version === 'string' ? [{ name: entry.name, version: entry.version }] : [],
  );
};

/** composer.lock (`packages`; `packages-dev` left out) and vendor/composer/installed.json (v1: a list; v2: `{packages}`). */
export const parseComposer = (text: string): { name: string; version: string }[] => {
  const value = JSON.parse(text) as { packages?: unknown } | unknown[];
  const list = Array.isArray(value) ? value : Array.isArray((value as { packages?: unknown }).packages) ? (value as { packages: unknown[] }).packages : [];
  return list.flatMap((entry) => {
    const { name, version, dev } = entry as { name?: unknown; version?: unknown; dev?: unknown };
    // installed.json v2 marks dev packages in `dev-package-names`; composer.lock keeps them apart.
    return typeof name === 'string' && typeof version === 'string' && dev !== true ? [{ name, version }] : [];
  });
};

/** packages.lock.json: every `dependencies` target framework's packages (project references left out). */
export const parseNuGetLock = (text: string): { name: string; version: string }[] => {
  const lock = JSON.parse(text) as { dependencies?: Record<string, Record<string, { type?: string; resolved?: string }>> };
  const out = new Map<string, { name: string; version: string }>();
  for (const framework of Object.values(lock.dependencies ?? {})) {
    for (const [name, entry] of Object.entries(framework)) {
      if (entry.type === 'Project' || !entry.resolved) continue;
      out.set(`${name}@${entry.resolved}`, { name, version: entry.resolved });
    }
  }
  return [...out.values()];
};

/** `*.deps.json` of a published .NET application: the `libraries` of type `package` (`Name/1.2.3`). */
export const parseDepsJson = (text: string): { name: string; version: string }[] => {
  const deps = JSON.parse(text) as { libraries?: Record<string, { type?: string }> };
  return Object.entries(deps.libraries ?? {}).flatMap(([key, library]) => {
    const slash = key.lastIndexOf('/');
    return library.type === 'package' && slash > 0 ? [{ name: key.slice(0, slash), version: key.slice(slash + 1) }] : [];
  });
};

const KINDS: readonly LockfileKind[] = [
  {
    cataloger: 'gemspec',
    ecosystem: 'RubyGems',
    matches: /\/specifications\/[^/]+\.gemspec$/,
    parse: parseGemspec,
    purl: (name, version) => `pkg:gem/${encode(name)}@${encode(version)}`,
  },
  {
    cataloger: 'bundler',
    ecosystem: 'RubyGems',
    matches: /\/Gemfile\.lock$/,
    parse: parseGemfileLock,
    purl: (name, version) => `pkg:gem/${encode(name)}@${encode(version)}`,
  },
  {
    cataloger: 'cargo',
    ecosystem: 'crates.io',
    matches: /\/Cargo\.lock$/,
    parse: parseCargoLock,
    purl: (name, version) => `pkg:cargo/${encode(name)}@${encode(version)}`,
  },
  {
    cataloger: 'composer',
    ecosystem: 'Packagist',
    matches: /\/(?:vendor\/composer\/installed\.json|composer\.lock)$/,
    parse: parseComposer,
    purl: (name, version) => `pkg:composer/${name.split('/').map(encode).join('/')}@${encode(version)}`,
  },
  {
    cataloger: 'nuget',
    ecosystem: 'NuGet',
    matches: /\/packages\.lock\.json$/,
    parse: parseNuGetLock,
    purl: (name, version) => `pkg:nuget/${encode(name)}@${encode(version)}`,
  },
  {
    cataloger: 'dotnet-deps',
    ecosystem: 'NuGet',
    matches: /\.deps\.json$/,
    parse: parseDepsJson,
    purl: (name, version) => `pkg:nuget/${encode(name)}@${encode(version)}`,
  },
];

export const lockfileCataloger: Cataloger = {
  name: 'lockfiles',
  wants: (path) => KINDS.some((kind) => kind.matches.test(path)),
  catalog(view: FileView) {
    const packages: PackageDraft[] = [];
    const problems: ImageProblem[] = [];
    for (const path of [...view.capturedPaths()].sort()) {
      const kind = KINDS.find((candidate) => candidate.matches.test(path));
      if (!kind) continue;
      // A project's composer.lock is superseded by the installed.json of its vendor directory.
      if (kind.cataloger === 'composer' && path.endsWith('/composer.lock') && view.read(path.replace(/composer\.lock$/, 'vendor/composer/installed.json')))
        continue;
      const content = view.read(path);
      if (!content) continue;
      let found: { name: string; version: string }[];
      try {
        found = kind.parse(content.toString('utf8').replace(/^\uFEFF/, ''));
      } catch (error) {
        problems.push({ code: 'catalog', path, message: `${path}: not a readable ${kind.cataloger} file (${(error as Error).message})` });
        continue;
      }
      const layer = view.layerOf(path);
      for (const { name, version } of found) {
        packages.push({
          cataloger: kind.cataloger,
          ecosystem: kind.ecosystem,
          name,
          version,
          purl: kind.purl(name, version),
          path,
          ...(layer === undefined ? {} : { layerIndex: layer }),
        });
      }
    }
    return { packages, problems };
  },
};
