import type { Kysely, Selectable } from 'kysely';
import { decodeCursor, pageById } from './cursor.js';
import type { AdmissionDecisionTable, CentralDatabase } from './schema.js';
import type { AdmissionDecisionRecord, AdmissionFindingRecord, AdmissionOutcome, CentralStore } from './types.js';

const BATCH = 200;

const decisionRecord = (row: Selectable<AdmissionDecisionTable>): AdmissionDecisionRecord => ({
  id: row.id,
  cluster: row.cluster,
  at: row.at,
  namespace: row.namespace,
  object: row.object,
  operation: row.operation,
  ...(row.user_name ? { user: row.user_name } : {}),
  outcome: row.outcome as AdmissionOutcome,
  dryRun: Number(row.dry_run) === 1,
  ...(row.reason ? { reason: row.reason } : {}),
  findings: JSON.parse(row.findings) as AdmissionFindingRecord[],
});

/** Admission webhooks' decisions, as they reported them; ids are the webhook's, so a resent batch is kept once. */
export const admissionDecisionQueries = (db: Kysely<CentralDatabase>): Pick<CentralStore, 'addAdmissionDecisions' | 'listAdmissionDecisions'> => ({
  addAdmissionDecisions: async (decisions) => {
    let added = 0;
    for (let index = 0; index < decisions.length; index += BATCH) {
      const rows = decisions.slice(index, index + BATCH).map((decision) => ({
        id: decision.id,
        cluster: decision.cluster,
        at: decision.at,
        namespace: decision.namespace,
        object: decision.object,
        operation: decision.operation,
        user_name: decision.user ?? null,
        outcome: decision.outcome,
        dry_run: decision.dryRun ? 1 : 0,
        reason: decision.reason ?? null,
        findings: JSON.stringify(decision.findings),
      }));
      const result = await db
        .insertInto('admission_decisions')
        .values(rows)
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      added += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return added;
  },
  listAdmissionDecisions: async (query) => {
    let select = db.selectFrom('admission_decisions').selectAll();
    if (query.scope.cluster !== undefined) select = select.where('cluster', '=', query.scope.cluster);
    if (query.scope.namespace !== undefined) select = select.where('namespace', '=', query.scope.namespace);
    if (query.cluster) select = select.where('cluster', '=', query.cluster);
    if (query.namespace) select = select.where('namespace', '=', query.namespace);
    if (query.outcome?.length) select = select.where('outcome', 'in', [...query.outcome]);
    if (query.cursor) select = select.where('id', '<', decodeCursor(query.cursor)[1]);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return pageById(rows, query.limit, decisionRecord);
  },
});
