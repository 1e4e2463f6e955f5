import type { Kysely, Selectable } from 'kysely';
import { appendAuditRow } from './audit.js';
import { decodeCursor, pageById } from './cursor.js';
import { timeOrderedId } from './ids.js';
import type { CentralDatabase, ExceptionTable } from './schema.js';
import type { CentralStore, ExceptionRecord, ExceptionState, Scope } from './types.js';

const exceptionRecord = (row: Selectable<ExceptionTable>): ExceptionRecord => ({
  id: row.id,
  policy: row.policy,
  scope: {
    ...(row.cluster ? { cluster: row.cluster } : {}),
    ...(row.namespace ? { namespace: row.namespace } : {}),
    ...(row.kind ? { kind: row.kind } : {}),
    ...(row.name ? { name: row.name } : {}),
    ...(row.image ? { image: row.image } : {}),
  },
  reason: row.reason,
  requestedBy: row.requested_by,
  requestedAt: row.requested_at,
  ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
  state: row.state as ExceptionState,
  ...(row.decided_by ? { decidedBy: row.decided_by } : {}),
  ...(row.decided_at ? { decidedAt: row.decided_at } : {}),
  ...(row.comment ? { comment: row.comment } : {}),
  ...(row.revoked_by ? { revokedBy: row.revoked_by } : {}),
  ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
});

const selectExceptions = (db: Kysely<CentralDatabase>) => db.selectFrom('exceptions').selectAll();
type Query = ReturnType<typeof selectExceptions>;

/** A scoped token sees, and acts on, the exceptions of its own scope only (never those for every cluster). */
const within = (query: Query, scope: Scope): Query => {
  let out = query;
  if (scope.cluster !== undefined) out = out.where('cluster', '=', scope.cluster);
  if (scope.namespace !== undefined) out = out.where('namespace', '=', scope.namespace);
  return out;
};

/** Exceptions with their approval: requested, then approved or denied by someone, revoked or expired. */
export const exceptionQueries = (
  db: Kysely<CentralDatabase>,
): Pick<
  CentralStore,
  'requestException' | 'decideException' | 'revokeException' | 'expireExceptions' | 'getException' | 'listExceptions' | 'activeExceptions'
> => {
  const get = async (id: string, scope: Scope = {}): Promise<ExceptionRecord | undefined> => {
    const row = await within(selectExceptions(db), scope).where('id', '=', id).executeTakeFirst();
    return row ? exceptionRecord(row) : undefined;
  };
  /** Moves one exception from one of `from` to `to` in a transaction with its audit entry. */
  const move = (
    id: string,
    from: readonly ExceptionState[],
    to: ExceptionState,
    set: Partial<ExceptionTable>,
    actor: string,
    at: string,
    scope: Scope,
  ): Promise<ExceptionRecord | undefined> =>
    db.transaction().execute(async (trx) => {
      let update = trx
        .updateTable('exceptions')
        .set({ ...set, state: to })
        .where('id', '=', id)
        .where('state', 'in', [...from]);
      if (scope.cluster !== undefined) update = update.where('cluster', '=', scope.cluster);
      if (scope.namespace !== undefined) update = update.where('namespace', '=', scope.namespace);
      const result = await update.executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      await appendAuditRow(trx, { id: timeOrderedId(at), at, actor, action: `exception.${to}`, target: `exception ${id}`, detail: set });
      const row = await trx.selectFrom('exceptions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return exceptionRecord(row);
    });
  return {
    requestException: (exception) =>
      db.transaction().execute(async (trx) => {
        await trx
          .insertInto('exceptions')
          .values({
            id: exception.id,
            policy: exception.policy,
            cluster: exception.scope.cluster ?? null,
            namespace: exception.scope.namespace ?? null,
            kind: exception.scope.kind ?? null,
            name: exception.scope.name ?? null,
            image: exception.scope.image ?? null,
            reason: exception.reason,
            requested_by: exception.requestedBy,
            requested_at: exception.requestedAt,
            state: 'requested',
            decided_by: null,
            decided_at: null,
            comment: null,
            expires_at: exception.expiresAt ?? null,
            revoked_by: null,
            revoked_at: null,
          })
          .execute();
        await appendAuditRow(trx, {
          id: timeOrderedId(exception.requestedAt),
          at: exception.requestedAt,
          actor: exception.requestedBy,
          action: 'exception.request',
          target: `exception ${exception.id}`,
          detail: { policy: exception.policy, scope: exception.scope, reason: exception.reason, expiresAt: exception.expiresAt ?? null },
        });
        return exceptionRecord(await trx.selectFrom('exceptions').selectAll().where('id', '=', exception.id).executeTakeFirstOrThrow());
      }),
    decideException: (id, decision, actor, at, comment, scope) =>
      move(id, ['requested'], decision, { decided_by: actor, decided_at: at, comment: comment ?? null }, actor, at, scope),
    revokeException: (id, actor, at, scope) => move(id, ['requested', 'approved'], 'revoked', { revoked_by: actor, revoked_at: at }, actor, at, scope),
    expireExceptions: async (at) => {
      const due = await selectExceptions(db).where('state', '=', 'approved').where('expires_at', '<=', at).execute();
      const expired: ExceptionRecord[] = [];
      for (const row of due) {
        const moved = await move(row.id, ['approved'], 'expired', {}, 'kubeward server', at, {});
        if (moved) expired.push(moved);
      }
      return expired;
    },
    getException: (id, scope) => get(id, scope),
    listExceptions: async (query) => {
      let select = within(selectExceptions(db), query.scope);
      if (query.state?.length) select = select.where('state', 'in', [...query.state]);
      if (query.policy) select = select.where('policy', '=', query.policy);
      if (query.cursor) select = select.where('id', '<', decodeCursor(query.cursor)[1]);
      const rows = await select
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute();
      return pageById(rows, query.limit, exceptionRecord);
    },
    activeExceptions: async (cluster, at) =>
      (
        await selectExceptions(db)
          .where('state', '=', 'approved')
          .where((eb) => eb.or([eb('cluster', 'is', null), eb('cluster', '=', cluster)]))
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
          .orderBy('id')
          .execute()
      ).map(exceptionRecord),
  };
};
