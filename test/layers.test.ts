import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { repoRoot } from './support/repo.js';

/** What `npm run lint` (and so CI) says of a file at `path` with this text. */
const lint = async (path: string, text: string): Promise<string[]> => {
  // The repository's configuration, parsed without the TypeScript project (the probe is not on disk).
  const eslint = new ESLint({ cwd: repoRoot(), overrideConfig: { languageOptions: { parserOptions: { projectService: false } } } });
  const [result] = await eslint.lintText(text, { filePath: path });
  const fatal = result?.messages.find((message) => message.fatal);
  if (fatal) throw new Error(fatal.message);
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
};

const PROBE = "import { readFileSync } from 'node:fs';\nimport { VulnerabilityDatabase } from '../vulndb/store/index.js';\nimport { scanManifests } from '../app/index.js';\nexport const probe = (): unknown => [readFileSync, VulnerabilityDatabase, scanManifests];\n";

describe('the layers, enforced by lint', () => {
  it('a file in a folder nobody declared is an engine: no I/O, no adapters, no use cases', async () => {
    const messages = await lint('src/brand-new-engine/probe.ts', PROBE);
    assert.equal(messages.length, 3, messages.join('\n'));
    assert.match(messages[0] ?? '', /Engines are pure/);
    assert.match(messages[1] ?? '', /must not depend on adapters/);
  });

  it('declared adapters and front ends may do I/O and call use cases', async () => {
    assert.deepEqual(await lint('src/cli/commands/probe.ts', PROBE.replaceAll('../', '../../')), []);
  });
});
