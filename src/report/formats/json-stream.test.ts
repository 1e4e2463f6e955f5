import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LazyArray, prettyJson } from './json-stream.js';

const finding = (index: number) => ({
  policyId: `policy-${index % 7}`,
  severity: index % 3 === 0 ? 'HIGH' : 'LOW',
  object: { kind: 'Deployment', namespace: 'shop', name: `app-${index}` },
  message: `container 'c${index}' runs "image:${index}" \u2014 not pinned\n(tab\there)`,
  location: { file: `apps/app-${index}.yaml`, line: index + 1, column: 3 },
  enforcedAt: index % 5 === 0 ? ['DEPLOY'] : [],
  container: index % 2 ? undefined : `c${index}`,
  empty: {},
  nothing: null,
});

describe('prettyJson', () => {
  it('writes exactly what JSON.stringify(value, null, 2) writes, at every depth and batch boundary', () => {
    // 1,000 findings cross several native batches; a nested large array forces element-wise
    // writing in the middle of a run; undefined elements become null as JSON.stringify makes them.
    const findings: unknown[] = Array.from({ length: 1000 }, (_, index) => finding(index));
    findings.splice(
      500,
      0,
      { nested: Array.from({ length: 40 }, (_, index) => ({ index, deeper: [finding(index)] })) },
      undefined,
      7,
      'text',
      [],
      [1, [2, [3]]],
    );
    const report = {
      schemaVersion: '1.0',
      summary: { findings: findings.length },
      findings,
      wrapped: { inner: { findings: findings.slice(0, 300) } },
      problems: [],
    };
    assert.equal([...prettyJson(report)].join(''), JSON.stringify(report, null, 2));
    assert.equal([...prettyJson(findings)].join(''), JSON.stringify(findings, null, 2));
  });

  it('writes lazy arrays as the arrays they stand for', () => {
    const items = Array.from({ length: 100 }, (_, index) => finding(index));
    const lazy = { results: new LazyArray(items.length, () => items) };
    assert.equal([...prettyJson(lazy)].join(''), JSON.stringify({ results: items }, null, 2));
  });
});
