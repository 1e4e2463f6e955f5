import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startPostgres, type ThrowawayPostgres } from '../../../test/support/postgres.js';
import { temporaryDirectory } from '../../../test/support/repo.js';
import { migrationProvider, MIGRATIONS } from './migrations.js';
import { openPostgresStore, openSqliteStore, type CentralStore, type SnapshotIngest, type ViolationState, type WorkloadState } from './index.js';

const T0 = '2026-12-01T10:00:00.000Z';
const T1 = '2026-12-01T11:00:00.000Z';
const T2 = '2026-12-01T12:00:00.000Z';

const workload = (namespace: string, name: string, hash = 'h1'): WorkloadState => ({
  id: `c1/${namespace}/Deployment/${name}`,
  namespace,
  kind: 'Deployment',
  name,
  images: [`registry.example/${name}:1.0`],
  replicas: 2,
  serviceAccount: 'default',
  specHash: hash,
});

const violation = (
  namespace: string,
  name: string,
  policy: string,
  severity: ViolationState['severity'] = 'HIGH',
  message = `container 'app' breaks ${policy}`,
): ViolationState => ({
  id: `${namespace}/${name}/${policy}`,
  namespace,
  object: { kind: 'Deployment', name },
  container: 'app',
  policy: { id: policy, name: `Policy ${policy}` },
  severity,
  categories: ['Security Best Practices'],
  message,
  remediation: 'fix it',
  path: 'spec.template.spec.containers[0]',
  enforced: false,
});

const snapshot = (snapshotId: string, at: string, workloads: WorkloadState[], violations: ViolationState[], cluster = 'c1'): SnapshotIngest => ({
  cluster,
  snapshotId,
  at,
  kubeVersion: 'v1.34.1',
  sensorVersion: '0.1.0',
  workloads,
  violations,
});

interface Backend {
  readonly name: string;
  /** A fresh, empty store. */
  readonly open: (label: string) => Promise<CentralStore>;
  /** A Kysely instance on a fresh, empty database, to test the migrations step by step. */
  readonly raw: (label: string) => Promise<{ db: Kysely<unknown>; reopen: () => Promise<CentralStore> }>;
  readonly setup?: () => Promise<void>;
  readonly teardown?: () => Promise<void>;
}

/** The same cases for every store: what one backend does, the other must do the same. */
const storeContract = (backend: Backend): void => {
  describe(`the central store on ${backend.name}`, () => {
    const open: CentralStore[] = [];
    const fresh = async (label: string): Promise<CentralStore> => {
      const store = await backend.open(label);
      open.push(store);
      return store;
    };
    before(async () => backend.setup?.());
    after(async () => {
      for (const store of open) await store.close();
      await backend.teardown?.();
    });

    it('migrates a fresh database to the newest version, and from every earlier version', async () => {
      const names = Object.keys(MIGRATIONS).sort();
      for (let applied = 0; applied < names.length; applied++) {
        const { db, reopen } = await backend.raw(`migrate_${applied}`);
        const partial = Object.fromEntries(names.slice(0, applied).map((name) => [name, MIGRATIONS[name]!]));
        if (applied > 0) {
          const { error } = await new Migrator({ db, provider: migrationProvider(partial) }).migrateToLatest();
          assert.equal(error, undefined);
        }
        await db.destroy();
        const store = await reopen();
        open.push(store);
        assert.equal(store.schemaVersion, names.length);
        await store.ping();
        assert.deepEqual(await store.listClusters({}), []);
      }
    });

    it('applies a snapshot whole: workloads, violations, the cluster and its counts', async () => {
      const store = await fresh('apply');
      const outcome = await store.applySnapshot(
        snapshot(
          's1',
          T0,
          [workload('shop', 'web'), workload('shop', 'cart'), workload('pay', 'api')],
          [
            violation('shop', 'web', 'privileged-container', 'CRITICAL'),
            violation('shop', 'cart', 'latest-tag', 'MEDIUM'),
            violation('pay', 'api', 'run-as-root', 'HIGH'),
          ],
        ),
      );
      assert.deepEqual(outcome, {
        cluster: 'c1',
        generation: 1,
        duplicate: false,
        workloads: { created: 3, updated: 0, removed: 0, unchanged: 0 },
        violations: { opened: 3, reopened: 0, continuing: 0, resolved: 0 },
      });
      const [cluster] = await store.listClusters({});
      assert.deepEqual(cluster, {
        name: 'c1',
        createdAt: T0,
        lastContactAt: T0,
        generation: 1,
        kubeVersion: 'v1.34.1',
        sensorVersion: '0.1.0',
        workloads: 3,
        activeViolations: 3,
      });
      const page = await store.listViolations({ scope: {}, now: T0, limit: 10 });
      assert.deepEqual(
        page.items.map((item) => [item.policy.id, item.severity, item.state]),
        [
          ['privileged-container', 'CRITICAL', 'active'],
          ['run-as-root', 'HIGH', 'active'],
          ['latest-tag', 'MEDIUM', 'active'],
        ],
      );
      assert.deepEqual(page.items[0], {
        ...violation('shop', 'web', 'privileged-container', 'CRITICAL'),
        cluster: 'c1',
        state: 'active',
        firstSeen: T0,
        lastSeen: T0,
      });
      assert.equal(page.next, undefined);
    });

    it('lists namespaces declared or holding workloads, with counts by severity; a namespace scope sees its own counts only', async () => {
      const store = await fresh('namespaces');
      const namespaceObject = (name: string, labels: Record<string, string>) => ({
        key: `Namespace ${name}`,
        kind: 'Namespace',
        namespace: '',
        name,
        resourceVersion: '1',
        body: { kind: 'Namespace', metadata: { name, labels } },
      });
      await store.applySnapshot({
        ...snapshot(
          's1',
          T0,
          [workload('shop', 'web'), workload('shop', 'cart'), workload('pay', 'api')],
          [
            violation('shop', 'web', 'privileged-container', 'CRITICAL'),
            violation('shop', 'cart', 'latest-tag', 'MEDIUM'),
            violation('pay', 'api', 'run-as-root'),
          ],
        ),
        objects: { replace: [namespaceObject('shop', { team: 'web' }), namespaceObject('empty', {})] },
      });
      assert.deepEqual(await store.listNamespaces({}), [
        { cluster: 'c1', name: 'empty', labels: {}, workloads: 0, activeViolations: 0, bySeverity: {} },
        { cluster: 'c1', name: 'pay', labels: {}, workloads: 1, activeViolations: 1, bySeverity: { HIGH: 1 } },
        { cluster: 'c1', name: 'shop', labels: { team: 'web' }, workloads: 2, activeViolations: 2, bySeverity: { CRITICAL: 1, MEDIUM: 1 } },
      ]);
      assert.deepEqual(
        (await store.listNamespaces({ cluster: 'c1', namespace: 'shop' })).map((item) => item.name),
        ['shop'],
      );
      assert.deepEqual(await store.listNamespaces({}, 'c2'), []);
      const [cluster] = await store.listClusters({ namespace: 'pay' });
      assert.deepEqual([cluster?.workloads, cluster?.activeViolations], [1, 1]);
      assert.deepEqual([(await store.getCluster('c1', { namespace: 'shop' }))?.workloads, (await store.getCluster('c1', {}))?.workloads], [2, 3]);
    });

    it('keeps each violation over time: continuing, resolved when the cause is gone, reopened when it comes back; the same snapshot twice changes nothing', async () => {
      const store = await fresh('lifecycle');
      const web = violation('shop', 'web', 'privileged-container');
      const cart = violation('shop', 'cart', 'latest-tag');
      await store.applySnapshot(snapshot('s1', T0, [workload('shop', 'web'), workload('shop', 'cart')], [web, cart]));
      const second = await store.applySnapshot(snapshot('s2', T1, [workload('shop', 'web', 'h2')], [web]));
      assert.deepEqual(
        [second.workloads, second.violations],
        [
          { created: 0, updated: 1, removed: 1, unchanged: 0 },
          { opened: 0, reopened: 0, continuing: 1, resolved: 1 },
        ],
      );
      const again = await store.applySnapshot(snapshot('s2', T1, [], []));
      assert.equal(again.duplicate, true, 'a snapshot id already applied is not applied twice');
      const resolved = await store.getViolation(cart.id, {}, T1);
      assert.deepEqual([resolved?.state, resolved?.resolvedAt, resolved?.firstSeen], ['resolved', T1, T0]);
      const kept = await store.getViolation(web.id, {}, T1);
      assert.deepEqual([kept?.state, kept?.firstSeen, kept?.lastSeen], ['active', T0, T1]);
      const third = await store.applySnapshot(snapshot('s3', T2, [workload('shop', 'web', 'h2'), workload('shop', 'cart')], [web, cart]));
      assert.deepEqual(third.violations, { opened: 0, reopened: 1, continuing: 1, resolved: 0 });
      assert.deepEqual(third.workloads, { created: 0, updated: 1, removed: 0, unchanged: 1 });
      const back = await store.getViolation(cart.id, {}, T2);
      assert.deepEqual([back?.state, back?.firstSeen, back?.resolvedAt], ['active', T2, undefined]);
      const removedToo = await store.listWorkloads({ scope: {}, includeRemoved: true, sort: 'name', limit: 10 });
      assert.deepEqual(
        removedToo.items.map((item) => [item.name, item.removedAt, item.firstSeen]),
        [
          ['cart', undefined, T0],
          ['web', undefined, T0],
        ],
      );
    });

    it('gives one workload whole, with its history newest first; a list leaves the evidence out unless asked; violations by workload', async () => {
      const store = await fresh('workload');
      const risk = {
        score: 4.2,
        priority: 1,
        factors: [{ id: 'exposure', name: 'Service exposure', multiplier: 1.5, evidence: ['port 80 on a LoadBalancer'] }],
      };
      const web = { ...workload('shop', 'web'), risk };
      await store.applySnapshot(snapshot('s1', T0, [web, workload('shop', 'cart')], [violation('shop', 'web', 'a'), violation('shop', 'cart', 'b')]));
      await store.applySnapshot(snapshot('s2', T1, [{ ...web, specHash: 'h2' }], [violation('shop', 'web', 'a')]));
      await store.applySnapshot(snapshot('s3', T2, [], []));
      const whole = await store.getWorkload(web.id, {});
      assert.deepEqual([whole?.removedAt, whole?.risk], [T2, risk]);
      assert.deepEqual(await store.workloadHistory(web.id, 10), [
        { at: T2, change: 'removed', specHash: 'h2' },
        { at: T1, change: 'updated', specHash: 'h2' },
        { at: T0, change: 'created', specHash: 'h1' },
      ]);
      assert.deepEqual(await store.workloadHistory(web.id, 1), [{ at: T2, change: 'removed', specHash: 'h2' }]);
      assert.equal(await store.getWorkload(web.id, { namespace: 'other' }), undefined, 'outside the scope, no workload');
      assert.equal(await store.getWorkload('c1/shop/Deployment/nothing', {}), undefined);
      const listed = await store.listWorkloads({ scope: {}, includeRemoved: true, limit: 10 });
      assert.deepEqual(listed.items[0]?.risk?.factors, [{ id: 'exposure', name: 'Service exposure', multiplier: 1.5 }]);
      const withEvidence = await store.listWorkloads({ scope: {}, includeRemoved: true, evidence: true, limit: 10 });
      assert.deepEqual(withEvidence.items[0]?.risk, risk);
      // Text as COPY must escape it: a tab, a newline, a backslash, what reads as null.
      const awkward = 'tab\there\nnewline, back\\slash, \\N, \r, “quotes”, ünïcode';
      await store.applySnapshot(
        snapshot(
          's4',
          T2,
          [web, workload('shop', 'cart')],
          [violation('shop', 'web', 'a'), violation('shop', 'cart', 'b'), violation('shop', 'web', 'c', 'LOW', awkward)],
        ),
      );
      const target = { cluster: 'c1', namespace: 'shop', kind: 'Deployment', name: 'web' };
      const ofWeb = await store.listViolations({ scope: {}, now: T2, workload: target, limit: 10 });
      assert.deepEqual(
        ofWeb.items.map((item) => item.policy.id),
        ['a', 'c'],
      );
      assert.equal(ofWeb.items[1]?.message, awkward, 'a new violation is written as it came');
      assert.deepEqual((await store.listViolations({ scope: {}, now: T2, workload: target, cluster: 'c2', limit: 10 })).items, []);
    });

    it('summarises open violations by severity, category and policy, in the scope and the filters', async () => {
      const store = await fresh('summary');
      const pod = (namespace: string, name: string, policy: string, severity: ViolationState['severity'], categories: string[]) => ({
        ...violation(namespace, name, policy, severity),
        categories,
      });
      await store.applySnapshot(
        snapshot(
          's1',
          T0,
          [workload('shop', 'web'), workload('pay', 'api')],
          [
            pod('shop', 'web', 'privileged', 'CRITICAL', ['Privileges', 'Pod Security']),
            pod('pay', 'api', 'privileged', 'CRITICAL', ['Privileges', 'Pod Security']),
            pod('shop', 'web', 'latest-tag', 'LOW', ['Supply Chain']),
            pod('shop', 'web', 'no-limits', 'MEDIUM', ['Resources']),
          ],
        ),
      );
      await store.changeViolations([violation('shop', 'web', 'no-limits').id], { snoozeUntil: T2 }, 'test', T0, {});
      assert.deepEqual(await store.summariseViolations({ scope: {}, now: T1, policies: 2 }), {
        total: 3,
        bySeverity: { CRITICAL: 2, HIGH: 0, MEDIUM: 0, LOW: 1 },
        byCategory: [
          { category: 'Pod Security', count: 2 },
          { category: 'Privileges', count: 2 },
          { category: 'Supply Chain', count: 1 },
        ],
        byPolicy: [
          { id: 'privileged', name: 'Policy privileged', severity: 'CRITICAL', count: 2 },
          { id: 'latest-tag', name: 'Policy latest-tag', severity: 'LOW', count: 1 },
        ],
      });
      const shop = await store.summariseViolations({ scope: {}, now: T1, namespace: 'shop', policies: 10 });
      assert.deepEqual([shop.total, shop.bySeverity.CRITICAL], [2, 1]);
      const scoped = await store.summariseViolations({ scope: { namespace: 'pay' }, now: T1, namespace: 'shop', policies: 10 });
      assert.equal(scoped.total, 0, 'a filter cannot widen the scope');
      assert.equal((await store.summariseViolations({ scope: {}, now: T2, policies: 10 })).total, 4, 'a snooze ends');
    });

    it('a snapshot that fails part-way leaves nothing of itself behind', async () => {
      const store = await fresh('atomic');
      await store.applySnapshot(snapshot('s1', T0, [workload('shop', 'web')], [violation('shop', 'web', 'a')]));
      const broken = { ...violation('shop', 'web', 'b'), namespace: null as unknown as string };
      await assert.rejects(
        store.applySnapshot(snapshot('s2', T1, [workload('shop', 'web'), workload('shop', 'new')], [violation('shop', 'new', 'c'), broken])),
      );
      const [cluster] = await store.listClusters({});
      assert.deepEqual([cluster?.generation, cluster?.workloads, cluster?.lastContactAt], [1, 1, T0]);
      assert.deepEqual(
        (await store.listWorkloads({ scope: {}, limit: 10 })).items.map((item) => item.name),
        ['web'],
      );
      assert.deepEqual(
        (await store.listViolations({ scope: {}, now: T1, limit: 10 })).items.map((item) => item.policy.id),
        ['a'],
      );
    });

    it('pages with cursors through every sort, with no item twice and none left out', async () => {
      const store = await fresh('paging');
      const severities = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
      const violations = Array.from({ length: 257 }, (_, index) =>
        violation(`ns${index % 7}`, `w${index}`, `p${String(index % 13).padStart(2, '0')}`, severities[index % 4]),
      );
      await store.applySnapshot(snapshot('s1', T0, [], violations));
      for (const sort of ['severity', 'firstSeen', 'lastSeen', 'policy'] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listViolations({ scope: {}, now: T0, sort, limit: 50, cursor });
          seen.push(...page.items.map((item) => item.id));
          cursor = page.next;
          pages++;
        } while (cursor);
        assert.equal(pages, 6, sort);
        assert.equal(new Set(seen).size, 257, `${sort}: every violation once`);
      }
      const bySeverity = await store.listViolations({ scope: {}, now: T0, sort: 'severity', limit: 300 });
      const ranks = bySeverity.items.map((item) => severities.indexOf(item.severity));
      assert.deepEqual(
        ranks,
        [...ranks].sort((a, b) => b - a),
        'worst first',
      );
      await assert.rejects(store.listViolations({ scope: {}, now: T0, limit: 5, cursor: 'not-a-cursor' }), /the cursor is not one this server gave out/);
    });

    it('filters by cluster, namespace, policy, severity and state, and searches by substring anywhere, wildcards literal', async () => {
      const store = await fresh('filters');
      await store.applySnapshot(
        snapshot(
          'a1',
          T0,
          [],
          [
            violation('shop', 'checkout-api', 'privileged-container', 'CRITICAL'),
            violation('shop', 'web', 'latest-tag', 'LOW', "image 'nginx' uses 100% of the tag"),
            violation('pay', 'ledger', 'run-as-root', 'HIGH'),
          ],
        ),
      );
      await store.applySnapshot(snapshot('b1', T0, [], [{ ...violation('shop', 'web', 'latest-tag', 'LOW'), id: 'c2/shop/web/latest-tag' }], 'c2'));
      const ids = async (query: Partial<Parameters<CentralStore['listViolations']>[0]>) =>
        (await store.listViolations({ scope: {}, now: T0, limit: 50, ...query })).items.map((item) => `${item.cluster}:${item.object.name}`).sort();
      assert.deepEqual(await ids({ cluster: 'c2' }), ['c2:web']);
      assert.deepEqual(await ids({ namespace: 'pay' }), ['c1:ledger']);
      assert.deepEqual(await ids({ policy: 'latest-tag' }), ['c1:web', 'c2:web']);
      assert.deepEqual(await ids({ severity: ['CRITICAL', 'HIGH'] }), ['c1:checkout-api', 'c1:ledger']);
      assert.deepEqual(await ids({ search: 'OUT-AP' }), ['c1:checkout-api'], 'a substring in the middle, any case');
      assert.deepEqual(await ids({ search: '100%' }), ['c1:web'], '% is a character, not a wildcard');
      assert.deepEqual(await ids({ search: '_' }), [], '_ is a character, not a wildcard');
      assert.deepEqual(await ids({ scope: { cluster: 'c1', namespace: 'shop' } }), ['c1:checkout-api', 'c1:web'], 'a scoped token sees its namespace only');
      assert.deepEqual(await ids({ scope: { cluster: 'c1', namespace: 'shop' }, namespace: 'pay' }), [], 'a filter cannot widen the scope');
    });

    it('resolves, snoozes and reactivates by hand, within the scope, and audits each change', async () => {
      const store = await fresh('actions');
      const web = violation('shop', 'web', 'a');
      const api = violation('pay', 'api', 'b');
      await store.applySnapshot(snapshot('s1', T0, [], [web, api]));
      assert.equal(
        await store.changeViolations([web.id, api.id], { snoozeUntil: T2 }, 'alice', T0, { cluster: 'c1', namespace: 'shop' }),
        1,
        'out of scope is untouched',
      );
      assert.equal((await store.getViolation(web.id, {}, T1))?.state, 'snoozed');
      assert.equal((await store.getViolation(web.id, {}, T2))?.state, 'active', 'a snooze ends at its time');
      assert.deepEqual(
        (await store.listViolations({ scope: {}, now: T1, limit: 10, state: ['snoozed'] })).items.map((item) => item.id),
        [web.id],
      );
      assert.equal(await store.changeViolations([api.id], { resolve: true }, 'bob', T1, {}), 1);
      const resolved = await store.getViolation(api.id, {}, T1);
      assert.deepEqual([resolved?.state, resolved?.resolvedBy, resolved?.resolvedAt], ['resolved', 'bob', T1]);
      assert.equal(await store.changeViolations([api.id], { reactivate: true }, 'bob', T2, {}), 1);
      assert.equal((await store.getViolation(api.id, {}, T2))?.state, 'active');
      const audit = await store.listAudit({ limit: 10 });
      assert.deepEqual(
        audit.items.map((entry) => [entry.actor, entry.action]),
        [
          ['bob', 'violation.reactivate'],
          ['bob', 'violation.resolve'],
          ['alice', 'violation.snooze'],
        ],
      );
      assert.deepEqual(await store.countViolations({}), [
        { cluster: 'c1', namespace: 'pay', severity: 'HIGH', count: 1 },
        { cluster: 'c1', namespace: 'shop', severity: 'HIGH', count: 1 },
      ]);
    });

    it('keeps state through every later migration: a cluster stored at schema 1 is there, whole, at the newest', async () => {
      const { db, reopen } = await backend.raw('migrate_with_data');
      const first = Object.keys(MIGRATIONS).sort()[0]!;
      assert.equal((await new Migrator({ db, provider: migrationProvider({ [first]: MIGRATIONS[first]! }) }).migrateToLatest()).error, undefined);
      await (db as Kysely<Record<string, Record<string, unknown>>>)
        .insertInto('clusters')
        .values({
          name: 'old',
          created_at: T0,
          last_contact_at: T1,
          last_snapshot_id: 's9',
          generation: 9,
          kube_version: 'v1.30.0',
          sensor_version: null,
          workloads: 3,
          active_violations: 4,
        })
        .execute();
      const factors = [{ id: 'exposure', name: 'Service exposure', multiplier: 1.5, evidence: ['port 80 on a LoadBalancer'] }];
      await (db as Kysely<Record<string, Record<string, unknown>>>)
        .insertInto('workloads')
        .values({
          id: 'old/shop/Deployment/web',
          cluster: 'old',
          namespace: 'shop',
          kind: 'Deployment',
          name: 'web',
          images: '["web:1"]',
          spec_hash: 'h1',
          first_seen: T0,
          last_seen: T1,
          risk_score: 2.5,
          risk_priority: 1,
          risk_factors: JSON.stringify(factors),
          search: 'shop deployment web web:1',
        })
        .execute();
      await db.destroy();
      const store = await reopen();
      open.push(store);
      assert.deepEqual((await store.listWorkloads({ scope: {}, limit: 5 })).items[0]?.risk?.factors, [
        { id: 'exposure', name: 'Service exposure', multiplier: 1.5 },
      ]);
      assert.deepEqual((await store.getWorkload('old/shop/Deployment/web', {}))?.risk?.factors, factors);
      assert.deepEqual(await store.getCluster('old', {}), {
        name: 'old',
        createdAt: T0,
        lastContactAt: T1,
        generation: 9,
        kubeVersion: 'v1.30.0',
        workloads: 3,
        activeViolations: 4,
      });
      assert.deepEqual(await store.loadObjects('old'), { generation: 9, snapshotId: 's9', sequence: 0, objects: [] });
    });

    it("keeps a cluster's objects with its stream's position: replaced by a snapshot, patched by a batch; a batch judged on a stale generation is a conflict", async () => {
      const store = await fresh('objects');
      const object = (name: string, version: string) => ({
        key: `Deployment shop/${name}`,
        kind: 'Deployment',
        namespace: 'shop',
        name,
        resourceVersion: version,
        body: { kind: 'Deployment', metadata: { name, namespace: 'shop', resourceVersion: version } },
      });
      await store.applySnapshot({ ...snapshot('s1', T0, [], []), objects: { replace: [object('web', '1'), object('cart', '2')] } });
      await store.applySnapshot({
        ...snapshot('s1', T1, [], []),
        sequence: 1,
        basedOnGeneration: 1,
        objects: { upserts: [object('web', '3'), object('api', '4')], deletes: ['Deployment shop/cart'] },
      });
      const kept = await store.loadObjects('c1');
      assert.deepEqual([kept.generation, kept.snapshotId, kept.sequence], [2, 's1', 1]);
      assert.deepEqual(
        kept.objects?.map((item) => [item.name, item.resourceVersion, (item.body.metadata as { resourceVersion: string }).resourceVersion]),
        [
          ['api', '4', '4'],
          ['web', '3', '3'],
        ],
      );
      assert.equal((await store.loadObjects('c1', 2)).objects, undefined, 'the caller holding this generation gets the position only');
      await assert.rejects(
        store.applySnapshot({ ...snapshot('s1', T2, [], []), sequence: 2, basedOnGeneration: 1, objects: { upserts: [], deletes: ['Deployment shop/web'] } }),
        (error: Error & { code?: string }) => error.code === 'conflict',
      );
      assert.equal((await store.loadObjects('c1')).objects?.length, 2, 'a conflict applies nothing');
      const duplicate = await store.applySnapshot({ ...snapshot('s1', T2, [], []), sequence: 1 });
      assert.equal(duplicate.duplicate, true, 'a batch at or below the last applied is a duplicate');
      assert.equal(await store.touchCluster('c1', 's1', 3, T2), false, 'a heartbeat must follow the last batch');
      assert.equal(await store.touchCluster('c1', 's1', 2, T2), true);
      assert.deepEqual([(await store.loadObjects('c1')).sequence, (await store.getCluster('c1', {}))?.lastContactAt], [2, T2]);
    });

    it('keeps policies with every version: seeded once, changed with a version guard, shipped ones upgraded until a user changes them', async () => {
      const store = await fresh('policies');
      const doc = (name: string, severity: string) => ({ apiVersion: 'kubeward.io/v1', kind: 'Policy', metadata: { name }, spec: { severity } });
      assert.deepEqual(await store.seedPolicies([{ id: 'shipped', document: doc('shipped', 'LOW'), enabled: true }], T0), { added: 1, upgraded: 0 });
      assert.deepEqual(await store.seedPolicies([{ id: 'shipped', document: doc('shipped', 'LOW'), enabled: true }], T1), { added: 0, upgraded: 0 });
      assert.deepEqual(await store.seedPolicies([{ id: 'shipped', document: doc('shipped', 'HIGH'), enabled: true }], T1), { added: 0, upgraded: 1 });
      const revision = await store.policyRevision();
      const created = await store.changePolicy({ kind: 'create', id: 'mine', document: doc('mine', 'LOW'), enabled: true, actor: 'alice', at: T1 });
      assert.deepEqual(created, { id: 'mine', builtin: false, enabled: true, version: 1, document: doc('mine', 'LOW'), updatedAt: T1, updatedBy: 'alice' });
      await assert.rejects(
        store.changePolicy({ kind: 'create', id: 'mine', document: doc('mine', 'LOW'), actor: 'bob', at: T2 }),
        (error: Error & { code?: string }) => error.code === 'conflict',
      );
      await assert.rejects(
        store.changePolicy({ kind: 'update', id: 'mine', document: doc('mine', 'HIGH'), expectedVersion: 7, actor: 'bob', at: T2 }),
        (error: Error & { code?: string }) => error.code === 'conflict',
        'a write over a version it did not read',
      );
      const same = await store.changePolicy({ kind: 'update', id: 'mine', document: doc('mine', 'LOW'), actor: 'bob', at: T2 });
      assert.equal(same?.version, 1, 'the same document again is no new version');
      await store.changePolicy({ kind: 'update', id: 'shipped', enabled: false, expectedVersion: 2, actor: 'bob', at: T2 });
      await assert.rejects(
        store.changePolicy({ kind: 'delete', id: 'shipped', actor: 'bob', at: T2 }),
        (error: Error & { code?: string }) => error.code === 'conflict',
        'shipped policies are disabled, not deleted',
      );
      assert.deepEqual(
        await store.seedPolicies([{ id: 'shipped', document: doc('shipped', 'CRITICAL'), enabled: true }], T2),
        { added: 0, upgraded: 0 },
        'a user changed it: it stays theirs',
      );
      assert.equal((await store.changePolicy({ kind: 'delete', id: 'mine', actor: 'alice', at: T2 }))?.version, 2);
      assert.equal(await store.changePolicy({ kind: 'update', id: 'mine', enabled: true, actor: 'alice', at: T2 }), undefined);
      assert.deepEqual(
        (await store.listPolicies()).map((policy) => [
          policy.id,
          policy.builtin,
          policy.enabled,
          policy.version,
          (policy.document.spec as { severity: string }).severity,
        ]),
        [['shipped', true, false, 3, 'HIGH']],
      );
      assert.deepEqual(
        (await store.listPolicyVersions('shipped')).map((version) => [version.version, version.change, version.enabled, version.actor]),
        [
          [3, 'disable', false, 'bob'],
          [2, 'upgrade', true, 'kubeward server'],
          [1, 'create', true, 'kubeward server'],
        ],
      );
      assert.deepEqual(
        (await store.listPolicyVersions('mine')).map((version) => [version.version, version.change]),
        [
          [2, 'delete'],
          [1, 'create'],
        ],
      );
      assert.equal(await store.policyRevision(), revision + 3);
      const audit = await store.listAudit({ limit: 10 });
      assert.deepEqual(
        audit.items.filter((entry) => entry.action.startsWith('policy.')).map((entry) => [entry.action, entry.target, entry.actor]),
        [
          ['policy.delete', 'mine', 'alice'],
          ['policy.disable', 'shipped', 'bob'],
          ['policy.create', 'mine', 'alice'],
        ],
      );
    });

    it('keeps CI results per repository, newest first, paged, with the report whole', async () => {
      const store = await fresh('ci');
      const counts = { critical: 1, high: 2, medium: 3, low: 4, total: 10 };
      for (const [index, repository] of ['github.com/acme/shop', 'github.com/acme/pay', 'github.com/acme/shop'].entries())
        await store.addCiResult({
          id: `0000${index}`,
          repository,
          commit: `c${index}`,
          kind: 'manifests',
          subject: 'deploy/',
          receivedAt: T0,
          actor: 'token:ci',
          counts,
          report: { findings: [{ index }] },
          ...(index === 2 ? { branch: 'main', pipeline: 'ci #3', url: 'https://ci.example/3' } : {}),
        });
      const first = await store.listCiResults({ repository: 'github.com/acme/shop', limit: 1 });
      assert.deepEqual(
        first.items.map((item) => [item.commit, item.branch, item.pipeline]),
        [['c2', 'main', 'ci #3']],
      );
      const second = await store.listCiResults({ repository: 'github.com/acme/shop', limit: 1, cursor: first.next });
      assert.deepEqual([second.items.map((item) => item.commit), second.next], [['c0'], undefined]);
      assert.deepEqual((await store.getCiResult('00001'))?.report, { findings: [{ index: 1 }] });
      assert.deepEqual(
        (await store.listCiRepositories()).map((item) => [item.repository, item.results, item.latest.commit, item.latest.counts]),
        [
          ['github.com/acme/pay', 1, 'c1', counts],
          ['github.com/acme/shop', 2, 'c2', counts],
        ],
      );
    });

    it('finds a token by its hash while it is live, never once revoked or expired', async () => {
      const store = await fresh('tokens');
      const made = await store.createToken({
        id: 't1',
        name: 'ci',
        role: 'ci',
        scope: { cluster: 'c1' },
        secretHash: 'ab'.repeat(32),
        createdAt: T0,
        createdBy: 'admin',
        expiresAt: T2,
      });
      assert.deepEqual(made, { id: 't1', name: 'ci', role: 'ci', scope: { cluster: 'c1' }, createdAt: T0, createdBy: 'admin', expiresAt: T2 });
      assert.equal((await store.findToken('ab'.repeat(32), T1))?.lastUsedAt, T1);
      assert.equal(await store.findToken('ab'.repeat(32), T2), undefined, 'expired at its time');
      assert.equal(await store.findToken('cd'.repeat(32), T1), undefined);
      assert.equal(await store.revokeToken('t1', 'admin', T1), true);
      assert.equal(await store.revokeToken('t1', 'admin', T1), false, 'revoked once');
      assert.equal(await store.findToken('ab'.repeat(32), T1), undefined);
      assert.equal((await store.listTokens())[0]?.revokedAt, T1);
    });
  });
};

// SQLite: a file per store in a temporary directory.
let sqliteDirectory = '';
storeContract({
  name: 'SQLite',
  setup: async () => {
    sqliteDirectory = await temporaryDirectory();
  },
  teardown: () => rm(sqliteDirectory, { recursive: true, force: true }),
  open: (label) => openSqliteStore(join(sqliteDirectory, `${label}.db`)),
  raw: (label) => {
    const file = join(sqliteDirectory, `${label}.db`);
    return Promise.resolve({ db: new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(file) }) }), reopen: () => openSqliteStore(file) });
  },
});

// PostgreSQL: a real server of its own, a database per store.
let postgres: ThrowawayPostgres | undefined;
storeContract({
  name: 'PostgreSQL',
  setup: async () => {
    postgres = await startPostgres();
  },
  teardown: async () => postgres?.stop(),
  open: async (label) => openPostgresStore(await postgres!.database(label)),
  raw: async (label) => {
    const url = await postgres!.database(label);
    return {
      db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }) }),
      reopen: () => openPostgresStore(url),
    };
  },
});
