import { ECOSYSTEMS, parseEcosystem } from '../ecosystems.js';
import type { AffectedEntry } from '../match.js';
import type { OsvRecord } from './types.js';

export type RecordProblemCode = 'invalid-json' | 'invalid-record' | 'unknown-ecosystem' | 'invalid-version';

/** Something wrong with one record or one of its entries, as data; the importer counts these per source. */
export interface RecordProblem {
  readonly code: RecordProblemCode;
  /** The record id, or the zip entry / file name when the id could not be read. */
  readonly where: string;
  readonly message: string;
}

export interface AcceptedRecord {
  readonly record: OsvRecord;
  /** Entries of ecosystems Kubeward matches, with their lookup keys. */
  readonly entries: readonly (AffectedEntry & { readonly name: string; readonly nameKey: string })[];
  /** Entry-level problems (unknown ecosystems, unreadable versions); the record is kept. */
  readonly problems: readonly RecordProblem[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');
const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'];
/** RFC 3339 date-time, as the OSV schema requires for `modified`. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Checks an OSV record's shape where matching depends on it (id, modified, affected packages,
 * ranges and events), keeps the entries of known ecosystems and reports the rest. A record with
 * a broken shape is refused whole; an entry in an unknown ecosystem is skipped and counted.
 */
export const acceptRecord = (value: unknown, where: string): AcceptedRecord | RecordProblem => {
  const invalid = (message: string, id = where): RecordProblem => ({ code: 'invalid-record', where: id, message });
  if (!isObject(value)) return invalid('an OSV record is a JSON object');
  const { id, modified, affected, aliases, withdrawn } = value;
  if (typeof id !== 'string' || id.trim() === '') return invalid('`id` is missing');
  if (typeof modified !== 'string' || !RFC3339.test(modified) || Number.isNaN(Date.parse(modified))) return invalid('`modified` is not an RFC 3339 time', id);
  if (aliases !== undefined && !isStringArray(aliases)) return invalid('`aliases` is not a list of strings', id);
  if (withdrawn !== undefined && typeof withdrawn !== 'string') return invalid('`withdrawn` is not a time', id);
  if (affected !== undefined && !Array.isArray(affected)) return invalid('`affected` is not a list', id);
  const problems: RecordProblem[] = [];
  const entries: AcceptedRecord['entries'][number][] = [];
  for (const [index, entry] of (affected ?? []).entries()) {
    if (!isObject(entry)) return invalid(`affected[${index}] is not an object`, id);
    const pkg = entry.package;
    if (pkg === undefined) continue; // entries without a package describe GIT ranges of a repository
    if (!isObject(pkg) || typeof pkg.ecosystem !== 'string' || typeof pkg.name !== 'string')
      return invalid(`affected[${index}].package needs ecosystem and name`, id);
    const ranges = entry.ranges ?? [];
    if (!Array.isArray(ranges)) return invalid(`affected[${index}].ranges is not a list`, id);
    for (const [rangeIndex, range] of ranges.entries()) {
      if (!isObject(range) || typeof range.type !== 'string' || !Array.isArray(range.events))
        return invalid(`affected[${index}].ranges[${rangeIndex}] needs type and events`, id);
      for (const event of range.events) {
        const keys = isObject(event) ? Object.keys(event) : [];
        if (keys.length !== 1 || !EVENT_KEYS.includes(keys[0] as string) || typeof (event as Record<string, unknown>)[keys[0] as string] !== 'string') {
          return invalid(`affected[${index}].ranges[${rangeIndex}] has an event that is not one of introduced, fixed, last_affected, limit`, id);
        }
      }
    }
    const versions = entry.versions ?? [];
    if (!isStringArray(versions)) return invalid(`affected[${index}].versions is not a list of strings`, id);
    const { base, release } = parseEcosystem(pkg.ecosystem);
    const info = ECOSYSTEMS.get(base);
    if (!info) {
      problems.push({
        code: 'unknown-ecosystem',
        where: id,
        message: `affected[${index}]: ecosystem ${JSON.stringify(pkg.ecosystem)} is not matched; entry skipped`,
      });
      continue;
    }
    const typed = ranges as { type: string; events: Record<string, string>[] }[];
    const unreadable = [
      ...typed
        .filter((range) => range.type === 'ECOSYSTEM' || range.type === 'SEMVER')
        .flatMap((range) =>
          range.events
            .flatMap((event) => Object.values(event))
            .filter(
              (version) => version !== '0' && version !== '*' && !(range.type === 'SEMVER' ? ECOSYSTEMS.get('npm')?.scheme : info.scheme)?.valid(version),
            ),
        ),
      ...versions.filter((version) => !info.scheme.valid(version)),
    ];
    if (unreadable.length > 0) {
      problems.push({
        code: 'invalid-version',
        where: id,
        message: `affected[${index}] (${pkg.name}): ${[...new Set(unreadable)]
          .slice(0, 3)
          .map((version) => JSON.stringify(version))
          .join(', ')} not valid ${info.scheme.name} version${unreadable.length > 1 ? 's' : ''}`,
      });
    }
    entries.push({
      record: id,
      index,
      ecosystem: info.name,
      release: info.distribution ? release : '',
      ranges: typed,
      versions,
      name: pkg.name,
      nameKey: info.normaliseName(pkg.name),
    });
  }
  return { record: value as unknown as OsvRecord, entries, problems };
};
