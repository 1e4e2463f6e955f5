import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { temporaryDirectory } from '../../../test/support/repo.js';
import { DEFAULT_LOAD_OPTIONS, loadInputs, type LoadOptions } from './load.js';

const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const POD = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec: {containers: [{name: c, image: nginx:1.25}]}\n`;

describe('loadInputs', () => {
  let root: string;
  let options: LoadOptions;
  before(async () => {
    root = await temporaryDirectory();
    options = { ...DEFAULT_LOAD_OPTIONS, cwd: root, stdin: () => [POD('from-stdin')] };
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('walks directories for .yaml, .yml and .json, reads named files of any extension and stdin', async () => {
    await mkdir(join(root, 'walk/nested'), { recursive: true });
    await writeFile(join(root, 'walk/a.yaml'), POD('a'));
    await writeFile(join(root, 'walk/nested/b.YML'), POD('b'));
    await writeFile(join(root, 'walk/nested/c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c' }, spec: { containers: [] } }));
    await writeFile(join(root, 'walk/notes.txt'), POD('ignored'));
    await writeFile(join(root, 'named.manifest'), POD('named'));
    const result = await loadInputs(['walk', 'named.manifest', '-'], options);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(
      result.objects.map((object) => `${object.source.file}:${object.name}`),
      ['walk/a.yaml:a', 'walk/nested/b.YML:b', 'walk/nested/c.json:c', 'named.manifest:named', '<stdin>:from-stdin'],
    );
    assert.equal(result.files, 5);
  });

  it('reports broken, binary, missing and looping inputs and still loads everything else', async () => {
    await mkdir(join(root, 'bad'), { recursive: true });
    await writeFile(join(root, 'bad/broken.yaml'), `${POD('before')}---\nkind: Pod\nmetadata: {name: [oops\n---\n${POD('after')}`);
    await writeFile(join(root, 'bad/image.yaml'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    await symlink('loop-b.yaml', join(root, 'bad/loop-a.yaml'));
    await symlink('loop-a.yaml', join(root, 'bad/loop-b.yaml'));
    await symlink('.', join(root, 'bad/self-loop'));
    await writeFile(join(root, 'bad/good.yaml'), POD('good'));
    const result = await loadInputs(['bad', 'does-not-exist.yaml'], options);
    assert.deepEqual(result.objects.map((object) => object.name).sort(), ['after', 'before', 'good']);
    const problems = result.problems.map((problem) => `${problem.code} ${problem.file}${problem.line ? `:${problem.line}` : ''}`).sort();
    assert.deepEqual(problems, [
      'binary bad/image.yaml',
      'not-found does-not-exist.yaml',
      'symlink-loop bad/loop-a.yaml',
      'symlink-loop bad/loop-b.yaml',
      'symlink-loop bad/self-loop',
      'syntax bad/broken.yaml:8',
    ]);
  });

  it('bounds stdin and pipes by the size limit, and never opens FIFOs met while walking', async () => {
    const endless = function* (): Generator<string> {
      for (;;) yield `# ${'x'.repeat(1022)}\n`;
    };
    const flooded = await loadInputs(['-'], { ...options, maxFileBytes: 64 * 1024, stdin: endless });
    assert.deepEqual(
      flooded.problems.map((problem) => `${problem.code} ${problem.file}`),
      ['too-large-file <stdin>'],
    );
    const zeros = await loadInputs(['-'], { ...options, stdin: () => [Buffer.alloc(4096)] });
    assert.deepEqual(
      zeros.problems.map((problem) => problem.code),
      ['binary'],
    );

    await mkdir(join(root, 'fifo'), { recursive: true });
    execFileSync('mkfifo', [join(root, 'fifo/pipe.yaml')]);
    await writeFile(join(root, 'fifo/pod.yaml'), POD('beside-the-pipe'));
    const walked = await loadInputs(['fifo'], options);
    assert.deepEqual(
      walked.objects.map((object) => object.name),
      ['beside-the-pipe'],
    );
    assert.deepEqual(
      walked.problems.map((problem) => `${problem.level} ${problem.file}: ${problem.message}`),
      ['warning fifo/pipe.yaml: not a regular file; skipped'],
    );
  });

  it('skips excluded paths and refuses files over the size limit', async () => {
    await mkdir(join(root, 'ex/charts/tests'), { recursive: true });
    await writeFile(join(root, 'ex/keep.yaml'), POD('keep'));
    await writeFile(join(root, 'ex/charts/tests/skip.yaml'), POD('skip'));
    await writeFile(join(root, 'ex/big.yaml'), `${POD('big')}# ${'x'.repeat(5000)}\n`);
    const result = await loadInputs(['ex'], { ...options, exclude: ['**/tests/**'], maxFileBytes: 4096 });
    assert.deepEqual(
      result.objects.map((object) => object.name),
      ['keep'],
    );
    assert.deepEqual(
      result.problems.map((problem) => problem.code),
      ['too-large-file'],
    );
  });

  it('resolves field positions for findings, shifting Helm templates', async () => {
    await writeFile(
      join(root, 'rendered.yaml'),
      '---\n# Source: shop/templates/web.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: c\n      image: nginx\n',
    );
    const result = await loadInputs(['rendered.yaml'], options);
    const [pod] = result.objects;
    assert.ok(pod);
    assert.deepEqual(result.locateAll([{ object: pod, path: 'spec.containers[0].image' }]), [{ file: 'shop/templates/web.yaml', line: 8, column: 7 }]);
  });

  it('renders Kustomize directories and points objects at their origin files', { skip: !hasKubectl && 'kubectl not on PATH' }, async () => {
    await mkdir(join(root, 'kz/base'), { recursive: true });
    await mkdir(join(root, 'kz/overlays/prod'), { recursive: true });
    await writeFile(join(root, 'kz/base/kustomization.yaml'), 'resources: [deployment.yaml]\n');
    await writeFile(
      join(root, 'kz/base/deployment.yaml'),
      '# the web tier\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.25\n          securityContext:\n            privileged: true\n',
    );
    await writeFile(join(root, 'kz/overlays/prod/kustomization.yaml'), 'resources: [../../base]\nnamespace: prod\nnamePrefix: prod-\n');
    const result = await loadInputs(['kz/overlays/prod'], options);
    assert.deepEqual(result.problems, []);
    const [deployment] = result.objects;
    assert.equal(deployment?.name, 'prod-web');
    assert.equal(deployment?.namespace, 'prod');
    assert.equal(deployment?.annotations['config.kubernetes.io/origin'], undefined);
    assert.equal(deployment?.source.file, 'kz/base/deployment.yaml');
    assert.equal(deployment?.source.line, 2);
    assert.ok(deployment);
    assert.deepEqual(result.locateAll([{ object: deployment, path: 'spec.template.spec.containers[0].securityContext.privileged' }]), [
      { file: 'kz/base/deployment.yaml', line: 15, column: 13 },
    ]);
  });

  it('explains that Kustomize needs kubectl when it is missing', async () => {
    await mkdir(join(root, 'kz2'), { recursive: true });
    await writeFile(join(root, 'kz2/kustomization.yaml'), 'resources: []\n');
    const result = await loadInputs(['kz2'], { ...options, kubectl: 'kubectl-that-does-not-exist' });
    assert.equal(result.problems[0]?.code, 'kustomize');
    assert.match(result.problems[0]?.message ?? '', /needs kubectl on PATH/);
  });
});

describe('invalid UTF-8', () => {
  it('is an error with file, line and column, and the file is still scanned', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const directory = await mkdtemp(join(tmpdir(), 'kubeward-utf8-'));
    const good = Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\u00e9\n');
    // Latin-1 é (0xe9) where UTF-8 needs two bytes, as an editor on a legacy code page writes it.
    const bad = Buffer.concat([
      Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: menu\n  annotations:\n    note: "caf'),
      Buffer.from([0xe9]),
      Buffer.from('"\n'),
    ]);
    await writeFile(join(directory, 'good.yaml'), good);
    await writeFile(join(directory, 'bad.yaml'), bad);
    await writeFile(
      join(directory, 'overlong.yaml'),
      Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: slash'), Buffer.from([0xc0, 0xaf]), Buffer.from('}\n')]),
    );
    const result = await loadInputs([directory], { ...DEFAULT_LOAD_OPTIONS, cwd: directory, stdin: () => [] });
    assert.deepEqual(result.objects.map((object) => object.name).sort(), ['café', 'menu', 'slash\ufffd\ufffd']);
    assert.deepEqual(
      result.problems.map((problem) => `${problem.code} ${problem.file}:${problem.line}:${problem.column} ${problem.level}`),
      ['invalid-utf8 bad.yaml:6:15 error', 'invalid-utf8 overlong.yaml:3:23 error'],
    );
    assert.match(result.problems[0]?.message ?? '', /invalid UTF-8 at byte 83 \(0xe9\); read as U\+FFFD, but kubectl and the API server refuse the file/);
  });
});
