import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolvePolicySet, type PolicySet } from '../src/app/index.js';
import { startCentral, type CentralStorage, type RunningCentral } from '../src/central/index.js';
import { eventually } from './support/eventually.js';
import { startPostgres, type ThrowawayPostgres } from './support/postgres.js';
import { temporaryDirectory } from './support/repo.js';

const NOW = new Date('2026-12-07T10:00:00Z');

const deployment = (name: string, privileged: boolean) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', uid: `uid-${name}` },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image: 'registry.example.com/shop/app:1.0', securityContext: { privileged } }] },
    },
  },
});

const call = async (central: RunningCentral, token: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${central.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, unknown> & { items?: Record<string, unknown>[] },
    text,
  };
};

describe('central stays whole through restarts: its own, and its database’s', () => {
  let directory: string;
  let set: PolicySet;
  let postgres: ThrowawayPostgres;
  const open = (storage: CentralStorage) =>
    startCentral({ storage, host: '127.0.0.1', port: 0, set, version: '0.0.0-test', now: () => NOW, log: false, rateLimit: { rate: 10_000, burst: 10_000 } });
  before(async () => {
    directory = await temporaryDirectory();
    set = await resolvePolicySet({ cwd: directory, paths: [], enable: [], disable: [], only: [], builtIn: true });
    postgres = await startPostgres();
  });
  after(async () => {
    await postgres?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('PostgreSQL restarted under load: requests fail cleanly with 503 while it is down and succeed again without a server restart', async () => {
    const central = await open({ kind: 'postgres', url: await postgres.database('restart_under_load') });
    const admin = central.adminToken ?? '';
    try {
      assert.equal(
        (await call(central, admin, 'POST', '/api/v1/clusters/prod/snapshots', { snapshotId: 's1', objects: [deployment('web', true)] })).status,
        200,
      );
      const statuses = new Map<number, number>();
      const bodies = new Set<string>();
      let running = true;
      const clients = Array.from({ length: 4 }, async () => {
        while (running) {
          const answer = await call(central, admin, 'GET', '/api/v1/violations').catch((error: Error) => ({ status: -1, text: error.message, json: {} }));
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (answer.status !== 200) bodies.add(answer.text);
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      let readiness = 0;
      await postgres.restart(async () => {
        // Down for long enough that every client meets it, and the readiness probe says so.
        await eventually(async () => assert.ok((statuses.get(503) ?? 0) >= 4), 10_000, 20);
        readiness = (await fetch(`${central.url}/readyz`)).status;
      });
      await eventually(async () => assert.equal((await call(central, admin, 'GET', '/api/v1/violations')).status, 200), 20_000, 100);
      running = false;
      await Promise.all(clients);
      assert.equal(readiness, 503);
      assert.deepEqual([...statuses.keys()].sort(), [200, 503], `only answers, never a dropped connection or a 500: ${[...bodies].join(' | ')}`);
      for (const body of bodies) assert.deepEqual(JSON.parse(body), { code: 'unavailable', message: 'the database is unavailable; try again shortly' });
      const batch = await call(central, admin, 'POST', '/api/v1/clusters/prod/changes', {
        snapshotId: 's1',
        sequence: 1,
        upserts: [deployment('web', false)],
        deletes: [],
      });
      assert.equal(batch.status, 200, `ingest works again on the new connections: ${batch.text}`);
      assert.equal((await fetch(`${central.url}/readyz`)).status, 200);
    } finally {
      await central.close();
    }
  });

  it('two servers on one PostgreSQL serve the same data and both take ingest', async () => {
    const url = await postgres.database('two_replicas');
    const first = await open({ kind: 'postgres', url });
    const second = await open({ kind: 'postgres', url, maxConnections: 3 });
    const admin = first.adminToken ?? '';
    try {
      assert.equal(second.adminToken, undefined, 'one bootstrap token for the shared store');
      assert.equal((await call(first, admin, 'POST', '/api/v1/clusters/prod/snapshots', { snapshotId: 's1', objects: [deployment('web', true)] })).status, 200);
      const viaSecond = await call(second, admin, 'POST', '/api/v1/clusters/prod/changes', {
        snapshotId: 's1',
        sequence: 1,
        upserts: [deployment('cart', true)],
        deletes: [],
      });
      assert.equal(viaSecond.status, 200, viaSecond.text);
      // The first replica's kept objects are a generation behind: its next batch is judged on the store's.
      const viaFirst = await call(first, admin, 'POST', '/api/v1/clusters/prod/changes', {
        snapshotId: 's1',
        sequence: 2,
        upserts: [deployment('web', false)],
        deletes: [],
      });
      assert.equal(viaFirst.status, 200, viaFirst.text);
      for (const replica of [first, second]) {
        const names = ((await call(replica, admin, 'GET', '/api/v1/violations?policy=privileged-container')).json.items ?? []).map(
          (item) => (item.object as { name: string }).name,
        );
        assert.deepEqual(names, ['cart'], 'both batches applied, in order, seen alike from both');
      }
      const disabled = await call(second, admin, 'POST', '/api/v1/policies/privileged-container/disable');
      assert.equal(disabled.status, 200);
      await eventually(async () => assert.equal((await call(first, admin, 'GET', '/api/v1/policies/privileged-container')).json.enabled, false));
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('a server restart keeps every state: violations, tokens, exceptions and their approvals', async () => {
    const storage: CentralStorage = { kind: 'sqlite', file: join(directory, 'restart.db') };
    let central = await open(storage);
    const admin = central.adminToken ?? '';
    await call(central, admin, 'POST', '/api/v1/clusters/prod/snapshots', { snapshotId: 's1', objects: [deployment('web', true), deployment('cart', true)] });
    const analyst = (await call(central, admin, 'POST', '/api/v1/tokens', { name: 'alice', role: 'analyst' })).json as { secret: string };
    const asked = await call(central, analyst.secret, 'POST', '/api/v1/exceptions', {
      policy: 'privileged-container',
      cluster: 'prod',
      namespace: 'shop',
      name: 'web',
      reason: 'the CNI needs it',
      expiresAt: '2027-06-01T00:00:00Z',
    });
    assert.equal(asked.status, 201, asked.text);
    const id = String(asked.json.id);
    const second = (await call(central, admin, 'POST', '/api/v1/tokens', { name: 'bob', role: 'admin' })).json as { secret: string };
    assert.equal((await call(central, second.secret, 'POST', `/api/v1/exceptions/${id}/approve`, { comment: 'ok until June' })).status, 200);
    const before = await call(central, admin, 'GET', '/api/v1/violations?state=active,excepted&limit=500');
    await central.close();

    central = await open(storage);
    try {
      assert.equal(central.adminToken, undefined, 'no second bootstrap token');
      const after = await call(central, analyst.secret, 'GET', '/api/v1/violations?state=active,excepted&limit=500');
      assert.equal(after.status, 200, 'tokens survive');
      assert.deepEqual(after.json.items, before.json.items);
      const exception = (await call(central, admin, 'GET', `/api/v1/exceptions/${id}`)).json;
      assert.deepEqual([exception.state, exception.decidedBy, exception.comment], ['approved', 'token:bob', 'ok until June']);
      const web = after.json.items?.find(
        (item) => (item.object as { name: string }).name === 'web' && (item.policy as { id: string }).id === 'privileged-container',
      );
      assert.equal(web?.state, 'excepted');
      // The kept objects are there too: a change batch after the restart is judged on top of them.
      const batch = await call(central, admin, 'POST', '/api/v1/clusters/prod/changes', {
        snapshotId: 's1',
        sequence: 1,
        upserts: [deployment('cart', false)],
        deletes: [],
      });
      assert.deepEqual([batch.status, (batch.json.violations as { resolved: number }).resolved > 0], [200, true]);
    } finally {
      await central.close();
    }
  });
});

describe('rate limits per token', () => {
  it('refuses a token past its burst with 429 and the reason, refills with wall-clock time, and leaves other tokens alone', async () => {
    const directory = await temporaryDirectory();
    const set = await resolvePolicySet({ cwd: directory, paths: [], enable: [], disable: [], only: [], builtIn: true });
    // A fixed API clock: the limiter must not depend on it.
    const central = await startCentral({
      storage: { kind: 'sqlite', file: join(directory, 'limits.db') },
      host: '127.0.0.1',
      port: 0,
      set,
      version: '0.0.0-test',
      now: () => NOW,
      log: false,
      rateLimit: { rate: 5, burst: 3 },
    });
    try {
      const admin = central.adminToken ?? '';
      const answers = [];
      for (let index = 0; index < 10; index++) answers.push(await call(central, admin, 'GET', '/api/v1/clusters'));
      assert.deepEqual(
        answers.slice(0, 3).map((answer) => answer.status),
        [200, 200, 200],
      );
      const limited = answers.find((answer) => answer.status === 429);
      assert.equal(limited?.json.code, 'rate-limited', 'past the burst, faster than the rate');
      await new Promise((resolve) => setTimeout(resolve, 450));
      assert.equal((await call(central, admin, 'GET', '/api/v1/clusters')).status, 200, 'refilled at 5 a second');
    } finally {
      await central.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
