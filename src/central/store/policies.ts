import type { Kysely, Selectable, Transaction } from 'kysely';
import { appendAuditRow } from './audit.js';
import { StoreError } from './errors.js';
import { timeOrderedId } from './ids.js';
import type { CentralDatabase, PolicyTable, PolicyVersionTable } from './schema.js';
import type { CentralStore, PolicyChange, PolicyRecord, PolicyVersionRecord } from './types.js';

const policyRecord = (row: Selectable<PolicyTable>): PolicyRecord => ({
  id: row.id,
  builtin: Number(row.builtin) === 1,
  enabled: Number(row.enabled) === 1,
  version: Number(row.version),
  document: JSON.parse(row.document) as Record<string, unknown>,
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
});

const versionRecord = (row: Selectable<PolicyVersionTable>): PolicyVersionRecord => ({
  policyId: row.policy_id,
  version: Number(row.version),
  change: row.change as PolicyVersionRecord['change'],
  enabled: Number(row.enabled) === 1,
  document: JSON.parse(row.document) as Record<string, unknown>,
  at: row.at,
  actor: row.actor,
});

/** Who seeds the shipped policies: a shipped policy last changed by it was never changed by a user. */
export const POLICY_SEEDER = 'kubeward server';

/**
 * The policies central judges with, each change a new version (kept for ever, deletions too) and
 * an audit entry in the same transaction. Writes name the version they change: a write over a
 * version someone else changed meanwhile is a conflict, never a lost update.
 */
export const policyQueries = (
  db: Kysely<CentralDatabase>,
): Pick<CentralStore, 'listPolicies' | 'getPolicy' | 'changePolicy' | 'listPolicyVersions' | 'policyRevision' | 'seedPolicies'> => {
  const record = async (trx: Transaction<CentralDatabase>, row: Selectable<PolicyTable>, change: PolicyVersionRecord['change'], audit: boolean) => {
    await trx
      .insertInto('policy_versions')
      .values({
        id: timeOrderedId(row.updated_at),
        policy_id: row.id,
        version: row.version,
        change,
        enabled: row.enabled,
        document: row.document,
        at: row.updated_at,
        actor: row.updated_by,
      })
      .execute();
    if (audit)
      await appendAuditRow(trx, {
        id: timeOrderedId(row.updated_at),
        at: row.updated_at,
        actor: row.updated_by,
        action: `policy.${change}`,
        target: row.id,
        detail: { version: Number(row.version), enabled: Number(row.enabled) === 1 },
      });
  };

  const changePolicy = (change: PolicyChange): Promise<PolicyRecord | undefined> =>
    db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('policies').selectAll().where('id', '=', change.id).executeTakeFirst();
      if (change.kind === 'create') {
        if (current) throw new StoreError('conflict', `a policy with the id ${change.id} exists (version ${current.version})`);
      } else {
        if (!current) return undefined;
        if (change.expectedVersion !== undefined && change.expectedVersion !== Number(current.version))
          throw new StoreError('conflict', `policy ${change.id} is at version ${current.version}, not ${change.expectedVersion}: read it again`);
      }
      if (change.kind === 'delete') {
        if (!current) return undefined;
        if (Number(current.builtin) === 1) throw new StoreError('conflict', `policy ${change.id} ships with Kubeward: disable it instead`);
        await trx.deleteFrom('policies').where('id', '=', change.id).execute();
        const gone = { ...current, version: Number(current.version) + 1, updated_at: change.at, updated_by: change.actor };
        await record(trx, gone, 'delete', true);
        return policyRecord(gone);
      }
      const row: Selectable<PolicyTable> = {
        id: change.id,
        builtin: current ? current.builtin : 0,
        enabled: change.enabled === undefined ? (current?.enabled ?? 1) : change.enabled ? 1 : 0,
        version: current ? Number(current.version) + 1 : 1,
        document: change.document === undefined ? (current?.document ?? '{}') : JSON.stringify(change.document),
        updated_at: change.at,
        updated_by: change.actor,
      };
      if (current && row.enabled === Number(current.enabled) && row.document === current.document) return policyRecord(current);
      if (current) await trx.updateTable('policies').set(row).where('id', '=', change.id).execute();
      else await trx.insertInto('policies').values(row).execute();
      const kind =
        change.kind === 'create'
          ? 'create'
          : change.document === undefined || row.document === current?.document
            ? row.enabled
              ? 'enable'
              : 'disable'
            : 'update';
      await record(trx, row, kind, true);
      return policyRecord(row);
    });

  return {
    listPolicies: async () => (await db.selectFrom('policies').selectAll().orderBy('id').execute()).map(policyRecord),
    getPolicy: async (id) => {
      const row = await db.selectFrom('policies').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? policyRecord(row) : undefined;
    },
    changePolicy,
    listPolicyVersions: async (id) =>
      (await db.selectFrom('policy_versions').selectAll().where('policy_id', '=', id).orderBy('id', 'desc').execute()).map(versionRecord),
    policyRevision: async () =>
      Number(
        (
          await db
            .selectFrom('policy_versions')
            .select((eb) => eb.fn.countAll<string | number>().as('count'))
            .executeTakeFirstOrThrow()
        ).count,
      ),
    seedPolicies: (shipped, at) =>
      db.transaction().execute(async (trx) => {
        const existing = new Map((await trx.selectFrom('policies').selectAll().execute()).map((row) => [row.id, row]));
        let added = 0;
        let upgraded = 0;
        for (const policy of shipped) {
          const document = JSON.stringify(policy.document);
          const current = existing.get(policy.id);
          if (!current) {
            const row = { id: policy.id, builtin: 1, enabled: policy.enabled ? 1 : 0, version: 1, document, updated_at: at, updated_by: POLICY_SEEDER };
            await trx.insertInto('policies').values(row).execute();
            await record(trx, row, 'create', false);
            added++;
          } else if (current.updated_by === POLICY_SEEDER && current.document !== document) {
            // A shipped policy no user has touched follows the new release; one a user changed stays theirs.
            const row = { ...current, builtin: 1, version: Number(current.version) + 1, document, updated_at: at, updated_by: POLICY_SEEDER };
            await trx.updateTable('policies').set(row).where('id', '=', policy.id).execute();
            await record(trx, row, 'upgrade', false);
            upgraded++;
          } else if (Number(current.builtin) !== 1) {
            await trx.updateTable('policies').set({ builtin: 1 }).where('id', '=', policy.id).execute();
          }
        }
        return { added, upgraded };
      }),
  };
};
