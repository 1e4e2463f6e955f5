import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { temporaryDirectory } from '../../../test/support/repo.js';
import { parseCases } from '../cases.js';
import { loadPolicyPath } from './read.js';

const POLICY = (severity: string, field: string): string =>
  [
    'apiVersion: kubeward.io/v1',
    'kind: Policy',
    'metadata: {name: bad-one}',
    'spec:',
    '  name: Bad',
    '  description: d',
    '  rationale: r',
    '  remediation: x',
    `  severity: ${severity}`,
    '  lifecycleStages: [DEPLOY]',
    '  criteria:',
    '    - conditions:',
    `        - field: ${field}`,
    '          values: [true]',
    '',
  ].join('\n');

describe('loadPolicyPath', () => {
  it('names the line of the field at fault, for shape errors and for unknown criteria fields', async () => {
    const directory = await temporaryDirectory();
    await writeFile(join(directory, 'severity.yaml'), POLICY('HUGE', 'Privileged Container'));
    await writeFile(join(directory, 'field.yaml'), `---\n${POLICY('HIGH', 'Privileged Containr')}`);
    await writeFile(join(directory, 'good.yaml'), POLICY('HIGH', 'Privileged Container').replace('bad-one', 'good-one'));
    const { policies, problems } = await loadPolicyPath(directory, directory);
    assert.deepEqual(
      policies.map((policy) => policy.id),
      ['good-one'],
    );
    assert.deepEqual(
      problems.map((problem) => `${problem.origin} ${problem.path}`),
      ['field.yaml:14 spec.criteria[0].conditions[0].field', 'severity.yaml:9 spec.severity'],
    );
    assert.match(problems[0]?.message ?? '', /did you mean "Privileged Container"/);
  });
});

describe('parseCases', () => {
  it('refuses unknown keys and cases with nothing to judge, naming the case', () => {
    const cases: readonly [unknown, string | number][] = [
      [[{ name: 'ok', expect: 0, pod: { containers: [] } }], 1],
      [[{ name: 'ok', expect: 1, objects: [{ kind: 'Namespace' }] }], 1],
      [{ name: 'not a list' }, 'a case file is a list of cases'],
      [[{ name: 'typo', expect: 0, manifest: { kind: 'Pod' } }], 'case 1 (typo): unknown key "manifest"'],
      [[{ name: 'empty', expect: 0 }], 'case 1 (empty): a case needs `pod` or `objects` to judge'],
      [
        [
          { name: 'ok', expect: 0, pod: {} },
          { expect: 'one', pod: {} },
        ],
        'case 2: name: Invalid input: expected string, received undefined',
      ],
    ];
    for (const [input, expected] of cases) {
      const parsed = parseCases(input);
      assert.deepEqual(typeof parsed === 'string' ? parsed : parsed.length, expected);
    }
  });
});
