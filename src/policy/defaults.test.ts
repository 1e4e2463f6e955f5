import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadSchemaValidator } from '../k8s/schema.js';
import { parseYamlStream } from '../k8s/yaml.js';
import { parseCases, runPolicyCases, type PolicyCase } from './cases.js';
import { compilePolicy, type Policy } from './index.js';
import { builtInPolicyDirectory, loadPolicyPath } from './files/index.js';

const directory = builtInPolicyDirectory();
const validateSchema = await loadSchemaValidator();
const { policies, problems } = await loadPolicyPath(directory, directory);

const casesFor = async (policy: Policy): Promise<PolicyCase[]> => {
  const text = await readFile(join(directory, 'tests', `${policy.id}.yaml`), 'utf8');
  const [document] = parseYamlStream(text);
  assert.ok(document && !document.error, `policies/tests/${policy.id}.yaml does not parse: ${document?.error?.message}`);
  const cases = parseCases(document.value);
  assert.ok(typeof cases !== 'string', cases as string);
  return cases;
};

describe('built-in policies', () => {
  it('all parse and compile', () => {
    assert.deepEqual(problems, []);
    for (const policy of policies) {
      const result = compilePolicy(policy);
      assert.ok('compiled' in result, `${policy.id}: ${JSON.stringify('problems' in result ? result.problems : [])}`);
    }
  });

  it('number at least 80, with unique ids matching their file names', async () => {
    assert.ok(policies.length >= 80, `only ${policies.length} built-in policies`);
    assert.equal(new Set(policies.map((policy) => policy.id)).size, policies.length);
    for (const policy of policies) assert.match(policy.origin, new RegExp(`^${policy.id}\\.yaml:`));
    const testFiles = (await readdir(join(directory, 'tests'))).map((file) => file.replace(/\.yaml$/, ''));
    assert.deepEqual(
      testFiles.filter((id) => !policies.some((policy) => policy.id === id)),
      [],
      'test files without a policy',
    );
  });

  for (const policy of policies) {
    it(`${policy.id} fires on its positive cases and stays silent on its negatives`, async () => {
      const cases = await casesFor(policy);
      assert.ok(
        cases.some((testCase) => testCase.expect > 0),
        'needs at least one positive case',
      );
      assert.ok(
        cases.some((testCase) => testCase.expect === 0),
        'needs at least one negative case',
      );
      for (const result of runPolicyCases(policy, cases, new Date('2026-01-01T00:00:00Z'), validateSchema)) {
        assert.ok(result.passed, `case "${result.name}": ${result.failure}`);
        for (const finding of result.findings) {
          assert.ok(finding.message.length > 10, `case "${result.name}": message too thin: ${finding.message}`);
          assert.equal(finding.policyId, policy.id);
        }
      }
    });
  }
});
