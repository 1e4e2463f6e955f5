import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeCorpus } from '../bench/corpus.js';
import { DEFAULT_LOAD_OPTIONS } from '../src/k8s/files/index.js';
import { builtInPolicyDirectory, loadPolicyPath } from '../src/policy/files/index.js';
import { selectPolicies } from '../src/policy/index.js';
import { runScanJob } from '../src/manifest-scan/index.js';
import { kubeward } from './support/cli.js';
import { repoRoot, temporaryDirectory } from './support/repo.js';

const scan = async (inputs: string[], threads: number, cwd: string) => {
  const { policies } = await loadPolicyPath(builtInPolicyDirectory(), repoRoot());
  // Every policy, cross-object ones included, so that summaries exchanged between threads are exercised.
  const selected = selectPolicies(policies, [], { enable: ['*'], disable: [], only: [] }, 'test');
  const result = await runScanJob(inputs, {
    load: { ...DEFAULT_LOAD_OPTIONS, cwd, stdin: () => [] },
    policies: selected.active,
    now: new Date('2026-11-28T00:00:00Z'),
    stages: ['BUILD', 'DEPLOY'],
    threads,
  });
  const key = (finding: (typeof result.findings)[number]) =>
    JSON.stringify([finding.location, finding.policyId, finding.object, finding.container, finding.message]);
  return { ...result, keys: result.findings.map(key).sort() };
};

describe('parallel scans', () => {
  it('find exactly what a single-threaded scan finds, across threads', async () => {
    const directory = await temporaryDirectory();
    await writeCorpus(directory, 300, 11);
    const single = await scan([directory], 1, directory);
    assert.ok(single.findings.length > 500);
    for (const threads of [2, 3]) {
      const parallel = await scan([directory], threads, directory);
      assert.equal(parallel.threads, threads);
      assert.deepEqual(parallel.keys, single.keys, `${threads} threads`);
      assert.deepEqual(parallel.kinds, single.kinds);
      assert.equal(parallel.files, single.files);
      assert.equal(parallel.documents, single.documents);
    }
  });

  it('write the same report byte for byte whichever thread judged an object', async () => {
    const directory = await temporaryDirectory();
    await writeCorpus(directory, 300, 5);
    const report = async (threads: string) => {
      const result = await kubeward(['scan', '.', '--format', 'json', '--no-fail', '--quiet', '--enable', '*', '--threads', threads], { cwd: directory });
      assert.equal(result.code, 0, result.stderr);
      return result.stdout;
    };
    const single = await report('1');
    assert.equal(await report('2'), single);
  });

  it('judge a Namespace declared in several files once, whichever thread reads which', async () => {
    const directory = await temporaryDirectory();
    for (const app of ['billing', 'checkout', 'search']) {
      await mkdir(join(directory, app));
      await writeFile(
        join(directory, app, 'manifests.yaml'),
        `apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${app}, namespace: team}\nspec: {containers: [{name: c, image: registry.example.com/${app}:1}]}\n`,
      );
    }
    const single = await scan([directory], 1, directory);
    const namespaceFindings = (result: typeof single) =>
      result.findings.filter((finding) => finding.policyId === 'namespace-without-network-policy').map((finding) => finding.location.file);
    assert.deepEqual(namespaceFindings(single), ['billing/manifests.yaml']);
    for (const threads of [2, 3]) {
      const parallel = await scan([directory], threads, directory);
      assert.deepEqual(parallel.keys, single.keys, `${threads} threads`);
    }
  });

  it('see cross-object relations that span threads (a Service in one file, its pods in another)', async () => {
    const single = await scan(['examples'], 1, repoRoot());
    const parallel = await scan(['examples'], 2, repoRoot());
    assert.deepEqual(parallel.keys, single.keys);
  });
});
