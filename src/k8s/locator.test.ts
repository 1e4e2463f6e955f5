import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeCorpus } from '../../bench/corpus.js';
import { parserPositions } from '../../test/support/positions-oracle.js';
import { repoPath, temporaryDirectory } from '../../test/support/repo.js';
import { locatePath, locatePaths } from './locator.js';
import { parseYamlStream } from './yaml.js';

const yamlFiles = async (directory: string): Promise<string[]> => {
  const out: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) out.push(...(await yamlFiles(path)));
    else if (/\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
};

/** Compares every path of every document with the positions the parser reports. */
const compare = async (files: readonly string[]): Promise<{ paths: number; mismatches: string[] }> => {
  let paths = 0;
  const mismatches: string[] = [];
  for (const file of files) {
    for (const document of parseYamlStream(await readFile(file, 'utf8'))) {
      if (document.error) continue;
      const { positions } = parserPositions(document.text, document.startLine - 1);
      const requested = [...positions.keys()];
      const located = locatePaths(document.text, document.startLine - 1, requested);
      for (const [index, path] of requested.entries()) {
        const expected = positions.get(path) as { line: number; column: number };
        paths++;
        // Asked alone, a path lets the scanner skip everything off its way: that must not change the answer.
        const actual = index % 5 === 0 ? locatePath(document.text, document.startLine - 1, path) : located[index];
        if (actual?.line !== expected.line || actual.column !== expected.column) {
          mismatches.push(`${file} ${path}: parser ${expected.line}:${expected.column}, locator ${actual?.line}:${actual?.column}`);
        }
      }
    }
  }
  return { paths, mismatches };
};

describe('DocumentLocator agrees with the YAML parser', () => {
  it('on every YAML file of the repository (examples, policies and their cases, fixtures)', async () => {
    const files = [...(await yamlFiles(repoPath('examples'))), ...(await yamlFiles(repoPath('policies'))), ...(await yamlFiles(repoPath('test/fixtures')))];
    const { paths, mismatches } = await compare(files);
    assert.ok(paths > 9000, `only ${paths} paths compared`);
    assert.deepEqual(mismatches.slice(0, 10), []);
  });

  it('on a generated corpus of realistic workloads', async () => {
    const directory = await temporaryDirectory();
    await writeCorpus(directory, 200, 7);
    const { paths, mismatches } = await compare((await readdir(directory)).map((name) => join(directory, name)));
    assert.ok(paths > 30_000, `only ${paths} paths compared`);
    assert.deepEqual(mismatches.slice(0, 10), []);
  });

  it('falls back to the nearest ancestor for paths the document does not hold', () => {
    const text = 'spec:\n  containers:\n    - name: a\n      image: x\n';
    assert.deepEqual(locatePath(text, 0, 'spec.containers[0].securityContext.runAsNonRoot'), { line: 3, column: 7 });
    assert.deepEqual(locatePath(text, 0, 'status.phase'), { line: 1, column: 1 });
  });
});
