import type { Kysely, Selectable } from 'kysely';
import { decodeCursor, pageById } from './cursor.js';
import type { CentralDatabase, CiResultTable } from './schema.js';
import type { CentralStore, CiKind, CiResultRecord } from './types.js';

const ciRecord = (row: Omit<Selectable<CiResultTable>, 'report'>): CiResultRecord => ({
  id: row.id,
  repository: row.repository,
  commit: row.commit_sha,
  ...(row.branch ? { branch: row.branch } : {}),
  ...(row.pipeline ? { pipeline: row.pipeline } : {}),
  ...(row.url ? { url: row.url } : {}),
  kind: row.kind as CiKind,
  subject: row.subject,
  ...(row.tool_version ? { toolVersion: row.tool_version } : {}),
  receivedAt: row.received_at,
  actor: row.actor,
  counts: { critical: Number(row.critical), high: Number(row.high), medium: Number(row.medium), low: Number(row.low), total: Number(row.total) },
});

const COLUMNS = [
  'id',
  'repository',
  'commit_sha',
  'branch',
  'pipeline',
  'url',
  'kind',
  'subject',
  'tool_version',
  'received_at',
  'actor',
  'critical',
  'high',
  'medium',
  'low',
  'total',
] as const;

/** CI reports, kept per repository and commit; the list leaves the reports themselves out. */
export const ciResultQueries = (db: Kysely<CentralDatabase>): Pick<CentralStore, 'addCiResult' | 'listCiResults' | 'getCiResult' | 'listCiRepositories'> => ({
  addCiResult: async (result) => {
    await db
      .insertInto('ci_results')
      .values({
        id: result.id,
        repository: result.repository,
        commit_sha: result.commit,
        branch: result.branch ?? null,
        pipeline: result.pipeline ?? null,
        url: result.url ?? null,
        kind: result.kind,
        subject: result.subject,
        tool_version: result.toolVersion ?? null,
        received_at: result.receivedAt,
        actor: result.actor,
        ...result.counts,
        report: JSON.stringify(result.report),
      })
      .execute();
    return ciRecord(await db.selectFrom('ci_results').select(COLUMNS).where('id', '=', result.id).executeTakeFirstOrThrow());
  },
  listCiResults: async (query) => {
    let select = db.selectFrom('ci_results').select(COLUMNS);
    if (query.repository) select = select.where('repository', '=', query.repository);
    if (query.commit) select = select.where('commit_sha', '=', query.commit);
    if (query.kind) select = select.where('kind', '=', query.kind);
    if (query.cursor) select = select.where('id', '<', decodeCursor(query.cursor)[1]);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return pageById(rows, query.limit, ciRecord);
  },
  getCiResult: async (id) => {
    const row = await db.selectFrom('ci_results').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { ...ciRecord(row), report: JSON.parse(row.report) as unknown } : undefined;
  },
  listCiRepositories: async () => {
    const rows = await db
      .selectFrom('ci_results')
      .select(['repository', (eb) => eb.fn.countAll<string | number>().as('results'), (eb) => eb.fn.max('id').as('latest')])
      .groupBy('repository')
      .orderBy('repository')
      .execute();
    const latest = rows.length
      ? await db
          .selectFrom('ci_results')
          .select(COLUMNS)
          .where(
            'id',
            'in',
            rows.map((row) => String(row.latest)),
          )
          .execute()
      : [];
    const byId = new Map(latest.map((row) => [row.id, ciRecord(row)]));
    return rows.flatMap((row) => {
      const newest = byId.get(String(row.latest));
      return newest ? [{ repository: row.repository, results: Number(row.results), latest: newest }] : [];
    });
  },
});
