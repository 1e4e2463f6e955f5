import { sql, type Kysely, type Selectable } from 'kysely';
import { decodeCursor, pageById, pageOf } from './cursor.js';
import { likePattern, scoped } from './filters.js';
import type { CentralDatabase, WorkloadTable } from './schema.js';
import type { CentralStore, Page, RiskFactorRecord, RiskFactorSummary, WorkloadChangeRecord, WorkloadQuery, WorkloadRecord } from './types.js';

/**
 * Risk factors parsed once per workload and stored text: a risk-ranked page reads some KB of
 * evidence a workload, and parsing it anew on every request was a sixth of the page's CPU. Kept by
 * workload id (a short key to look up) and used only while the text is the same. Entries are
 * shared: readonly by type (freezing them made serialising them slower).
 */
const parsedOnce = <T>() => {
  const byWorkload = new Map<string, { readonly text: string; readonly parsed: T }>();
  return (workload: string, text: string): T => {
    const known = byWorkload.get(workload);
    if (known?.text === text) return known.parsed;
    if (byWorkload.size >= 20_000) byWorkload.clear();
    const parsed = JSON.parse(text) as T;
    byWorkload.set(workload, { text, parsed });
    return parsed;
  };
};
const factorsWithEvidence = parsedOnce<readonly RiskFactorRecord[]>();
const factorsInBrief = parsedOnce<readonly RiskFactorSummary[]>();

/** What a list page gives of the factors: each one's id, name and weight. */
export const riskSummary = (factors: readonly RiskFactorRecord[]): string =>
  JSON.stringify(factors.map(({ id, name, multiplier }) => ({ id, name, multiplier })));

/** The columns a list page reads: the factors in brief, not their evidence nor the search text. */
const LISTED = [
  'id',
  'cluster',
  'namespace',
  'kind',
  'name',
  'uid',
  'images',
  'replicas',
  'service_account',
  'spec_hash',
  'first_seen',
  'last_seen',
  'removed_at',
  'risk_score',
  'risk_priority',
] as const;

type WorkloadRow = Pick<Selectable<WorkloadTable>, (typeof LISTED)[number]> & { risk_factors?: string | null; risk_summary?: string | null };

const factorsOf = (row: WorkloadRow): readonly RiskFactorSummary[] =>
  row.risk_factors != null ? factorsWithEvidence(row.id, row.risk_factors) : factorsInBrief(row.id, row.risk_summary ?? '[]');

const workloadRecord = (row: WorkloadRow): WorkloadRecord => ({
  id: row.id,
  cluster: row.cluster,
  namespace: row.namespace,
  kind: row.kind,
  name: row.name,
  ...(row.uid ? { uid: row.uid } : {}),
  images: JSON.parse(row.images) as string[],
  ...(row.replicas === null ? {} : { replicas: Number(row.replicas) }),
  ...(row.service_account ? { serviceAccount: row.service_account } : {}),
  specHash: row.spec_hash,
  ...(row.risk_score === null ? {} : { risk: { score: Number(row.risk_score), priority: Number(row.risk_priority), factors: factorsOf(row) } }),
  firstSeen: row.first_seen,
  lastSeen: row.last_seen,
  ...(row.removed_at ? { removedAt: row.removed_at } : {}),
});

/** Workloads as central keeps them: the risk-ranked list, one workload whole, its history. */
export const workloadQueries = (
  db: Kysely<CentralDatabase>,
  dialect: CentralStore['dialect'],
): Pick<CentralStore, 'listWorkloads' | 'getWorkload' | 'workloadHistory' | 'workloadImages'> => {
  const listWorkloads = async (query: WorkloadQuery): Promise<Page<WorkloadRecord>> => {
    let select = scoped(
      db
        .selectFrom('workloads')
        .select(LISTED)
        .select(query.evidence ? 'risk_factors' : 'risk_summary'),
      query.scope,
    );
    if (query.cluster) select = select.where('cluster', '=', query.cluster);
    if (query.namespace) select = select.where('namespace', '=', query.namespace);
    if (!query.includeRemoved) select = select.where('removed_at', 'is', null);
    if (query.search) select = select.where(sql<boolean>`search like ${likePattern(query.search)} escape '\\'`);
    const sort = query.sort ?? 'risk';
    if (sort === 'risk') {
      // Unscored workloads (no risk yet) sort last, as score -1.
      const score = sql<number>`coalesce(risk_score, -1)`;
      if (query.cursor) {
        const [value, id] = decodeCursor(query.cursor);
        // SQLite seeks on a plain range but scans from the top for a row value on an expression;
        // PostgreSQL seeks on the row value, and the added range misleads its estimates.
        select =
          dialect === 'sqlite'
            ? select.where(sql<boolean>`${score} <= ${Number(value)} and (${score}, id) < (${Number(value)}, ${id})`)
            : select.where(sql<boolean>`(${score}, id) < (${Number(value)}, ${id})`);
      }
      // Both descending: the partial index on live workloads (score, id) walks straight to the page.
      const rows = await select
        .orderBy(score, 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute();
      return pageOf(rows, query.limit, workloadRecord, (row) => [row.risk_score ?? -1, row.id]);
    }
    if (query.cursor) {
      const [, id] = decodeCursor(query.cursor);
      select = select.where('id', '>', id);
    }
    const rows = await select
      .orderBy('id', 'asc')
      .limit(query.limit + 1)
      .execute();
    return pageById(rows, query.limit, workloadRecord);
  };

  return {
    listWorkloads,
    getWorkload: async (id, scope) => {
      const row = await scoped(db.selectFrom('workloads').select(LISTED).select('risk_factors'), scope).where('id', '=', id).executeTakeFirst();
      return row ? workloadRecord(row) : undefined;
    },
    workloadHistory: async (id, limit) =>
      (
        await db
          .selectFrom('workload_changes')
          .select(['at', 'change', 'spec_hash'])
          .where('workload_id', '=', id)
          .orderBy('at', 'desc')
          .orderBy('id', 'desc')
          .limit(limit)
          .execute()
      ).map((row) => ({ at: row.at, change: row.change as WorkloadChangeRecord['change'], specHash: row.spec_hash })),
    workloadImages: async () => {
      const rows = await db.selectFrom('workloads').select('images').distinct().where('removed_at', 'is', null).execute();
      return [...new Set(rows.flatMap((row) => JSON.parse(row.images) as string[]))].sort();
    },
  };
};
