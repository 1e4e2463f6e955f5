import { InvalidVersionError, type VersionScheme } from '../version/index.js';
import type { OsvEvent, OsvRange } from './types.js';

/** The answer for one package version against one `affected` entry of an OSV record. */
export interface RangeVerdict {
  readonly affected: boolean;
  /** The `fixed` versions that end the ranges the version falls in (empty when there is no fix yet). */
  readonly fixed: readonly string[];
  /** Why the entry could not be judged (an unreadable version), when it could not. */
  readonly error?: string;
}

const NOT_AFFECTED: RangeVerdict = { affected: false, fixed: [] };

type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';
interface Event {
  readonly kind: EventKind;
  readonly version: string;
}

const eventOf = (event: OsvEvent): Event | undefined => {
  if (event.introduced !== undefined) return { kind: 'introduced', version: event.introduced };
  if (event.fixed !== undefined) return { kind: 'fixed', version: event.fixed };
  if (event.last_affected !== undefined) return { kind: 'last_affected', version: event.last_affected };
  if (event.limit !== undefined) return { kind: 'limit', version: event.limit };
  return undefined;
};

/** Sorts events by version; `introduced: "0"` is the lowest of all, and an introduction sorts before a fix at the same version. */
const sortEvents = (events: readonly Event[], compare: (a: string, b: string) => number): Event[] => {
  const order: Record<EventKind, number> = { introduced: 0, fixed: 1, last_affected: 2, limit: 3 };
  return [...events].sort((a, b) => {
    const zeroA = a.kind === 'introduced' && a.version === '0';
    const zeroB = b.kind === 'introduced' && b.version === '0';
    if (zeroA || zeroB) return zeroA === zeroB ? 0 : zeroA ? -1 : 1;
    return compare(a.version, b.version) || order[a.kind] - order[b.kind];
  });
};

const isZero = (event: Event): boolean => event.kind === 'introduced' && event.version === '0';

interface PreparedRange {
  readonly limits: readonly Event[];
  readonly sorted: readonly Event[];
  /** Event versions the ordering cannot read: the range cannot be judged, and saying so beats guessing. */
  readonly unreadable: readonly string[];
}

/** Ranges come from the database's cache and are judged against many versions: prepare them once per ordering. */
const prepared = new WeakMap<OsvRange, Map<VersionScheme, PreparedRange>>();

const prepare = (range: OsvRange, scheme: VersionScheme): PreparedRange => {
  let byScheme = prepared.get(range);
  if (!byScheme) prepared.set(range, (byScheme = new Map()));
  let entry = byScheme.get(scheme);
  if (!entry) {
    const events = range.events.map(eventOf).filter((event): event is Event => event !== undefined);
    const unreadable = events.filter((event) => !isZero(event) && event.version !== '*' && !scheme.valid(event.version)).map((event) => event.version);
    entry = {
      limits: events.filter((event) => event.kind === 'limit'),
      sorted:
        unreadable.length > 0
          ? []
          : sortEvents(
              events.filter((event) => event.kind !== 'limit'),
              scheme.compare,
            ),
      unreadable,
    };
    byScheme.set(scheme, entry);
  }
  return entry;
};

/**
 * Whether `version` falls in one range, following the OSV specification's `IncludedInRanges`:
 * events in version order, `introduced` opens, `fixed` closes at the version, `last_affected`
 * closes after it; `limit` events (rare outside GIT ranges) bound the whole range from above.
 * Returns the fix that closes the interval the version is in, if any.
 */
const evaluateRange = (
  version: string,
  { limits, sorted }: PreparedRange,
  compare: (a: string, b: string) => number,
): { affected: boolean; fixed?: string } => {
  if (limits.length > 0 && !limits.some((limit) => limit.version === '*' || compare(version, limit.version) < 0)) return { affected: false };
  let affected = false;
  let fixed: string | undefined;
  for (const event of sorted) {
    if (event.kind === 'introduced') {
      if (isZero(event) || compare(version, event.version) >= 0) {
        affected = true;
        fixed = undefined;
      }
    } else if (event.kind === 'fixed') {
      if (compare(version, event.version) >= 0) affected = false;
      else if (affected && fixed === undefined) fixed = event.version;
    } else if (event.kind === 'last_affected') {
      if (compare(version, event.version) > 0) affected = false;
    }
  }
  return affected ? (fixed === undefined ? { affected } : { affected, fixed }) : { affected: false };
};

/**
 * Judges a version against one `affected` entry: listed in `versions`, or inside any `ECOSYSTEM`
 * or `SEMVER` range (`GIT` ranges name commits, not package versions, and are skipped).
 * `ECOSYSTEM` ranges use the ecosystem's own ordering, `SEMVER` ranges SemVer 2.0. A range
 * holding a version the ordering cannot read is not guessed at: when no other range or list
 * settles it, the verdict carries the error.
 */
export const judgeVersion = (
  version: string,
  entry: { readonly ranges?: readonly OsvRange[]; readonly versions?: readonly string[] },
  ecosystemScheme: VersionScheme,
  semverScheme: VersionScheme,
): RangeVerdict => {
  try {
    const listed = entry.versions?.some((listedVersion) => listedVersion === version || safeEquals(ecosystemScheme, listedVersion, version)) ?? false;
    const fixed = new Set<string>();
    let inRange = false;
    let unreadable: string | undefined;
    for (const range of entry.ranges ?? []) {
      if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') continue;
      const scheme = range.type === 'SEMVER' ? semverScheme : ecosystemScheme;
      const ready = prepare(range, scheme);
      if (ready.unreadable.length > 0) {
        unreadable ??= `${range.type === 'ECOSYSTEM' ? 'an' : 'a'} ${range.type} range holds ${ready.unreadable.map((value) => JSON.stringify(value)).join(', ')}, not valid ${scheme.name} version${ready.unreadable.length > 1 ? 's' : ''}`;
        continue;
      }
      const verdict = evaluateRange(version, ready, scheme.compare);
      if (verdict.affected) {
        inRange = true;
        if (verdict.fixed !== undefined) fixed.add(verdict.fixed);
      }
    }
    if (listed || inRange) return { affected: true, fixed: [...fixed] };
    return unreadable === undefined ? NOT_AFFECTED : { affected: false, fixed: [], error: unreadable };
  } catch (error) {
    if (error instanceof InvalidVersionError) return { affected: false, fixed: [], error: error.message };
    throw error;
  }
};

/** Versions lists are compared by the ecosystem's equality (`1.0` is `1.0.0` in Maven); unreadable ones never match. */
const safeEquals = (scheme: VersionScheme, a: string, b: string): boolean => {
  if (!scheme.valid(a)) return false;
  return scheme.compare(a, b) === 0;
};
