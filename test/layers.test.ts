import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { repoRoot } from './support/repo.js';

/** What `npm run lint` (and so CI) says of a file at `path` with this text. */
const lint = async (path: string, text: string, rule = 'no-restricted-imports'): Promise<string[]> => {
  // The repository's configuration, parsed without the TypeScript project (the probe is not on disk).
  const eslint = new ESLint({ cwd: repoRoot(), overrideConfig: { languageOptions: { parserOptions: { projectService: false } } } });
  const [result] = await eslint.lintText(text, { filePath: path });
  const fatal = result?.messages.find((message) => message.fatal);
  if (fatal) throw new Error(fatal.message);
  return (result?.messages ?? []).filter((message) => message.ruleId === rule).map((message) => message.message);
};

const PROBE =
  "import { readFileSync } from 'node:fs';\nimport { VulnerabilityDatabase } from '../vulndb/store/index.js';\nimport { scanManifests } from '../app/index.js';\nexport const probe = (): unknown => [readFileSync, VulnerabilityDatabase, scanManifests];\n";

describe('the layers, enforced by lint', () => {
  it('a file in a folder nobody declared is an engine: no I/O, no adapters, no use cases', async () => {
    const messages = await lint('src/brand-new-engine/probe.ts', PROBE);
    assert.equal(messages.length, 3, messages.join('\n'));
    assert.match(messages[0] ?? '', /Engines are pure/);
    assert.match(messages[1] ?? '', /must not depend on adapters/);
  });

  it('declared adapters and front ends may do I/O and call use cases', async () => {
    assert.deepEqual(await lint('src/image/sources/probe.ts', PROBE.replaceAll('../', '../../')), []);
    assert.deepEqual(await lint('src/cli/commands/probe.ts', PROBE.replaceAll('../', '../../'), 'no-restricted-imports'), []);
  });

  it('the CLI reaches no further than the use cases, the model and the renderers', async () => {
    const messages = await lint('src/cli/commands/probe.ts', PROBE.replaceAll('../', '../../'), 'kubeward/cli-reach');
    assert.equal(messages.length, 1, messages.join('\n'));
    assert.match(messages[0] ?? '', /reach vulndb\/store\/index\.js through src\/app/);
  });

  it('a folder is entered through its index.ts', async () => {
    const deep =
      "import { parseImageName } from '../k8s/image.js';\nimport { FIELDS } from '../policy/index.js';\nexport const probe = [parseImageName, FIELDS];\n";
    const messages = await lint('src/risk/probe.ts', deep, 'kubeward/through-faces');
    assert.deepEqual(messages, ["import k8s through its index.ts, not k8s/image.js: a folder's index is its only face"]);
  });

  it('an import cycle fails the build', async () => {
    const file = join(repoRoot(), 'src', 'k8s', 'image.ts');
    const cyclic = `${readFileSync(file, 'utf8')}\nimport { TARGETS } from '../policy/index.js';\nexport const probe = TARGETS;\n`;
    assert.deepEqual(await lint('src/k8s/image.ts', readFileSync(file, 'utf8'), 'import-x/no-cycle'), []);
    const messages = await lint('src/k8s/image.ts', cyclic, 'import-x/no-cycle');
    assert.equal(messages.length, 1, messages.join('\n'));
    assert.match(messages[0] ?? '', /Dependency cycle/);
  });
});
