import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicyDocument } from './schema.js';
import { selectPolicies } from './select.js';
import type { Policy } from './types.js';

const make = (id: string, disabled = false, origin = 'built-in'): Policy => {
  const parsed = parsePolicyDocument(
    {
      apiVersion: 'kubeward.io/v1',
      kind: 'Policy',
      metadata: { name: id },
      spec: {
        name: id,
        description: 'd',
        rationale: 'r',
        remediation: 'f',
        severity: 'LOW',
        lifecycleStages: ['DEPLOY'],
        disabled,
        criteria: [{ conditions: [{ field: 'Host PID', values: [true] }] }],
      },
    },
    origin,
  );
  assert.ok('policy' in parsed);
  return parsed.policy;
};

const builtIn = [make('host-pid'), make('host-ipc'), make('pss-restricted-a', true), make('pss-restricted-b', true)];
const none = { enable: [], disable: [], only: [] };
const activeIds = (selection: Parameters<typeof selectPolicies>[2], user: Policy[] = []) =>
  selectPolicies(builtIn, user, selection, 'config').active.map((compiled) => compiled.policy.id);

describe('selectPolicies', () => {
  it('runs the policies enabled by default', () => assert.deepEqual(activeIds(none), ['host-pid', 'host-ipc']));
  it('enables and disables by id and glob; disabling wins', () => {
    assert.deepEqual(activeIds({ ...none, enable: ['pss-restricted-*'], disable: ['host-ipc', 'pss-restricted-b'] }), ['host-pid', 'pss-restricted-a']);
  });
  it('runs only the listed policies, whatever their default', () => assert.deepEqual(activeIds({ ...none, only: ['pss-restricted-b'] }), ['pss-restricted-b']));
  it('lets a user policy replace the built-in one with the same id', () => {
    const selected = selectPolicies(builtIn, [make('host-pid', false, 'mine.yaml')], none, 'config');
    assert.deepEqual(selected.overridden, ['host-pid']);
    assert.equal(selected.active[0]?.policy.origin, 'mine.yaml');
  });
  it('treats an unknown id as a problem, not as nothing', () => {
    const selected = selectPolicies(builtIn, [], { ...none, disable: ['host-pdi'] }, '.kubeward.yaml');
    assert.deepEqual(
      selected.problems.map((problem) => `${problem.origin} ${problem.path} ${problem.code}`),
      ['.kubeward.yaml policies.disable[0] unknown_policy'],
    );
  });
});
