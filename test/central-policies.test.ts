import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import jsYaml from 'js-yaml';
import { resolvePolicySet, type PolicySet } from '../src/app/index.js';
import { startCentral, type RunningCentral } from '../src/central/index.js';
import { eventually } from './support/eventually.js';
import { repoPath, temporaryDirectory } from './support/repo.js';

const NOW = new Date('2026-12-07T10:00:00Z');

type Json = Record<string, unknown> & { items?: Record<string, unknown>[] };

const deployment = (name: string, image: string, privileged: boolean) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', uid: `uid-${name}` },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image, securityContext: { privileged } }] } },
  },
});

const CUSTOM = `apiVersion: kubeward.io/v1
kind: Policy
metadata:
  name: no-evil-registry
spec:
  name: Images from the evil registry
  description: Alerts on images pulled from registry.evil.example.
  rationale: That registry is not ours.
  remediation: Pull from registry.example.com.
  severity: CRITICAL
  categories: [Supply Chain]
  lifecycleStages: [DEPLOY]
  enforcement: [DEPLOY]
  criteria:
    - conditions:
        - field: Image Registry
          values: [registry.evil.example]
`;

describe('policies in central: CRUD, enable and disable, versions, YAML export and import, StackRox import', () => {
  let directory: string;
  let set: PolicySet;
  let central: RunningCentral;
  let admin: string;
  const call = async (method: string, path: string, body?: unknown, token = admin): Promise<{ status: number; json: Json; text: string }> => {
    const response = await fetch(`${central.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, text, json: (text.startsWith('{') ? JSON.parse(text) : {}) as Json };
  };
  const start = async () =>
    startCentral({
      storage: { kind: 'sqlite', file: join(directory, 'central.db') },
      host: '127.0.0.1',
      port: 0,
      set,
      version: '0.0.0-test',
      now: () => NOW,
      log: false,
    });
  const activePolicies = async (): Promise<string[]> =>
    [...new Set(((await call('GET', '/api/v1/violations?limit=500')).json.items ?? []).map((item) => (item.policy as { id: string }).id))].sort();

  before(async () => {
    directory = await temporaryDirectory();
    set = await resolvePolicySet({ cwd: directory, paths: [], enable: [], disable: [], only: [], builtIn: true });
    central = await start();
    admin = central.adminToken ?? '';
    const posted = await call('POST', '/api/v1/clusters/prod/snapshots', {
      snapshotId: 'list-1',
      objects: [deployment('web', 'registry.evil.example/shop/web:1.0', true), deployment('cart', 'registry.example.com/shop/cart:1.0', false)],
    });
    assert.equal(posted.status, 200, posted.text);
  });
  after(async () => {
    await central?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('lists the shipped policies as the CLI does, filtered and searched by substring', async () => {
    const all = (await call('GET', '/api/v1/policies')).json.items ?? [];
    assert.equal(all.length, set.policies.all.length);
    assert.equal(all.filter((policy) => policy.enabled).length, set.policies.active.length);
    assert.ok(all.every((policy) => policy.builtin === true && policy.version === 1 && policy.updatedBy === 'kubeward server'));
    const searched = (await call('GET', '/api/v1/policies?search=RIVILEGED%20CONT')).json.items ?? [];
    assert.ok(searched.some((policy) => policy.id === 'privileged-container'));
    const critical = (await call('GET', '/api/v1/policies?severity=CRITICAL&enabled=true')).json.items ?? [];
    assert.ok(critical.length > 0 && critical.every((policy) => policy.severity === 'CRITICAL' && policy.enabled));
  });

  it('a custom policy is judged on every cluster at once, enforced by webhooks, versioned, and deleted again', async () => {
    const before = (await call('GET', '/api/v1/admission/policies', undefined)).json;
    const created = await call('POST', '/api/v1/policies', { yaml: CUSTOM });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual([created.json.id, created.json.builtin, created.json.version, created.json.enabled], ['no-evil-registry', false, 1, true]);
    await eventually(async () => assert.ok((await activePolicies()).includes('no-evil-registry')));
    const admission = (await call('GET', `/api/v1/admission/policies?revision=${String(before.revision)}`)).json;
    assert.equal(admission.unchanged, false, 'webhooks see a new revision');
    assert.ok((admission.enforced as string[]).includes('no-evil-registry'));

    assert.equal((await call('POST', '/api/v1/policies', { yaml: CUSTOM })).status, 409, 'the id exists');
    const edited = jsYaml.load(CUSTOM) as { spec: { severity: string } };
    edited.spec.severity = 'HIGH';
    const stale = await call('PUT', '/api/v1/policies/no-evil-registry', { document: edited, version: 7 });
    assert.deepEqual([stale.status, stale.json.code], [409, 'conflict']);
    const updated = await call('PUT', '/api/v1/policies/no-evil-registry', { document: edited, version: 1 });
    assert.deepEqual([updated.status, updated.json.version, updated.json.severity], [200, 2, 'HIGH']);
    await eventually(async () => {
      const [violation] = (await call('GET', '/api/v1/violations?policy=no-evil-registry')).json.items ?? [];
      assert.equal(violation?.severity, 'HIGH');
    });
    const yaml = await call('GET', '/api/v1/policies/no-evil-registry?format=yaml');
    assert.match(yaml.text, /^apiVersion: kubeward\.io\/v1\nkind: Policy\nmetadata:\n {2}name: no-evil-registry\n/);
    assert.deepEqual(
      ((await call('GET', '/api/v1/policies/no-evil-registry/versions')).json.items ?? []).map((version) => [version.version, version.change, version.actor]),
      [
        [2, 'update', 'token:bootstrap-admin'],
        [1, 'create', 'token:bootstrap-admin'],
      ],
    );
    const deleted = await call('DELETE', '/api/v1/policies/no-evil-registry');
    assert.deepEqual(deleted.json, { deleted: 'no-evil-registry', version: 3 });
    await eventually(async () => assert.ok(!(await activePolicies()).includes('no-evil-registry')));
    assert.equal((await call('GET', '/api/v1/policies/no-evil-registry')).status, 404);
    assert.equal((await call('GET', '/api/v1/policies/no-evil-registry/versions')).json.items?.length, 3, 'its history stays');
  });

  it('disabling a shipped policy resolves its violations everywhere; enabling it opens them again; shipped policies are not deleted', async () => {
    assert.ok((await activePolicies()).includes('privileged-container'));
    const disabled = await call('POST', '/api/v1/policies/privileged-container/disable');
    assert.deepEqual([disabled.status, disabled.json.enabled, disabled.json.version], [200, false, 2]);
    await eventually(async () => assert.ok(!(await activePolicies()).includes('privileged-container')));
    const resolved = (await call('GET', '/api/v1/violations?policy=privileged-container&state=resolved')).json.items ?? [];
    assert.equal(resolved.length, 1);
    assert.equal((await call('DELETE', '/api/v1/policies/privileged-container')).status, 409);
    await call('POST', '/api/v1/policies/privileged-container/enable');
    await eventually(async () => assert.ok((await activePolicies()).includes('privileged-container')));
    const audit = (await call('GET', '/api/v1/audit?action=policy.disable')).json.items ?? [];
    assert.deepEqual(
      audit.map((entry) => entry.target),
      ['privileged-container'],
    );
  });

  it('exports every policy as YAML that imports back unchanged, and imports a StackRox export with notes and the skipped ones', async () => {
    const exported = await call('GET', '/api/v1/policies?format=yaml');
    assert.equal(exported.status, 200);
    const documents = jsYaml.loadAll(exported.text) as { metadata: { name: string }; spec: { disabled?: boolean } }[];
    assert.equal(documents.length, set.policies.all.length);
    const reimported = await call('POST', '/api/v1/policies/import', { yaml: exported.text });
    assert.equal(reimported.status, 200, reimported.text);
    assert.deepEqual([reimported.json.created, reimported.json.updated, (reimported.json.unchanged as string[]).length], [[], [], documents.length]);

    const stackrox: unknown = JSON.parse(await readFile(repoPath('test/fixtures/stackrox-export.json'), 'utf8'));
    const imported = await call('POST', '/api/v1/policies/import', { stackrox });
    assert.equal(imported.status, 200, imported.text);
    assert.deepEqual(imported.json.created, [
      'stackrox-privileged-container',
      'stackrox-docker-cis-5-7-ensure-privileged-ports-are-not-mapped',
      'stackrox-seccomp-disabled-in-production',
      'stackrox-fixable-cvss-7',
    ]);
    assert.deepEqual(
      (imported.json.skipped as { name: string }[]).map((entry) => entry.name),
      ['Ubuntu Package Manager Execution', 'Custom field from a newer StackRox'],
    );
    await eventually(async () => assert.ok((await activePolicies()).includes('stackrox-privileged-container')));
    const again = await call('POST', '/api/v1/policies/import', { stackrox });
    assert.deepEqual([again.json.created, (again.json.unchanged as string[]).length], [[], 4], 'the same import twice changes nothing');
  });

  it('refuses what is not a policy with the file line and field, and lets only admins change policies', async () => {
    const broken = await call('POST', '/api/v1/policies', { yaml: CUSTOM.replace('Image Registry', 'Image Registree') });
    assert.equal(broken.status, 400);
    assert.equal(broken.json.code, 'invalid-policy');
    assert.match(String(broken.json.message), /^yaml:\d+ .*Image Registree/);
    const shape = await call('POST', '/api/v1/policies', { document: { apiVersion: 'kubeward.io/v1', kind: 'Policy', metadata: { name: 'x' }, spec: {} } });
    assert.deepEqual([shape.status, shape.json.code, String(shape.json.field).startsWith('body.document.spec')], [400, 'invalid-policy', true]);
    assert.equal((await call('POST', '/api/v1/policies', {})).status, 400);
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n`;
    assert.equal((await call('POST', '/api/v1/policies/import', { yaml: bomb })).status, 400, 'an alias bomb is refused');
    const analyst = (await call('POST', '/api/v1/tokens', { name: 'analyst', role: 'analyst' })).json as { secret: string };
    assert.equal((await call('POST', '/api/v1/policies/privileged-container/disable', undefined, analyst.secret)).status, 403);
    assert.equal((await call('GET', '/api/v1/policies', undefined, analyst.secret)).status, 200);
  });

  it('a restart keeps the policies as users left them', async () => {
    await call('POST', '/api/v1/policies', { yaml: CUSTOM.replace('no-evil-registry', 'kept-across-restarts') });
    await call('POST', '/api/v1/policies/latest-tag/disable');
    await central.close();
    central = await start();
    const kept = (await call('GET', '/api/v1/policies/kept-across-restarts')).json;
    assert.deepEqual([kept.enabled, kept.builtin], [true, false]);
    assert.equal((await call('GET', '/api/v1/policies/latest-tag')).json.enabled, false, 'the server’s set seeds once; it does not undo a user’s change');
  });
});
