import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../model/index.js';
import { diffFindings, findingState } from './finding-diff.js';

const finding = (name: string, message: string, suppressed = false): Finding =>
  ({
    policyId: 'privileged-container',
    policyName: 'Privileged container',
    severity: 'HIGH',
    categories: [],
    object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name },
    container: 'web',
    message,
    remediation: '',
    path: 'spec.template.spec.containers[0].securityContext.privileged',
    source: { file: 'cluster', documentIndex: 0, line: 1, column: 1 },
    location: { file: 'cluster', line: 1, column: 1 },
    enforcedAt: [],
    ...(suppressed ? { suppressed: { by: 'config' as const } } : {}),
  }) as Finding;

describe('diffFindings', () => {
  it('names what appeared and what was resolved; a changed message is both; suppressed findings count as absent', () => {
    const before = findingState([finding('web', "container 'web' is privileged"), finding('api', "container 'web' is privileged"), finding('batch', 'x')]);
    const after = findingState([
      finding('web', "container 'web' is privileged"),
      finding('api', "container 'web' is privileged (and more)"),
      finding('batch', 'x', true),
      finding('new', 'y'),
    ]);
    const { appeared, resolved } = diffFindings(before, after);
    assert.deepEqual(
      appeared.map((entry) => `${entry.object.name}: ${entry.message}`),
      ["api: container 'web' is privileged (and more)", 'new: y'],
    );
    assert.deepEqual(
      resolved.map((entry) => `${entry.object.name}: ${entry.message}`),
      ["api: container 'web' is privileged", 'batch: x'],
    );
  });
});
