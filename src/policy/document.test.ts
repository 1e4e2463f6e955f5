import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtInPolicyDirectory, loadPolicyPath } from './files/index.js';
import { policyDocument } from './document.js';
import { parsePolicyDocument } from './schema.js';

describe('policyDocument', () => {
  it('states every built-in policy as a document that parses back to the same policy', async () => {
    const { policies, problems } = await loadPolicyPath(builtInPolicyDirectory(), process.cwd());
    assert.deepEqual(problems, []);
    assert.ok(policies.length > 50);
    for (const policy of policies) {
      const parsed = parsePolicyDocument(JSON.parse(JSON.stringify(policyDocument(policy))), policy.origin);
      assert.ok('policy' in parsed, `${policy.id}: ${JSON.stringify(parsed)}`);
      assert.deepEqual(parsed.policy, policy, policy.id);
    }
  });
});
