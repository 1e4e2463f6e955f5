import type { Kysely, Transaction } from 'kysely';
import type { CentralDatabase } from './schema.js';
import type { AuditEntry } from './types.js';

/** One audit entry, in the caller's transaction when it has one: a change and its record commit together. */
export const appendAuditRow = async (on: Kysely<CentralDatabase> | Transaction<CentralDatabase>, entry: AuditEntry): Promise<void> => {
  await on
    .insertInto('audit_log')
    .values({ id: entry.id, at: entry.at, actor: entry.actor, action: entry.action, target: entry.target, detail: JSON.stringify(entry.detail) })
    .execute();
};
