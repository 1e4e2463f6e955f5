import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * Forward-only migrations, applied at start in order. Never edit one that has shipped: add the
 * next. Names sort in order; the test migrates from every earlier version to the newest.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': {
    up: async (db: Kysely<unknown>) => {
      await db.schema
        .createTable('clusters')
        .addColumn('name', 'text', (column) => column.primaryKey())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('last_contact_at', 'text')
        .addColumn('last_snapshot_id', 'text')
        .addColumn('generation', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('kube_version', 'text')
        .addColumn('sensor_version', 'text')
        .addColumn('workloads', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('active_violations', 'integer', (column) => column.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('workloads')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('cluster', 'text', (column) => column.notNull().references('clusters.name').onDelete('cascade'))
        .addColumn('namespace', 'text', (column) => column.notNull())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('uid', 'text')
        .addColumn('images', 'text', (column) => column.notNull())
        .addColumn('replicas', 'integer')
        .addColumn('service_account', 'text')
        .addColumn('spec_hash', 'text', (column) => column.notNull())
        .addColumn('first_seen', 'text', (column) => column.notNull())
        .addColumn('last_seen', 'text', (column) => column.notNull())
        .addColumn('removed_at', 'text')
        .addColumn('risk_score', 'real')
        .addColumn('risk_priority', 'integer')
        .addColumn('risk_factors', 'text')
        .addColumn('search', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('workloads_by_cluster').on('workloads').columns(['cluster', 'namespace', 'removed_at']).execute();
      await db.schema.createIndex('workloads_by_risk').on('workloads').columns(['risk_score', 'id']).execute();
      await db.schema
        .createTable('workload_changes')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('workload_id', 'text', (column) => column.notNull())
        .addColumn('cluster', 'text', (column) => column.notNull().references('clusters.name').onDelete('cascade'))
        .addColumn('at', 'text', (column) => column.notNull())
        .addColumn('change', 'text', (column) => column.notNull())
        .addColumn('spec_hash', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('workload_changes_by_workload').on('workload_changes').columns(['workload_id', 'at']).execute();
      await db.schema
        .createTable('violations')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('cluster', 'text', (column) => column.notNull().references('clusters.name').onDelete('cascade'))
        .addColumn('namespace', 'text', (column) => column.notNull())
        .addColumn('object_kind', 'text', (column) => column.notNull())
        .addColumn('object_name', 'text', (column) => column.notNull())
        .addColumn('container', 'text', (column) => column.notNull())
        .addColumn('policy_id', 'text', (column) => column.notNull())
        .addColumn('policy_name', 'text', (column) => column.notNull())
        .addColumn('severity', 'text', (column) => column.notNull())
        .addColumn('severity_rank', 'integer', (column) => column.notNull())
        .addColumn('categories', 'text', (column) => column.notNull())
        .addColumn('message', 'text', (column) => column.notNull())
        .addColumn('remediation', 'text', (column) => column.notNull())
        .addColumn('path', 'text', (column) => column.notNull())
        .addColumn('enforced', 'integer', (column) => column.notNull())
        .addColumn('state', 'text', (column) => column.notNull())
        .addColumn('first_seen', 'text', (column) => column.notNull())
        .addColumn('last_seen', 'text', (column) => column.notNull())
        .addColumn('resolved_at', 'text')
        .addColumn('resolved_by', 'text')
        .addColumn('snoozed_until', 'text')
        .addColumn('search', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('violations_by_cluster').on('violations').columns(['cluster', 'state', 'namespace']).execute();
      await db.schema.createIndex('violations_by_severity').on('violations').columns(['state', 'severity_rank', 'id']).execute();
      await db.schema.createIndex('violations_by_policy').on('violations').columns(['policy_id', 'state']).execute();
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('role', 'text', (column) => column.notNull())
        .addColumn('secret_hash', 'text', (column) => column.notNull().unique())
        .addColumn('cluster_scope', 'text')
        .addColumn('namespace_scope', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('revoked_at', 'text')
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('at', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('action', 'text', (column) => column.notNull())
        .addColumn('target', 'text', (column) => column.notNull())
        .addColumn('detail', 'text', (column) => column.notNull())
        .execute();
    },
  },
  '0002_cluster_objects': {
    up: async (db: Kysely<unknown>) => {
      // The objects a cluster holds, as its sensor last reported them, so central can judge a
      // change batch (and re-judge after a policy or database change) without a full resend.
      await db.schema
        .createTable('cluster_objects')
        .addColumn('cluster', 'text', (column) => column.notNull().references('clusters.name').onDelete('cascade'))
        .addColumn('key', 'text', (column) => column.notNull())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('namespace', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('resource_version', 'text', (column) => column.notNull())
        .addColumn('body', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('cluster_objects_pkey', ['cluster', 'key'])
        .execute();
      await db.schema
        .alterTable('clusters')
        .addColumn('change_sequence', 'integer', (column) => column.notNull().defaultTo(0))
        .execute();
    },
  },
  '0003_ci_results': {
    up: async (db: Kysely<unknown>) => {
      await db.schema
        .createTable('ci_results')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('repository', 'text', (column) => column.notNull())
        .addColumn('commit_sha', 'text', (column) => column.notNull())
        .addColumn('branch', 'text')
        .addColumn('pipeline', 'text')
        .addColumn('url', 'text')
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('subject', 'text', (column) => column.notNull())
        .addColumn('tool_version', 'text')
        .addColumn('received_at', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('critical', 'integer', (column) => column.notNull())
        .addColumn('high', 'integer', (column) => column.notNull())
        .addColumn('medium', 'integer', (column) => column.notNull())
        .addColumn('low', 'integer', (column) => column.notNull())
        .addColumn('total', 'integer', (column) => column.notNull())
        .addColumn('report', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('ci_results_by_repository').on('ci_results').columns(['repository', 'id']).execute();
    },
  },
  '0004_admission_decisions': {
    up: async (db: Kysely<unknown>) => {
      await db.schema
        .createTable('admission_decisions')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('cluster', 'text', (column) => column.notNull())
        .addColumn('at', 'text', (column) => column.notNull())
        .addColumn('namespace', 'text', (column) => column.notNull())
        .addColumn('object', 'text', (column) => column.notNull())
        .addColumn('operation', 'text', (column) => column.notNull())
        .addColumn('user_name', 'text')
        .addColumn('outcome', 'text', (column) => column.notNull())
        .addColumn('dry_run', 'integer', (column) => column.notNull())
        .addColumn('reason', 'text')
        .addColumn('findings', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('admission_decisions_by_cluster').on('admission_decisions').columns(['cluster', 'namespace', 'id']).execute();
    },
  },
  '0005_exceptions': {
    up: async (db: Kysely<unknown>) => {
      await db.schema
        .createTable('exceptions')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('policy', 'text', (column) => column.notNull())
        .addColumn('cluster', 'text')
        .addColumn('namespace', 'text')
        .addColumn('kind', 'text')
        .addColumn('name', 'text')
        .addColumn('image', 'text')
        .addColumn('reason', 'text', (column) => column.notNull())
        .addColumn('requested_by', 'text', (column) => column.notNull())
        .addColumn('requested_at', 'text', (column) => column.notNull())
        .addColumn('state', 'text', (column) => column.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'text')
        .addColumn('comment', 'text')
        .addColumn('expires_at', 'text')
        .addColumn('revoked_by', 'text')
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema.createIndex('exceptions_by_state').on('exceptions').columns(['state', 'cluster']).execute();
      await db.schema.alterTable('violations').addColumn('exception_id', 'text').execute();
    },
  },
  '0006_images': {
    up: async (db: Kysely<unknown>) => {
      await db.schema
        .createTable('images')
        .addColumn('digest', 'text', (column) => column.primaryKey())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('os', 'text')
        .addColumn('source', 'text', (column) => column.notNull())
        .addColumn('scanned_at', 'text', (column) => column.notNull())
        .addColumn('packages', 'integer', (column) => column.notNull())
        .addColumn('vulnerabilities', 'integer', (column) => column.notNull())
        .addColumn('critical', 'integer', (column) => column.notNull())
        .addColumn('high', 'integer', (column) => column.notNull())
        .addColumn('medium', 'integer', (column) => column.notNull())
        .addColumn('low', 'integer', (column) => column.notNull())
        .addColumn('fixable', 'integer', (column) => column.notNull())
        .addColumn('report', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('image_names')
        .addColumn('name', 'text', (column) => column.primaryKey())
        .addColumn('digest', 'text', (column) => column.notNull().references('images.digest').onDelete('cascade'))
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
    },
  },
  '0007_policies': {
    up: async (db: Kysely<unknown>) => {
      await db.schema
        .createTable('policies')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('builtin', 'integer', (column) => column.notNull())
        .addColumn('enabled', 'integer', (column) => column.notNull())
        .addColumn('version', 'integer', (column) => column.notNull())
        .addColumn('document', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .addColumn('updated_by', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('policy_versions')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('policy_id', 'text', (column) => column.notNull())
        .addColumn('version', 'integer', (column) => column.notNull())
        .addColumn('change', 'text', (column) => column.notNull())
        .addColumn('enabled', 'integer', (column) => column.notNull())
        .addColumn('document', 'text', (column) => column.notNull())
        .addColumn('at', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('policy_versions_by_policy').on('policy_versions').columns(['policy_id', 'version']).unique().execute();
    },
  },
  '0008_list_indexes': {
    // The lists' sorts as indexes, so a page is an index walk from its cursor, not a sort of every row.
    up: async (db: Kysely<unknown>) => {
      await db.schema.createIndex('violations_by_first_seen').on('violations').columns(['state', 'first_seen', 'id']).execute();
      await db.schema.createIndex('violations_by_policy_id').on('violations').columns(['state', 'policy_id', 'id']).execute();
      await sql`create index workloads_live_by_risk on workloads ((coalesce(risk_score, -1)), id) where removed_at is null`.execute(db);
    },
  },
  '0009_drop_shadowed_indexes': {
    // Every write pays for each index: these two answer nothing another index does not answer as
    // well (a policy filter always has a state; the risk list walks the live workloads' index).
    up: async (db: Kysely<unknown>) => {
      await db.schema.dropIndex('violations_by_policy').execute();
      await db.schema.dropIndex('workloads_by_risk').execute();
    },
  },
  '0010_workload_risk_summary': {
    // A risk-ranked page reads each factor's name and weight; the evidence (KB a workload) is read
    // for one workload. The workloads kept so far get their summary here.
    up: async (db: Kysely<unknown>) => {
      await db.schema.alterTable('workloads').addColumn('risk_summary', 'text').execute();
      const scored = await sql<{ id: string; risk_factors: string }>`select id, risk_factors from workloads where risk_factors is not null`.execute(db);
      for (const row of scored.rows) {
        const factors = JSON.parse(row.risk_factors) as { id: string; name: string; multiplier: number }[];
        const summary = JSON.stringify(factors.map(({ id, name, multiplier }) => ({ id, name, multiplier })));
        await sql`update workloads set risk_summary = ${summary} where id = ${row.id}`.execute(db);
      }
    },
  },
};

export const migrationProvider = (migrations: Readonly<Record<string, Migration>> = MIGRATIONS): MigrationProvider => ({
  getMigrations: () => Promise.resolve({ ...migrations }),
});

/** The newest schema version: the number of migrations. */
export const SCHEMA_VERSION = Object.keys(MIGRATIONS).length;
