import type { EpssScore, KevEntry, PackageRef, VulnerabilityMatch } from '../model/index.js';
import { vulnerabilitySeverityRank } from '../model/index.js';
import { ECOSYSTEMS, type EcosystemInfo } from './ecosystems.js';
import { judgeVersion } from './osv/range.js';
import type { OsvRange, OsvRecord } from './osv/types.js';
import { judgeSeverity } from './severity.js';
import { VERSION_SCHEMES } from './version/index.js';

/** One `affected` entry of a record, as the store keeps it for lookup by ecosystem and name. */
export interface AffectedEntry {
  readonly record: string;
  /** Index of the entry in the record's `affected` list. */
  readonly index: number;
  /** Ecosystem without release (`Debian`), and the release (`12`, or `` when the record names none). */
  readonly ecosystem: string;
  readonly release: string;
  readonly ranges: readonly OsvRange[];
  readonly versions: readonly string[];
}

/** What matching reads; the SQLite store implements it (and tests can with plain maps). */
export interface AdvisorySource {
  /** Entries whose package is `nameKey` (the ecosystem's normalised spelling) in `ecosystem`. */
  affected(ecosystem: string, nameKey: string): readonly AffectedEntry[];
  /** The releases of a distribution ecosystem the advisories cover (`v3.3` … `v3.11`). */
  releases(ecosystem: string): ReadonlySet<string>;
  record(id: string): OsvRecord | undefined;
  kev(cve: string): KevEntry | undefined;
  epss(cve: string): EpssScore | undefined;
}

export type MatchProblemCode = 'unknown-ecosystem' | 'invalid-version' | 'unevaluable-range' | 'no-release' | 'release-not-covered';

/** Why a package, or one advisory for it, could not be judged: counted and reported, never fatal. */
export interface MatchProblem {
  readonly code: MatchProblemCode;
  readonly package: PackageRef;
  readonly record?: string;
  readonly message: string;
}

export interface MatchResult {
  readonly matches: VulnerabilityMatch[];
  readonly problems: MatchProblem[];
}

interface Hit {
  readonly record: OsvRecord;
  readonly affected: number[];
  readonly fixed: Set<string>;
}

const CVE = /^CVE-\d{4}-\d+$/;

/** Ids a record goes by: its own and its aliases (not `related` or `upstream`, which name different vulnerabilities). */
const idsOf = (record: OsvRecord): string[] => [record.id, ...(record.aliases ?? [])];

/** Groups hits whose records share an id, so a CVE and the GHSA that aliases it report once. */
const groupByAlias = (hits: readonly Hit[]): Hit[][] => {
  const parent = hits.map((_, index) => index);
  const find = (index: number): number => {
    let root = index;
    while (parent[root] !== root) root = parent[root] as number;
    return root;
  };
  const owner = new Map<string, number>();
  hits.forEach((hit, index) => {
    for (const id of idsOf(hit.record)) {
      const other = owner.get(id);
      if (other === undefined) owner.set(id, index);
      else parent[find(index)] = find(other);
    }
  });
  const groups = new Map<number, Hit[]>();
  hits.forEach((hit, index) => {
    const root = find(index);
    const group = groups.get(root);
    if (group) group.push(hit);
    else groups.set(root, [hit]);
  });
  return [...groups.values()];
};

const preferredId = (ids: readonly string[], records: readonly OsvRecord[]): string =>
  ids.filter((id) => CVE.test(id)).sort(compareCveIds)[0] ?? ids.find((id) => id.startsWith('GHSA-')) ?? (records[0] as OsvRecord).id;

const compareCveIds = (a: string, b: string): number => {
  const [, yearA = '', numberA = ''] = a.split('-');
  const [, yearB = '', numberB = ''] = b.split('-');
  return Number(yearA) - Number(yearB) || Number(numberA) - Number(numberB);
};

/** GitHub's advisories carry the best-written summaries; then whatever record has one. */
const summaryOf = (records: readonly OsvRecord[]): string | undefined =>
  [...records]
    .sort((a, b) => Number(b.id.startsWith('GHSA-')) - Number(a.id.startsWith('GHSA-')))
    .map((record) => record.summary?.trim() || record.details?.trim().split('\n')[0])
    .find((text): text is string => Boolean(text));

const referencesOf = (records: readonly OsvRecord[]): string[] => {
  const all = records.flatMap((record) => record.references ?? []);
  const ordered = [...all.filter((reference) => reference.type === 'ADVISORY'), ...all.filter((reference) => reference.type !== 'ADVISORY')];
  return [...new Set(ordered.map((reference) => reference.url))].slice(0, 10);
};

/** What a vulnerability is, whichever package it was found in: the same for every package a group of records matches. */
type VulnerabilityFacts = Omit<VulnerabilityMatch, 'package' | 'fixedVersions'>;

/** Facts per source and group of records: a scan meets the same vulnerability in many packages and images. */
const factsCache = new WeakMap<AdvisorySource, Map<string, VulnerabilityFacts>>();

const buildMatch = (pkg: PackageRef, group: readonly Hit[], info: EcosystemInfo, source: AdvisorySource): VulnerabilityMatch => {
  const order = (a: string, b: string): number => {
    try {
      return info.scheme.compare(a, b);
    } catch {
      return a < b ? -1 : a > b ? 1 : 0;
    }
  };
  // Records of one vulnerability may spell the same fix differently (`25.0.6` and `25.0.6+incompatible`): keep one.
  const fixed = [...new Set(group.flatMap((hit) => [...hit.fixed]))]
    .sort((a, b) => order(a, b) || a.length - b.length)
    .filter((version, index, all) => index === 0 || order(all[index - 1] as string, version) !== 0);
  let cache = factsCache.get(source);
  if (!cache) factsCache.set(source, (cache = new Map()));
  const key = group
    .map((hit) => `${hit.record.id}#${hit.affected.join(',')}`)
    .sort()
    .join(' ');
  let facts = cache.get(key);
  if (!facts) cache.set(key, (facts = vulnerabilityFacts(group, source)));
  const { kev, epss, ...rest } = facts;
  // Key order as documented: the package and its fixes sit among the facts.
  return { ...rest, package: pkg, fixedVersions: fixed, ...(kev ? { kev } : {}), ...(epss ? { epss } : {}) };
};

const vulnerabilityFacts = (group: readonly Hit[], source: AdvisorySource): VulnerabilityFacts => {
  const records = group.map((hit) => hit.record).sort((a, b) => (a.id < b.id ? -1 : 1));
  const upstreamCves = records.flatMap((record) => (record.upstream ?? []).filter((id) => CVE.test(id)));
  const ids = [...new Set([...records.flatMap(idsOf), ...upstreamCves])].sort();
  const { verdict, cvss, labels } = judgeSeverity(group.map((hit) => ({ record: hit.record, affected: hit.affected })));
  const cves = ids.filter((id) => CVE.test(id));
  const kev = cves.map((cve) => source.kev(cve)).find((entry) => entry !== undefined);
  const epss = cves
    .map((cve) => source.epss(cve))
    .filter((entry) => entry !== undefined)
    .sort((a, b) => b.score - a.score)[0];
  const published = records
    .map((record) => record.published)
    .filter((date): date is string => Boolean(date))
    .sort()[0];
  const modified = records
    .map((record) => record.modified)
    .sort()
    .at(-1) as string;
  const summary = summaryOf(records);
  return {
    id: preferredId(ids, records),
    ids,
    records: records.map((record) => record.id),
    ...(summary === undefined ? {} : { summary }),
    severity: verdict.severity,
    ...(verdict.score === undefined ? {} : { score: verdict.score }),
    severitySource: verdict.source,
    cvss,
    severityLabels: labels,
    ...(published === undefined ? {} : { published }),
    modified,
    references: referencesOf(records),
    ...(kev ? { kev } : {}),
    ...(epss ? { epss } : {}),
  };
};

/**
 * The vulnerabilities affecting one package. Distribution packages are looked up by their
 * source package (Debian and Ubuntu advisories name sources, Alpine's name origins) and by
 * their own name, in the package's OS release; other ecosystems by name in any repository.
 */
export const matchPackage = (pkg: PackageRef, source: AdvisorySource): MatchResult => {
  const problems: MatchProblem[] = [];
  const info = ECOSYSTEMS.get(pkg.ecosystem);
  if (!info)
    return {
      matches: [],
      problems: [{ code: 'unknown-ecosystem', package: pkg, message: `ecosystem ${JSON.stringify(pkg.ecosystem)} is not one Kubeward matches` }],
    };
  if (info.distribution) {
    // Advisories for a distribution are per release: without the right one, answers are wrong or missing, so say so.
    const covered = source.releases(info.name);
    if (pkg.release === undefined) {
      problems.push({
        code: 'no-release',
        package: pkg,
        message: `${pkg.name}: no ${info.name} release given (purl ?distro=); matched against the advisories of every release, whose fixed versions may not apply`,
      });
    } else if (!covered.has(pkg.release) && !covered.has('')) {
      problems.push({
        code: 'release-not-covered',
        package: pkg,
        message:
          covered.size === 0
            ? `${pkg.name}: the database has no ${info.name} advisories (kubeward db update --ecosystem ${info.name}); this package could not be checked`
            : `${pkg.name}: the database has no ${info.name} ${pkg.release} advisories (it covers ${[...covered].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).join(', ')}); this package could not be checked`,
      });
      return { matches: [], problems };
    }
  }
  const lookups: { name: string; version: string }[] = [];
  if (info.distribution && pkg.sourceName && pkg.sourceName !== pkg.name) lookups.push({ name: pkg.sourceName, version: pkg.sourceVersion ?? pkg.version });
  lookups.push({ name: pkg.name, version: info.distribution && pkg.sourceName === pkg.name && pkg.sourceVersion ? pkg.sourceVersion : pkg.version });

  const hits = new Map<string, Hit>();
  for (const lookup of lookups) {
    if (!info.scheme.valid(lookup.version)) {
      problems.push({
        code: 'invalid-version',
        package: pkg,
        message: `${pkg.ecosystem} version ${JSON.stringify(lookup.version)} of ${lookup.name} is not a valid ${info.scheme.name} version`,
      });
      continue;
    }
    for (const entry of source.affected(info.name, info.normaliseName(lookup.name))) {
      if (info.distribution && pkg.release !== undefined && entry.release !== '' && entry.release !== pkg.release) continue;
      // Go's SEMVER ranges are SemVer, but Go spells versions its own way (`v1.2.3`, `go1.21`): its scheme reads both.
      const verdict = judgeVersion(lookup.version, entry, info.scheme, info.name === 'Go' ? VERSION_SCHEMES.go : VERSION_SCHEMES.semver);
      if (verdict.error) {
        problems.push({ code: 'unevaluable-range', package: pkg, record: entry.record, message: `${entry.record}: ${verdict.error}` });
        continue;
      }
      if (!verdict.affected) continue;
      let hit = hits.get(entry.record);
      if (!hit) {
        const record = source.record(entry.record);
        if (!record || record.withdrawn) continue;
        hit = { record, affected: [], fixed: new Set() };
        hits.set(entry.record, hit);
      }
      if (!hit.affected.includes(entry.index)) hit.affected.push(entry.index);
      for (const version of verdict.fixed) hit.fixed.add(version);
    }
  }
  const matches = groupByAlias([...hits.values()]).map((group) => buildMatch(pkg, group, info, source));
  matches.sort(
    (a, b) =>
      vulnerabilitySeverityRank(b.severity) - vulnerabilitySeverityRank(a.severity) ||
      (b.score ?? 0) - (a.score ?? 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return { matches, problems };
};

/** Matches many packages; results in input order. */
export const matchPackages = (packages: readonly PackageRef[], source: AdvisorySource): MatchResult => {
  const matches: VulnerabilityMatch[] = [];
  const problems: MatchProblem[] = [];
  for (const pkg of packages) {
    const result = matchPackage(pkg, source);
    matches.push(...result.matches);
    problems.push(...result.problems);
  }
  return { matches, problems };
};
