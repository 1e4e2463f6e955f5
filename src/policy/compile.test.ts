import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicy } from './compile.js';
import { parsePolicyDocument } from './schema.js';

const document = (spec: Record<string, unknown>, name = 'p') => ({
  apiVersion: 'kubeward.io/v1',
  kind: 'Policy',
  metadata: { name },
  spec: {
    name: 'P',
    description: 'd',
    rationale: 'r',
    remediation: 'f',
    severity: 'LOW',
    lifecycleStages: ['DEPLOY'],
    criteria: [{ conditions: [{ field: 'Host PID', values: [true] }] }],
    ...spec,
  },
});

const allProblems = (value: unknown) => {
  const parsed = parsePolicyDocument(value, 'p.yaml');
  if ('problems' in parsed) return parsed.problems;
  const compiled = compilePolicy(parsed.policy);
  return 'problems' in compiled ? compiled.problems : [];
};
const problemsOf = (value: unknown) => allProblems(value).map((problem) => `${problem.path}: ${problem.code}`);
const messagesOf = (value: unknown) => allProblems(value).map((problem) => problem.message);

describe('policy validation', () => {
  it('accepts a complete policy', () => assert.deepEqual(problemsOf(document({})), []));

  it('reports shape errors as data with their paths', () => {
    assert.deepEqual(problemsOf(document({ severity: 'URGENT', lifecycleStages: [] })), ['spec.severity: invalid_value', 'spec.lifecycleStages: too_small']);
    assert.deepEqual(problemsOf(document({}, 'Not_A_DNS_Label')), ['metadata.name: invalid_format']);
    assert.deepEqual(problemsOf({ ...document({}), kind: 'ClusterPolicy' }), ['kind: invalid_value']);
    assert.deepEqual(problemsOf(document({ criteria: [{ conditions: [{ field: 'Host PID', values: [true], typo: 1 }] }] })), [
      'spec.criteria[0].conditions[0]: unrecognized_keys',
    ]);
  });

  it('rejects unknown fields with a suggestion, bad values, bad regexes and bad CEL', () => {
    assert.deepEqual(
      problemsOf(
        document({
          criteria: [
            {
              conditions: [
                { field: 'Privileged Containr', values: [true] },
                { field: 'Replicas', values: ['about three'] },
                { field: 'Image Tag', values: ['(unclosed'] },
                { cel: 'object.spec.replicas >' },
                { field: 'Environment Variable', values: ['PLAIN=NAME=VALUE'] },
              ],
            },
          ],
        }),
      ),
      [
        'spec.criteria[0].conditions[0].field: unknown_field',
        'spec.criteria[0].conditions[1].values[0]: invalid_value',
        'spec.criteria[0].conditions[2].values[0]: invalid_value',
        'spec.criteria[0].conditions[3].cel: invalid_cel',
        'spec.criteria[0].conditions[4].values[0]: invalid_value',
      ],
    );
    assert.match(
      messagesOf(document({ criteria: [{ conditions: [{ field: 'Privileged Containr', values: [true] }] }] }))[0] ?? '',
      /did you mean "Privileged Container"/,
    );
  });

  it('knows which fields belong to which target', () => {
    assert.match(
      messagesOf(document({ target: 'Service', criteria: [{ conditions: [{ field: 'Host PID', values: [true] }] }] }))[0] ?? '',
      /unknown field "Host PID" for target Service/,
    );
    assert.deepEqual(problemsOf(document({ target: 'Service', criteria: [{ conditions: [{ field: 'Namespace', values: ['shop'] }] }] })), []);
    assert.match(messagesOf(document({ kinds: ['Service'] }))[0] ?? '', /not a workload kind/);
  });
});
