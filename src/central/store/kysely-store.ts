import { Migrator, sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Severity } from '../../model/index.js';
import { admissionDecisionQueries } from './admission-decisions.js';
import { appendAuditRow } from './audit.js';
import { CopyRows } from './copy.js';
import { timeOrderedId } from './ids.js';
import { ciResultQueries } from './ci-results.js';
import { exceptionQueries } from './exceptions.js';
import { imageQueries } from './images.js';
import { likePattern, scoped } from './filters.js';
import { riskSummary, workloadQueries } from './workloads.js';
import { policyQueries } from './policies.js';
import { decodeCursor, pageById, pageOf } from './cursor.js';
import { StoreError } from './errors.js';
import { MIGRATIONS, migrationProvider, SCHEMA_VERSION } from './migrations.js';
import type { CentralDatabase, ClusterObjectTable, ClusterTable, TokenTable, ViolationTable, WorkloadTable } from './schema.js';
import type {
  AuditEntry,
  AuditQuery,
  CentralStore,
  ClusterObjects,
  ClusterRecord,
  IngestOutcome,
  ObjectChanges,
  Page,
  Role,
  Scope,
  SnapshotIngest,
  StoredObject,
  TokenRecord,
  ViolationQuery,
  ViolationRecord,
  ViolationState,
  ViolationSummary,
  WorkloadState,
} from './types.js';

/** Rows per INSERT: below both engines' bound-parameter limits at the widest table (24 columns × 1000 < SQLite's 32,766). */
const BATCH = 1000;

const chunks = <T>(items: readonly T[], size = BATCH): T[][] => {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
};

type BulkTable = 'workloads' | 'workload_changes' | 'violations' | 'cluster_objects';

/**
 * Many rows into one table in few statements. SQLite takes multi-row VALUES. PostgreSQL takes
 * COPY: 97,000 violations of some hundred bytes each bound as VALUES or unnested arrays cost it
 * seconds of parsing that COPY's text format does not.
 */
const insertRows = async <T extends BulkTable>(
  trx: Transaction<CentralDatabase>,
  dialect: CentralStore['dialect'],
  table: T,
  rows: readonly Insertable<CentralDatabase[T]>[],
): Promise<void> => {
  if (rows.length === 0) return;
  if (dialect === 'sqlite') {
    for (const batch of chunks(rows))
      await trx
        .insertInto(table)
        .values(batch as never)
        .execute();
    return;
  }
  const columns = Object.keys(rows[0] as object);
  const copy = new CopyRows(columns, rows as readonly Readonly<Record<string, unknown>>[]);
  await sql`copy ${sql.table(table)} (${sql.join(columns.map((column) => sql.ref(column)))}) from stdin${copy}`.execute(trx);
};

const clusterRecord = (row: Selectable<ClusterTable>): ClusterRecord => ({
  name: row.name,
  createdAt: row.created_at,
  ...(row.last_contact_at ? { lastContactAt: row.last_contact_at } : {}),
  generation: Number(row.generation),
  ...(row.kube_version ? { kubeVersion: row.kube_version } : {}),
  ...(row.sensor_version ? { sensorVersion: row.sensor_version } : {}),
  workloads: Number(row.workloads),
  activeViolations: Number(row.active_violations),
});

/**
 * `contact` is the cluster's last judgement: an open violation was seen then (its row is not
 * rewritten on every batch, which at 100,000 violations would cost seconds a batch).
 */
/** A violation's columns but its search text (a copy of its other text): what a page reads. */
const VIOLATION_COLUMNS = [
  'id',
  'cluster',
  'namespace',
  'object_kind',
  'object_name',
  'container',
  'policy_id',
  'policy_name',
  'severity',
  'severity_rank',
  'categories',
  'message',
  'remediation',
  'path',
  'enforced',
  'state',
  'first_seen',
  'last_seen',
  'resolved_at',
  'resolved_by',
  'snoozed_until',
  'exception_id',
] as const satisfies readonly (keyof ViolationTable)[];

/** Grouped counts (severity × categories × policy) summed for a dashboard. */
const summarise = (
  rows: readonly { severity: string; categories: string; policy_id: string; policy_name: string; count: string | number }[],
  policies: number,
): ViolationSummary => {
  const bySeverity: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 };
  const byCategory = new Map<string, number>();
  const byPolicy = new Map<string, { id: string; name: string; severity: Severity; count: number }>();
  let total = 0;
  for (const row of rows) {
    const count = Number(row.count);
    const severity = row.severity as Severity;
    total += count;
    bySeverity[severity] += count;
    for (const category of categoriesOf(row.categories)) byCategory.set(category, (byCategory.get(category) ?? 0) + count);
    const policy = byPolicy.get(row.policy_id) ?? { id: row.policy_id, name: row.policy_name, severity, count: 0 };
    policy.count += count;
    if (SEVERITY_RANK[severity] > SEVERITY_RANK[policy.severity]) policy.severity = severity;
    byPolicy.set(row.policy_id, policy);
  }
  return {
    total,
    bySeverity,
    byCategory: [...byCategory].map(([category, count]) => ({ category, count })).sort((a, b) => b.count - a.count || a.category.localeCompare(b.category)),
    byPolicy: [...byPolicy.values()]
      .sort((a, b) => b.count - a.count || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.id.localeCompare(b.id))
      .slice(0, policies),
  };
};

/** A policy's categories, parsed once: thousands of violations share a handful of lists. */
const categoryLists = new Map<string, readonly string[]>();
const categoriesOf = (text: string): readonly string[] => {
  let known = categoryLists.get(text);
  if (!known) {
    if (categoryLists.size >= 1000) categoryLists.clear();
    categoryLists.set(text, (known = JSON.parse(text) as string[]));
  }
  return known;
};

const violationRecord = (row: Omit<Selectable<ViolationTable>, 'search'>, now: string, contact?: string | null): ViolationRecord => ({
  id: row.id,
  cluster: row.cluster,
  namespace: row.namespace,
  object: { kind: row.object_kind, name: row.object_name },
  container: row.container,
  policy: { id: row.policy_id, name: row.policy_name },
  severity: row.severity as Severity,
  categories: categoriesOf(row.categories),
  message: row.message,
  remediation: row.remediation,
  path: row.path,
  enforced: Number(row.enforced) === 1,
  state: row.state === 'resolved' || row.state === 'excepted' ? row.state : row.snoozed_until && row.snoozed_until > now ? 'snoozed' : 'active',
  ...(row.exception_id ? { exceptionId: row.exception_id } : {}),
  firstSeen: row.first_seen,
  lastSeen: row.state !== 'resolved' && contact && contact > row.last_seen ? contact : row.last_seen,
  ...(row.resolved_at ? { resolvedAt: row.resolved_at } : {}),
  ...(row.resolved_by ? { resolvedBy: row.resolved_by } : {}),
  ...(row.snoozed_until ? { snoozedUntil: row.snoozed_until } : {}),
});

const tokenRecord = (row: Selectable<TokenTable>): TokenRecord => ({
  id: row.id,
  name: row.name,
  role: row.role as Role,
  scope: { ...(row.cluster_scope ? { cluster: row.cluster_scope } : {}), ...(row.namespace_scope ? { namespace: row.namespace_scope } : {}) },
  createdAt: row.created_at,
  createdBy: row.created_by,
  ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
  ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
  ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
});

const workloadRow = (cluster: string, state: WorkloadState, at: string): WorkloadTable => ({
  id: state.id,
  cluster,
  namespace: state.namespace,
  kind: state.kind,
  name: state.name,
  uid: state.uid ?? null,
  images: JSON.stringify(state.images),
  replicas: state.replicas ?? null,
  service_account: state.serviceAccount ?? null,
  spec_hash: state.specHash,
  first_seen: at,
  last_seen: at,
  removed_at: null,
  risk_score: state.risk?.score ?? null,
  risk_priority: state.risk?.priority ?? null,
  risk_factors: state.risk ? JSON.stringify(state.risk.factors) : null,
  risk_summary: state.risk ? riskSummary(state.risk.factors) : null,
  search: [state.namespace, state.kind, state.name, ...state.images].join(' ').toLowerCase(),
});

const SEVERITY_RANK: Record<Severity, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };

const violationRow = (cluster: string, state: ViolationState, at: string): ViolationTable => ({
  id: state.id,
  cluster,
  namespace: state.namespace,
  object_kind: state.object.kind,
  object_name: state.object.name,
  container: state.container,
  policy_id: state.policy.id,
  policy_name: state.policy.name,
  severity: state.severity,
  severity_rank: SEVERITY_RANK[state.severity],
  categories: JSON.stringify(state.categories),
  message: state.message,
  remediation: state.remediation,
  path: state.path,
  enforced: state.enforced ? 1 : 0,
  state: state.exceptionId ? 'excepted' : 'active',
  exception_id: state.exceptionId ?? null,
  first_seen: at,
  last_seen: at,
  resolved_at: null,
  resolved_by: null,
  snoozed_until: null,
  search: [state.policy.id, state.policy.name, state.namespace, state.object.kind, state.object.name, state.container, state.message].join(' ').toLowerCase(),
});

type Database = Kysely<CentralDatabase> | Transaction<CentralDatabase>;

const snapshotWorkloads = async (
  trx: Transaction<CentralDatabase>,
  dialect: CentralStore['dialect'],
  ingest: SnapshotIngest,
): Promise<IngestOutcome['workloads']> => {
  const { cluster, at } = ingest;
  const existing = new Map(
    (
      await trx
        .selectFrom('workloads')
        .select(['id', 'spec_hash', 'removed_at', ...WORKLOAD_STATED])
        .where('cluster', '=', cluster)
        .execute()
    ).map((row) => [row.id, row]),
  );
  const tally = { created: 0, updated: 0, removed: 0, unchanged: 0 };
  const inserts: WorkloadTable[] = [];
  const changes: { id: string; workload_id: string; cluster: string; at: string; change: string; spec_hash: string }[] = [];
  const seen = new Set<string>();
  for (const state of ingest.workloads) {
    if (seen.has(state.id)) continue;
    seen.add(state.id);
    const before = existing.get(state.id);
    const row = workloadRow(cluster, state, at);
    if (!before) {
      inserts.push(row);
      tally.created++;
      changes.push({ id: timeOrderedId(at), workload_id: state.id, cluster, at, change: 'created', spec_hash: state.specHash });
      continue;
    }
    const changed = before.spec_hash !== state.specHash || before.removed_at !== null;
    if (changed) {
      tally.updated++;
      changes.push({ id: timeOrderedId(at), workload_id: state.id, cluster, at, change: before.removed_at ? 'created' : 'updated', spec_hash: state.specHash });
    } else tally.unchanged++;
    // Only what changed is written (its spec, its risk): the rest are seen again in one statement below.
    if (!changed && WORKLOAD_STATED.every((column) => String(before[column]) === String(row[column]))) continue;
    // The id and first sighting stay as they were.
    const update: Partial<WorkloadTable> = { ...row };
    delete update.id;
    delete update.first_seen;
    await trx.updateTable('workloads').set(update).where('id', '=', state.id).execute();
  }
  await insertRows(trx, dialect, 'workloads', inserts);
  const gone = [...existing.values()].filter((row) => !seen.has(row.id) && row.removed_at === null);
  for (const batch of chunks(gone)) {
    await trx
      .updateTable('workloads')
      .set({ removed_at: at })
      .where(
        'id',
        'in',
        batch.map((row) => row.id),
      )
      .execute();
    for (const row of batch) changes.push({ id: timeOrderedId(at), workload_id: row.id, cluster, at, change: 'removed', spec_hash: row.spec_hash });
  }
  tally.removed = gone.length;
  await trx.updateTable('workloads').set({ last_seen: at }).where('cluster', '=', cluster).where('removed_at', 'is', null).execute();
  await insertRows(trx, dialect, 'workload_changes', changes);
  return tally;
};

/** What a snapshot states of a workload besides its spec hash: a change to any is written. */
const WORKLOAD_STATED = [
  'namespace',
  'kind',
  'name',
  'uid',
  'images',
  'replicas',
  'service_account',
  'risk_score',
  'risk_priority',
  'risk_factors',
  'search',
] as const;

const RESTATED = ['policy_name', 'severity', 'severity_rank', 'categories', 'message', 'remediation', 'path', 'enforced', 'search'] as const;

const snapshotViolations = async (
  trx: Transaction<CentralDatabase>,
  dialect: CentralStore['dialect'],
  ingest: SnapshotIngest,
  previousJudgement: string | null,
): Promise<IngestOutcome['violations']> => {
  const { cluster, at } = ingest;
  const existing = new Map(
    (
      await trx
        .selectFrom('violations')
        .select(['id', 'state', 'exception_id', ...RESTATED])
        .where('cluster', '=', cluster)
        .execute()
    ).map((row) => [row.id, row]),
  );
  // What a policy says of a violation can change under it (an edited severity, message or remediation).
  const restated: ViolationTable[] = [];
  const inserts: ViolationTable[] = [];
  const continuing: string[] = [];
  // Violations whose exception changed: now covered, no longer covered, or covered by another.
  const recovered: { id: string; exception: string | null }[] = [];
  const reopened: { id: string; exception: string | null }[] = [];
  const seen = new Set<string>();
  for (const state of ingest.violations) {
    if (seen.has(state.id)) continue;
    seen.add(state.id);
    const before = existing.get(state.id);
    const exception = state.exceptionId ?? null;
    const row = violationRow(cluster, state, at);
    if (before && RESTATED.some((column) => String(before[column]) !== String(row[column]))) restated.push(row);
    if (!before) inserts.push(row);
    else if (before.state === 'resolved') reopened.push({ id: state.id, exception });
    else if ((before.exception_id ?? null) !== exception) recovered.push({ id: state.id, exception });
    else continuing.push(state.id);
  }
  await insertRows(trx, dialect, 'violations', inserts);
  for (const row of restated)
    await trx
      .updateTable('violations')
      .set(Object.fromEntries(RESTATED.map((column) => [column, row[column]])))
      .where('id', '=', row.id)
      .execute();
  for (const { id, exception } of recovered)
    await trx
      .updateTable('violations')
      .set({ last_seen: at, state: exception ? 'excepted' : 'active', exception_id: exception })
      .where('id', '=', id)
      .execute();
  // A violation whose cause comes back is the same violation again: active, seen anew, no longer resolved.
  for (const { id, exception } of reopened)
    await trx
      .updateTable('violations')
      .set({
        state: exception ? 'excepted' : 'active',
        exception_id: exception,
        first_seen: at,
        last_seen: at,
        resolved_at: null,
        resolved_by: null,
        snoozed_until: null,
      })
      .where('id', '=', id)
      .execute();
  const gone = [...existing.values()].filter((row) => row.state !== 'resolved' && !seen.has(row.id)).map((row) => row.id);
  // Open violations were last seen at the cluster's last judgement before this one.
  for (const batch of chunks(gone, 500))
    await trx
      .updateTable('violations')
      .set({ state: 'resolved', resolved_at: at, last_seen: previousJudgement ?? at })
      .where('id', 'in', batch)
      .execute();
  return { opened: inserts.length, reopened: reopened.length, continuing: continuing.length + recovered.length, resolved: gone.length };
};

const objectRow = (cluster: string, object: StoredObject): ClusterObjectTable => ({
  cluster,
  key: object.key,
  kind: object.kind,
  namespace: object.namespace,
  name: object.name,
  resource_version: object.resourceVersion,
  body: JSON.stringify(object.body),
});

const storeObjects = async (trx: Transaction<CentralDatabase>, dialect: CentralStore['dialect'], cluster: string, changes: ObjectChanges): Promise<void> => {
  if ('replace' in changes) await trx.deleteFrom('cluster_objects').where('cluster', '=', cluster).execute();
  const upserts = 'replace' in changes ? changes.replace : changes.upserts;
  const deletes = 'replace' in changes ? [] : [...new Set([...changes.deletes, ...upserts.map((object) => object.key)])];
  for (const batch of chunks(deletes, 500)) await trx.deleteFrom('cluster_objects').where('cluster', '=', cluster).where('key', 'in', batch).execute();
  // The last of two objects with one key wins, as it would in the cluster.
  const unique = [...new Map(upserts.map((object) => [object.key, object])).values()];
  await insertRows(
    trx,
    dialect,
    'cluster_objects',
    unique.map((object) => objectRow(cluster, object)),
  );
};

const ensureCluster = async (db: Database, name: string, at: string): Promise<void> => {
  await db
    .insertInto('clusters')
    .values({
      name,
      created_at: at,
      last_contact_at: null,
      last_snapshot_id: null,
      generation: 0,
      change_sequence: 0,
      kube_version: null,
      sensor_version: null,
      workloads: 0,
      active_violations: 0,
    })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
};

/** Central's store over a Kysely instance: the same queries for SQLite and PostgreSQL. */
export const kyselyStore = async (db: Kysely<CentralDatabase>, dialect: CentralStore['dialect'], onClose: () => Promise<void>): Promise<CentralStore> => {
  const migrator = new Migrator({ db, provider: migrationProvider(MIGRATIONS) });
  const { error } = await migrator.migrateToLatest();
  if (error) throw new StoreError('unavailable', `the database could not be migrated: ${(error as Error).message}`);

  /** When each cluster (or the one named) was last judged or heard from: open violations were seen then. */
  const clusterContacts = async (only?: string): Promise<Map<string, string | null>> => {
    let select = db.selectFrom('clusters').select(['name', 'last_contact_at']);
    if (only !== undefined) select = select.where('name', '=', only);
    return new Map((await select.execute()).map((row) => [row.name, row.last_contact_at]));
  };

  const listViolations = async (query: ViolationQuery): Promise<Page<ViolationRecord>> => {
    // The cluster's last judgement comes in the same statement: one round trip a page.
    let select = scoped(
      db
        .selectFrom('violations')
        .select(VIOLATION_COLUMNS)
        .select(sql<string | null>`(select last_contact_at from clusters where clusters.name = violations.cluster)`.as('contact')),
      query.scope,
    );
    if (query.cluster) select = select.where('cluster', '=', query.cluster);
    if (query.namespace) select = select.where('namespace', '=', query.namespace);
    if (query.policy) select = select.where('policy_id', '=', query.policy);
    if (query.workload)
      select = select
        .where('cluster', '=', query.workload.cluster)
        .where('namespace', '=', query.workload.namespace)
        .where('object_kind', '=', query.workload.kind)
        .where('object_name', '=', query.workload.name);
    if (query.severity?.length) select = select.where('severity', 'in', [...query.severity]);
    if (query.state?.length) {
      const states = new Set(query.state);
      select = select.where((eb) =>
        eb.or([
          ...(states.has('resolved') ? [eb('state', '=', 'resolved')] : []),
          ...(states.has('excepted') ? [eb('state', '=', 'excepted')] : []),
          ...(states.has('snoozed') ? [eb.and([eb('state', '=', 'active'), eb('snoozed_until', '>', query.now)])] : []),
          ...(states.has('active')
            ? [eb.and([eb('state', '=', 'active'), eb.or([eb('snoozed_until', 'is', null), eb('snoozed_until', '<=', query.now)])])]
            : []),
        ]),
      );
    }
    if (query.search) select = select.where(sql<boolean>`search like ${likePattern(query.search)} escape '\\'`);
    const sort = query.sort ?? 'severity';
    const column = ({ severity: 'severity_rank', firstSeen: 'first_seen', lastSeen: 'last_seen', policy: 'policy_id' } as const)[sort];
    // Severity and times read newest or worst first; the policy id reads A to Z. The id breaks ties,
    // in the same direction, so one index walk (state, column, id) answers a page from its cursor.
    const descending = sort !== 'policy';
    if (query.cursor) {
      const [value, id] = decodeCursor(query.cursor);
      select = select.where(sql<boolean>`(${sql.ref(column)}, id) ${sql.raw(descending ? '<' : '>')} (${value}, ${id})`);
    }
    const rows = await select
      .orderBy(column, descending ? 'desc' : 'asc')
      .orderBy('id', descending ? 'desc' : 'asc')
      .limit(query.limit + 1)
      .execute();
    return pageOf(
      rows,
      query.limit,
      (row) => violationRecord(row, query.now, row.contact),
      (row) => [row[column], row.id],
    );
  };

  const streamPosition = async (cluster: string): Promise<Omit<ClusterObjects, 'objects'>> => {
    const row = await db.selectFrom('clusters').select(['generation', 'last_snapshot_id', 'change_sequence']).where('name', '=', cluster).executeTakeFirst();
    if (!row) return { generation: 0, sequence: 0 };
    return { generation: Number(row.generation), ...(row.last_snapshot_id ? { snapshotId: row.last_snapshot_id } : {}), sequence: Number(row.change_sequence) };
  };

  const appendAudit = (entry: AuditEntry, on: Database = db): Promise<void> => appendAuditRow(on, entry);

  /** Clusters as a namespace-scoped token sees them: the counts of its namespace, not the cluster's. */
  const withinNamespace = async (rows: readonly Selectable<ClusterTable>[], scope: Scope): Promise<ClusterRecord[]> => {
    const namespace = scope.namespace;
    if (namespace === undefined) return rows.map(clusterRecord);
    return Promise.all(
      rows.map(async (row) => {
        const [workloads, violations] = await Promise.all([
          db
            .selectFrom('workloads')
            .select((eb) => eb.fn.countAll<string | number>().as('count'))
            .where('cluster', '=', row.name)
            .where('namespace', '=', namespace)
            .where('removed_at', 'is', null)
            .executeTakeFirstOrThrow(),
          db
            .selectFrom('violations')
            .select((eb) => eb.fn.countAll<string | number>().as('count'))
            .where('cluster', '=', row.name)
            .where('namespace', '=', namespace)
            .where('state', '=', 'active')
            .executeTakeFirstOrThrow(),
        ]);
        return { ...clusterRecord(row), workloads: Number(workloads.count), activeViolations: Number(violations.count) };
      }),
    );
  };

  return {
    dialect,
    schemaVersion: SCHEMA_VERSION,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: onClose,

    registerCluster: async (name, at) => {
      await ensureCluster(db, name, at);
      return clusterRecord(await db.selectFrom('clusters').selectAll().where('name', '=', name).executeTakeFirstOrThrow());
    },
    listClusters: async (scope) => {
      let select = db.selectFrom('clusters').selectAll();
      if (scope.cluster !== undefined) select = select.where('name', '=', scope.cluster);
      return withinNamespace(await select.orderBy('name').execute(), scope);
    },
    getCluster: async (name, scope) => {
      if (scope.cluster !== undefined && scope.cluster !== name) return undefined;
      const row = await db.selectFrom('clusters').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? (await withinNamespace([row], scope))[0] : undefined;
    },
    listNamespaces: async (scope, cluster) => {
      const narrowed = <Q extends { where: (...args: never[]) => Q }>(query: Q): Q => {
        const out = scoped(query, scope) as unknown as { where: (column: string, op: string, value: string) => Q };
        return cluster === undefined ? (out as unknown as Q) : out.where('cluster', '=', cluster);
      };
      const [declared, workloads, violations] = await Promise.all([
        narrowed(db.selectFrom('cluster_objects').select(['cluster', 'name as namespace', 'body']).where('kind', '=', 'Namespace')).execute(),
        narrowed(db.selectFrom('workloads').select(['cluster', 'namespace', (eb) => eb.fn.countAll<string | number>().as('count')]))
          .where('removed_at', 'is', null)
          .groupBy(['cluster', 'namespace'])
          .execute(),
        narrowed(db.selectFrom('violations').select(['cluster', 'namespace', 'severity', (eb) => eb.fn.countAll<string | number>().as('count')]))
          .where('state', '=', 'active')
          .groupBy(['cluster', 'namespace', 'severity'])
          .execute(),
      ]);
      // A namespace-scoped token names the namespace in its scope; the object kept for it is cluster-scoped.
      const visible = declared.filter((row) => scope.namespace === undefined || row.namespace === scope.namespace);
      const byKey = new Map<
        string,
        { cluster: string; name: string; labels: Record<string, string>; workloads: number; bySeverity: Partial<Record<Severity, number>> }
      >();
      const entry = (cluster: string, name: string) => {
        const key = `${cluster}\u0000${name}`;
        let found = byKey.get(key);
        if (!found) byKey.set(key, (found = { cluster, name, labels: {}, workloads: 0, bySeverity: {} }));
        return found;
      };
      for (const row of visible) {
        const body = JSON.parse(row.body) as { metadata?: { labels?: Record<string, string> } };
        entry(row.cluster, row.namespace).labels = body.metadata?.labels ?? {};
      }
      for (const row of workloads) entry(row.cluster, row.namespace).workloads = Number(row.count);
      for (const row of violations) {
        const found = entry(row.cluster, row.namespace);
        found.bySeverity[row.severity as Severity] = (found.bySeverity[row.severity as Severity] ?? 0) + Number(row.count);
      }
      return [...byKey.values()]
        .filter((namespace) => namespace.name !== '')
        .map((namespace) => ({ ...namespace, activeViolations: Object.values(namespace.bySeverity).reduce((sum, count) => sum + count, 0) }))
        .sort((a, b) => a.cluster.localeCompare(b.cluster) || a.name.localeCompare(b.name));
    },
    applySnapshot: (ingest) =>
      db.transaction().execute(async (trx): Promise<IngestOutcome> => {
        await ensureCluster(trx, ingest.cluster, ingest.at);
        const cluster = await trx.selectFrom('clusters').selectAll().where('name', '=', ingest.cluster).executeTakeFirstOrThrow();
        const sequence = ingest.rejudge ? Number(cluster.change_sequence) : (ingest.sequence ?? 0);
        if (!ingest.rejudge && cluster.last_snapshot_id === ingest.snapshotId && sequence <= Number(cluster.change_sequence))
          return {
            cluster: ingest.cluster,
            generation: Number(cluster.generation),
            duplicate: true,
            workloads: { created: 0, updated: 0, removed: 0, unchanged: 0 },
            violations: { opened: 0, reopened: 0, continuing: 0, resolved: 0 },
          };
        if (ingest.basedOnGeneration !== undefined && ingest.basedOnGeneration !== Number(cluster.generation))
          throw new StoreError('conflict', `cluster ${ingest.cluster} moved on to generation ${cluster.generation} while this batch was judged`);
        if (ingest.objects) await storeObjects(trx, dialect, ingest.cluster, ingest.objects);
        const workloads = await snapshotWorkloads(trx, dialect, ingest);
        const violations = await snapshotViolations(trx, dialect, ingest, cluster.last_contact_at);
        const generation = Number(cluster.generation) + 1;
        const activeCount = await trx
          .selectFrom('violations')
          .select((eb) => eb.fn.countAll<string | number>().as('count'))
          .where('cluster', '=', ingest.cluster)
          .where('state', '=', 'active')
          .executeTakeFirstOrThrow();
        await trx
          .updateTable('clusters')
          .set({
            last_contact_at: ingest.rejudge ? cluster.last_contact_at : ingest.at,
            last_snapshot_id: ingest.rejudge ? cluster.last_snapshot_id : ingest.snapshotId,
            change_sequence: sequence,
            generation,
            kube_version: ingest.kubeVersion ?? cluster.kube_version,
            sensor_version: ingest.sensorVersion ?? cluster.sensor_version,
            workloads: workloads.created + workloads.updated + workloads.unchanged,
            active_violations: Number(activeCount.count),
          })
          .where('name', '=', ingest.cluster)
          .execute();
        return { cluster: ingest.cluster, generation, duplicate: false, workloads, violations };
      }),

    streamPosition,
    loadObjects: async (cluster, unlessGeneration) => {
      const position = await streamPosition(cluster);
      if (position.generation === 0) return { ...position, objects: [] };
      if (unlessGeneration === position.generation) return position;
      const objects = await db.selectFrom('cluster_objects').selectAll().where('cluster', '=', cluster).orderBy('key').execute();
      return {
        ...position,
        objects: objects.map((object) => ({
          key: object.key,
          kind: object.kind,
          namespace: object.namespace,
          name: object.name,
          resourceVersion: object.resource_version,
          body: JSON.parse(object.body) as Record<string, unknown>,
        })),
      };
    },
    touchCluster: async (cluster, snapshotId, sequence, at) => {
      const result = await db
        .updateTable('clusters')
        .set({ last_contact_at: at, change_sequence: sequence })
        .where('name', '=', cluster)
        .where('last_snapshot_id', '=', snapshotId)
        .where('change_sequence', '=', sequence - 1)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    ...workloadQueries(db, dialect),
    listViolations,
    getViolation: async (id, scope, now) => {
      const row = await scoped(db.selectFrom('violations').selectAll(), scope).where('id', '=', id).executeTakeFirst();
      return row ? violationRecord(row, now, (await clusterContacts(row.cluster)).get(row.cluster)) : undefined;
    },
    changeViolations: (ids, change, actor, at, scope) =>
      db.transaction().execute(async (trx) => {
        let changed = 0;
        for (const batch of chunks([...new Set(ids)], 500)) {
          const update =
            'resolve' in change
              ? {
                  state: 'resolved',
                  resolved_at: at,
                  resolved_by: actor,
                  snoozed_until: null,
                  // Open until now: it was last seen at its cluster's last judgement.
                  last_seen: sql<string>`coalesce((select last_contact_at from clusters where clusters.name = violations.cluster), violations.last_seen)`,
                }
              : 'snoozeUntil' in change
                ? { snoozed_until: change.snoozeUntil }
                : { state: 'active', resolved_at: null, resolved_by: null, snoozed_until: null };
          let statement = trx.updateTable('violations').set(update).where('id', 'in', batch);
          if (scope.cluster !== undefined) statement = statement.where('cluster', '=', scope.cluster);
          if (scope.namespace !== undefined) statement = statement.where('namespace', '=', scope.namespace);
          // Snoozing or resolving applies to open violations; reactivating to resolved or snoozed ones.
          statement = 'reactivate' in change ? statement : statement.where('state', '=', 'active');
          const result = await statement.executeTakeFirst();
          changed += Number(result.numUpdatedRows);
        }
        const action = 'resolve' in change ? 'violation.resolve' : 'snoozeUntil' in change ? 'violation.snooze' : 'violation.reactivate';
        await appendAudit(
          {
            id: timeOrderedId(at),
            at,
            actor,
            action,
            target: ids.length === 1 ? `violation ${ids[0]}` : `${ids.length} violations`,
            detail: { ids, change, changed },
          },
          trx,
        );
        return changed;
      }),
    summariseViolations: async (query) => {
      let select = scoped(db.selectFrom('violations'), query.scope)
        .select(['severity', 'categories', 'policy_id', 'policy_name', (eb) => eb.fn.countAll<string | number>().as('count')])
        .where('state', '=', 'active')
        .where((eb) => eb.or([eb('snoozed_until', 'is', null), eb('snoozed_until', '<=', query.now)]));
      if (query.cluster) select = select.where('cluster', '=', query.cluster);
      if (query.namespace) select = select.where('namespace', '=', query.namespace);
      const rows = await select.groupBy(['severity', 'categories', 'policy_id', 'policy_name']).execute();
      return summarise(rows, query.policies);
    },
    countViolations: async (scope) => {
      const rows = await scoped(db.selectFrom('violations'), scope)
        .select(['cluster', 'namespace', 'severity', (eb) => eb.fn.countAll<string | number>().as('count')])
        .where('state', '=', 'active')
        .groupBy(['cluster', 'namespace', 'severity'])
        .execute();
      return rows.map((row) => ({ cluster: row.cluster, namespace: row.namespace, severity: row.severity as Severity, count: Number(row.count) }));
    },

    createToken: async (token) => {
      await db
        .insertInto('api_tokens')
        .values({
          id: token.id,
          name: token.name,
          role: token.role,
          secret_hash: token.secretHash,
          cluster_scope: token.scope.cluster ?? null,
          namespace_scope: token.scope.namespace ?? null,
          created_at: token.createdAt,
          created_by: token.createdBy,
          expires_at: token.expiresAt ?? null,
          revoked_at: null,
          last_used_at: null,
        })
        .execute();
      return tokenRecord(await db.selectFrom('api_tokens').selectAll().where('id', '=', token.id).executeTakeFirstOrThrow());
    },
    findToken: async (secretHash, at) => {
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('secret_hash', '=', secretHash)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
        .executeTakeFirst();
      if (!row) return undefined;
      // Recording every use would write on every request: once a minute is enough to show activity.
      if (!row.last_used_at || Date.parse(at) - Date.parse(row.last_used_at) > 60_000) {
        await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', row.id).execute();
        return tokenRecord({ ...row, last_used_at: at });
      }
      return tokenRecord(row);
    },
    listTokens: async () => (await db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute()).map(tokenRecord),
    revokeToken: (id, actor, at) =>
      db.transaction().execute(async (trx) => {
        const result = await trx.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
        const revoked = Number(result.numUpdatedRows) > 0;
        if (revoked) await appendAudit({ id: timeOrderedId(at), at, actor, action: 'token.revoke', target: `token ${id}`, detail: {} }, trx);
        return revoked;
      }),

    ...ciResultQueries(db),
    ...admissionDecisionQueries(db),
    ...exceptionQueries(db),
    ...imageQueries(db),
    ...policyQueries(db),

    appendAudit: (entry) => appendAudit(entry),
    listAudit: async (query: AuditQuery) => {
      let select = db.selectFrom('audit_log').selectAll();
      if (query.actor) select = select.where('actor', '=', query.actor);
      if (query.action) select = select.where('action', '=', query.action);
      if (query.cursor) select = select.where('id', '<', decodeCursor(query.cursor)[1]);
      const rows = await select
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute();
      return pageById(rows, query.limit, (row) => ({
        id: row.id,
        at: row.at,
        actor: row.actor,
        action: row.action,
        target: row.target,
        detail: JSON.parse(row.detail) as Record<string, unknown>,
      }));
    },
  };
};
