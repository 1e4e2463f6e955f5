import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { valueExcerpt } from './helpers.js';

describe('valueExcerpt', () => {
  it('keeps short values, shortens long or multi-line ones and never echoes whole objects', () => {
    const lastApplied = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { template: { spec: { containers: [{ env: [{ name: 'DB_PASSWORD', value: 'hunter2' }] }] } } },
    });
    const table: readonly [string, string, string][] = [
      ['team', 'payments', 'payments'],
      ['description', 'x'.repeat(80), `${'x'.repeat(60)}… (80 characters)`],
      ['notes', 'line one\nline two', 'line one line two… (17 characters)'],
      ['kubectl.kubernetes.io/last-applied-configuration', lastApplied, `(${lastApplied.length} characters)`],
    ];
    for (const [key, value, expected] of table) assert.equal(valueExcerpt(key, value), expected);
  });
});
