/**
 * `npm run bench:image`: scans the test image with an application layer (test/support/images.ts
 * `appImage()`: Debian 12 and real npm, Python, Java, Go, Ruby, Rust, PHP and .NET content) with
 * `kubeward image scan`, packages and vulnerabilities against a database of all the shared OSV
 * data, and with Syft (`syft scan oci-dir:<layout> -o syft-json`) when it is installed. Whole
 * processes, timed as users run them: wall time and peak RSS (GNU time's maximum resident set,
 * else VmHWM sampled from /proc). Then compares the package sets (type, name and version from
 * each purl) and explains every package the two disagree on. Prints JSON.
 *
 *   node dist/bench/image.js [--runs 3] [--data ../shared/data/osv] [--syft PATH] [--timeout 600]
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseToml } from 'smol-toml';
import type { ImageScan, InstalledPackage } from '../src/model/index.js';
import { appImage, hasAppImageTools } from '../test/support/images.js';
import { findTool, goModuleVersion, hasGnuTime, measure, round, summarise, type Measurement } from './measure.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    data: { type: 'string' },
    syft: { type: 'string' },
    timeout: { type: 'string', default: '600' },
  },
});

const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'dist/src/cli/bin.js');
const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

/** A package as both tools can name it: the purl's type, namespace, name and version, qualifiers left out. */
interface Identity {
  readonly type: string;
  readonly name: string;
  readonly version: string;
  readonly key: string;
}

/** PEP 503: how PyPI names compare. */
const pep503 = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

const identityOf = (purl: string | undefined, fallback: { type: string; name: string; version: string }): Identity => {
  const match = purl ? /^pkg:([^/]+)\/([^@?#]+)@([^?#]+)/.exec(purl) : null;
  if (!match) return { ...fallback, key: `${fallback.type}/${fallback.name}@${fallback.version}` };
  const type = (match[1] as string).toLowerCase();
  const segments = (match[2] as string).split('/').map((segment) => decodeURIComponent(segment));
  let name = segments.join('/');
  if (type === 'pypi') name = pep503(name);
  // Debian's purls carry the vendor as namespace (`debian`); both tools write it.
  const version = decodeURIComponent(match[3] as string);
  return { type, name, version, key: `${type}/${name}@${version}` };
};

interface SyftArtifact {
  readonly name: string;
  readonly version: string;
  readonly type: string;
  readonly foundBy: string;
  readonly purl?: string;
  readonly locations?: readonly { readonly path: string }[];
}

interface Side {
  readonly identity: Identity;
  readonly paths: readonly string[];
  readonly by: string;
}

/** Syft's catalogers for the lockfiles Kubeward reads in images: Syft runs them on directory scans only. */
const SYFT_LOCKFILE_CATALOGERS: Readonly<Record<string, string>> = {
  'npm-lockfile': 'javascript-lock-cataloger',
  bundler: 'ruby-gemfile-cataloger',
  cargo: 'rust-cargo-lock-cataloger',
  composer: 'php-composer-lock-cataloger',
};

/** The file a package was found in: the outermost archive for a nested one (`/app.war!WEB-INF/lib/x.jar`). */
const fileOf = (path: string): string => path.split('!')[0] as string;

/** The other tool's packages of the same purl type found in the same file, with the same name or version. */
const counterparts = (side: Side, others: readonly Side[]): Side[] => {
  const files = new Set(side.paths.map(fileOf));
  return others.filter(
    (other) =>
      other.identity.type === side.identity.type &&
      other.paths.some((path) => files.has(fileOf(path))) &&
      (other.identity.name === side.identity.name || other.identity.version === side.identity.version),
  );
};

interface Disagreement {
  readonly category:
    'identity-differs' | 'lockfile-read-in-directory-scans-only' | 'local-workspace-crate' | 'no-version' | 'file-content-classifier' | 'unexplained';
  readonly why: string;
}

/** What Syft's second run, with its lockfile catalogers selected, lists; and how to read a file of the application layer. */
interface Evidence {
  readonly syftWithLockfiles?: ReadonlySet<string>;
  readonly readImageFile: (path: string) => string | undefined;
}

/** A Cargo.lock `[[package]]` without `source`: a crate of the project's own workspace, not one from crates.io. */
const isLocalCrate = (lockfile: string | undefined, name: string, version: string): boolean => {
  if (!lockfile) return false;
  try {
    const lock = parseToml(lockfile) as { package?: { name?: string; version?: string; source?: string }[] };
    return (lock.package ?? []).some((entry) => entry.name === name && entry.version === version && entry.source === undefined);
  } catch {
    return false;
  }
};

/** Why Kubeward lists a package Syft does not, when the evidence tells. */
const explainOursOnly = (ours: Side, syft: readonly Side[], evidence: Evidence): Disagreement => {
  const same = counterparts(ours, syft);
  if (same.length)
    return {
      category: 'identity-differs',
      why: `Syft names the same file's package ${same.map((entry) => `${entry.identity.name}@${entry.identity.version}`).join(', ')}`,
    };
  const lockCataloger = SYFT_LOCKFILE_CATALOGERS[ours.by];
  if (lockCataloger && !(ours.by === 'composer' && ours.paths.some((path) => path.endsWith('/installed.json')))) {
    if (evidence.syftWithLockfiles?.has(ours.identity.key))
      return {
        category: 'lockfile-read-in-directory-scans-only',
        why: `declared in ${ours.paths.join(', ')}: Syft's ${lockCataloger} runs on directory scans only (its image scans list installed packages); with it selected, Syft lists this package too`,
      };
    if (ours.by === 'cargo' && ours.paths.some((path) => isLocalCrate(evidence.readImageFile(path), ours.identity.name, ours.identity.version)))
      return {
        category: 'local-workspace-crate',
        why: `${ours.paths.join(', ')} lists it without a source: the project's own crate, not one from crates.io; Syft's ${lockCataloger} leaves it out even when selected, Kubeward (like Trivy) lists it`,
      };
    return {
      category: 'unexplained',
      why: `declared in ${ours.paths.join(', ')}, which Syft's image scans do not read${evidence.syftWithLockfiles ? `; Syft does not list it even with ${lockCataloger} selected` : ''}`,
    };
  }
  return { category: 'unexplained', why: `only Kubeward's ${ours.by} cataloger lists it (${ours.paths.join(', ')})` };
};

/** Why Syft lists a package Kubeward does not, when the evidence tells. */
const explainSyftOnly = (entry: Side & { readonly artifact: SyftArtifact }, ours: readonly Side[]): Disagreement => {
  const same = counterparts(entry, ours);
  if (same.length)
    return {
      category: 'identity-differs',
      why: `Kubeward names the same file's package ${same.map((other) => `${other.identity.name}@${other.identity.version}`).join(', ')}`,
    };
  if (entry.artifact.type === 'binary')
    return {
      category: 'file-content-classifier',
      why: `Syft's binary classifier recognised ${entry.paths.join(', ')} from its bytes; Kubeward has no cataloger for binaries without package metadata`,
    };
  if (!entry.artifact.version || /^(?:UNKNOWN|\(devel\))$/i.test(entry.artifact.version)) {
    const what =
      entry.artifact.type === 'go-module'
        ? 'the Go main module, built without a version ((devel) in the build info)'
        : entry.artifact.type === 'java-archive'
          ? `the archive ${entry.paths.join(', ')} itself, named after its file: its MANIFEST.MF gives no title or version`
          : 'a package without a version';
    return {
      category: 'no-version',
      why: `${what}; Syft lists it as ${entry.artifact.version || 'no version'}, Kubeward leaves out packages with no version to match`,
    };
  }
  return { category: 'unexplained', why: `only Syft's ${entry.by} lists it (${entry.paths.join(', ')})` };
};

type SyftSide = Side & { readonly artifact: SyftArtifact };

/** Syft's packages by identity (one per purl, every location kept). */
const syftSides = (document: { readonly artifacts: readonly SyftArtifact[] }): Map<string, SyftSide> => {
  const sides = new Map<string, SyftSide>();
  for (const artifact of document.artifacts) {
    const identity = identityOf(artifact.purl, { type: artifact.type, name: artifact.name, version: artifact.version });
    const known = sides.get(identity.key);
    sides.set(identity.key, {
      identity,
      paths: [...new Set([...(known?.paths ?? []), ...(artifact.locations ?? []).map((location) => location.path)])],
      by: known?.by ?? artifact.foundBy,
      artifact: known?.artifact ?? artifact,
    });
  }
  return sides;
};

const syftVersion = (path: string, reported: string | undefined): string => goModuleVersion(path, 'github.com/anchore/syft', reported);

const main = async (): Promise<void> => {
  if (!hasAppImageTools)
    throw new Error('the application image needs mmdebstrap, umoci, skopeo, go, git and golang-github-aquasecurity-go-dep-parser-dev, as root');
  const runs = Number(args.runs);
  const timeout = Number(args.timeout);
  const dataDirectory = args.data ?? [join(root, '..', 'shared', 'data', 'osv'), '/work/shared/data/osv'].find((path) => existsSync(path));
  if (!dataDirectory) throw new Error('no OSV data found; pass --data <dir in the OSV bucket layout>');

  log('building or reusing the application image');
  const image = await appImage();
  const database = await mkdtemp(join(tmpdir(), 'kubeward-bench-image-db-'));
  try {
    log(`importing ${dataDirectory} into ${database}`);
    const imported = await measure(process.execPath, [bin, 'db', 'import', '--db', database, dataDirectory], timeout);
    if (imported.exitCode !== 0) throw new Error(`kubeward db import failed (exit ${imported.exitCode})`);

    // Every measured run reads the whole image: the digest cache is measured on its own below.
    const scanArgs = [bin, 'image', 'scan', image.reference, '--db', database, '--format', 'json', '--quiet', '--no-cache'];
    const sbomArgs = [bin, 'image', 'scan', image.reference, '--no-vulnerabilities', '--format', 'cyclonedx', '--quiet', '--no-cache'];
    const cacheDirectory = await mkdtemp(join(tmpdir(), 'kubeward-bench-image-cache-'));
    const cachedArgs = [bin, 'image', 'scan', image.reference, '--db', database, '--format', 'json', '--quiet', '--cache-dir', cacheDirectory];
    const withVulnerabilities: Measurement[] = [];
    const sbomOnly: Measurement[] = [];
    const cached: Measurement[] = [];
    for (let run = 0; run < runs; run++) {
      log(`kubeward image scan (packages and vulnerabilities) run ${run + 1}/${runs}`);
      withVulnerabilities.push(await measure(process.execPath, scanArgs, timeout));
      log(`kubeward image scan (CycloneDX SBOM only) run ${run + 1}/${runs}`);
      sbomOnly.push(await measure(process.execPath, sbomArgs, timeout));
    }
    log('kubeward image scan with the digest cache (a first run fills it)');
    await measure(process.execPath, cachedArgs, timeout);
    for (let run = 0; run < runs; run++) cached.push(await measure(process.execPath, cachedArgs, timeout));
    await rm(cacheDirectory, { recursive: true, force: true });
    const last = withVulnerabilities.at(-1) as Measurement;
    if (last.exitCode !== 0) throw new Error(`kubeward image scan failed (exit ${last.exitCode})`);
    const scan = JSON.parse(last.stdout) as ImageScan;
    const ours = new Map<string, Side>();
    for (const pkg of scan.packages as readonly InstalledPackage[]) {
      const identity = identityOf(pkg.purl, { type: pkg.ecosystem.toLowerCase(), name: pkg.name, version: pkg.version });
      const known = ours.get(identity.key);
      ours.set(identity.key, { identity, paths: [...new Set([...(known?.paths ?? []), pkg.path])], by: known?.by ?? pkg.cataloger });
    }
    const count = <T>(values: readonly T[], key: (value: T) => string): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const value of values) out[key(value)] = (out[key(value)] ?? 0) + 1;
      return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
    };
    const kubeward = {
      command: `kubeward image scan ${image.reference} --db <all of ${dataDirectory}> --format json`,
      ...summarise(withVulnerabilities),
      sbomOnly: { command: `kubeward image scan ${image.reference} --no-vulnerabilities --format cyclonedx`, ...summarise(sbomOnly) },
      cachedByDigest: {
        command: `kubeward image scan ${image.reference} --db ... --format json (second scan: packages from the digest cache, vulnerabilities matched again)`,
        ...summarise(cached),
      },
      packages: scan.packages.length,
      uniquePackages: ours.size,
      packagesByCataloger: count(scan.packages, (pkg) => pkg.cataloger),
      packagesByLayer: count(scan.packages, (pkg) => String(pkg.layerIndex ?? 'unknown')),
      vulnerabilities: scan.vulnerabilities.length,
      vulnerabilitiesByEcosystem: count(scan.vulnerabilities, (match) => match.package.ecosystem),
      problems: scan.problems.length,
    };

    let syft: Record<string, unknown>;
    const syftPath = args.syft ?? findTool('syft');
    if (!syftPath) syft = { available: false, reason: 'not installed (go install github.com/anchore/syft/cmd/syft@v1.57.1)' };
    else {
      // No update check (no network here) and no state carried between runs.
      const env = { ...process.env, SYFT_CHECK_FOR_APP_UPDATE: 'false' };
      const syftArgs = ['scan', `oci-dir:${image.layout}`, '-o', 'syft-json', '-q'];
      const measured: Measurement[] = [];
      for (let run = 0; run < runs; run++) {
        log(`syft run ${run + 1}/${runs}`);
        measured.push(await measure(syftPath, syftArgs, timeout, env));
      }
      const output = measured.at(-1) as Measurement;
      if (output.exitCode !== 0) syft = { available: true, path: syftPath, ...summarise(measured), error: 'syft failed' };
      else {
        const document = JSON.parse(output.stdout) as { artifacts: SyftArtifact[]; descriptor?: { version?: string } };
        const theirs = syftSides(document);
        // Once more with the lockfile catalogers Syft keeps for directory scans: evidence for the explanations.
        const lockfileCatalogers = [...new Set(Object.values(SYFT_LOCKFILE_CATALOGERS))];
        log('syft with its lockfile catalogers selected');
        const withLockfiles = await measure(
          syftPath,
          [...syftArgs, '--select-catalogers', lockfileCatalogers.map((name) => `+${name}`).join(',')],
          timeout,
          env,
        );
        const withLockfilesDocument = withLockfiles.exitCode === 0 ? (JSON.parse(withLockfiles.stdout) as { artifacts: SyftArtifact[] }) : undefined;
        const evidence: Evidence = {
          ...(withLockfilesDocument ? { syftWithLockfiles: new Set(syftSides(withLockfilesDocument).keys()) } : {}),
          readImageFile: (path) => {
            try {
              return readFileSync(join(image.appfs, fileOf(path)), 'utf8');
            } catch {
              return undefined;
            }
          },
        };
        const oursSides = [...ours.values()];
        const theirSides = [...theirs.values()];
        const onlyKubeward = oursSides
          .filter((side) => !theirs.has(side.identity.key))
          .map((side) => ({ package: side.identity.key, cataloger: side.by, paths: side.paths, ...explainOursOnly(side, theirSides, evidence) }));
        const onlySyft = theirSides
          .filter((side) => !ours.has(side.identity.key))
          .map((side) => ({
            package: side.identity.key,
            syftType: side.artifact.type,
            foundBy: side.by,
            paths: side.paths,
            ...explainSyftOnly(side, oursSides),
          }));
        const byType = (keys: Iterable<Side>): Record<string, number> => count([...keys], (side) => side.identity.type);
        const kubewardWall = kubeward.wallSeconds.median;
        const syftSummary = summarise(measured);
        syft = {
          available: true,
          version: syftVersion(syftPath, document.descriptor?.version),
          command: `syft scan oci-dir:${image.layout} -o syft-json`,
          ...syftSummary,
          packages: document.artifacts.length,
          uniquePackages: theirs.size,
          packagesByType: count(document.artifacts, (artifact) => artifact.type),
          withLockfileCatalogers: {
            command: `syft scan oci-dir:${image.layout} -o syft-json --select-catalogers ${lockfileCatalogers.map((name) => `+${name}`).join(',')}`,
            wallSeconds: round(withLockfiles.wallSeconds),
            peakRssMB: withLockfiles.peakRssMB,
            exitCode: withLockfiles.exitCode,
            packages: withLockfilesDocument?.artifacts.length,
            note: 'run once, only as evidence for the explanations below; not part of the timing comparison',
          },
          ratios: {
            syftWallOverKubewardWithVulnerabilities: round(syftSummary.wallSeconds.median / kubewardWall),
            syftWallOverKubewardSbomOnly: round(syftSummary.wallSeconds.median / kubeward.sbomOnly.wallSeconds.median),
            syftPeakRssOverKubeward: round(syftSummary.peakRssMB.max / kubeward.peakRssMB.max),
          },
          comparison: {
            key: 'purl type/namespace/name@version, qualifiers left out, PyPI names PEP 503-normalised',
            both: oursSides.filter((side) => theirs.has(side.identity.key)).length,
            bothByType: byType(oursSides.filter((side) => theirs.has(side.identity.key))),
            onlyKubewardByType: byType(oursSides.filter((side) => !theirs.has(side.identity.key))),
            onlySyftByType: byType(theirSides.filter((side) => !ours.has(side.identity.key))),
            onlyKubewardByCategory: count(onlyKubeward, (entry) => entry.category),
            onlySyftByCategory: count(onlySyft, (entry) => entry.category),
            onlyKubeward,
            onlySyft,
          },
        };
      }
    }

    const figures = {
      benchmark: 'image-scan',
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? 'unknown',
        memoryGB: round(totalmem() / 2 ** 30, 1),
        node: process.version,
        peakRssFrom: hasGnuTime ? 'GNU time %M' : '/proc VmHWM sampled every 5 ms',
      },
      image: {
        reference: image.reference,
        layers: scan.image.layers.map((layer) => ({ digest: layer.digest, size: layer.size, createdBy: layer.createdBy })),
        applicationFiles: image.files.length,
      },
      database: { data: dataDirectory, importWallSeconds: round(imported.wallSeconds), importPeakRssMB: imported.peakRssMB },
      runs,
      kubeward,
      syft,
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await rm(database, { recursive: true, force: true });
  }
};

await main();
