import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanForTest } from '../../test/support/scan.js';
import { applyIgnoreRules, type IgnoreRule } from './ignore-rules.js';

describe('applyIgnoreRules', async () => {
  const report = await scanForTest(['examples']);
  const now = new Date('2026-11-28T00:00:00Z');
  const suppressedBy = (rules: readonly IgnoreRule[]): string[] =>
    applyIgnoreRules(report.findings, rules, now)
      .findings.filter((finding) => finding.suppressed)
      .map((finding) => `${finding.policyId} ${finding.object.kind}/${finding.object.namespace ?? ''}/${finding.object.name}`)
      .sort();

  const cases: readonly { name: string; rules: IgnoreRule[]; expect: (suppressed: string[]) => boolean }[] = [
    { name: 'no rules suppress nothing', rules: [], expect: (suppressed) => suppressed.length === 0 },
    {
      name: 'a policy in one namespace',
      rules: [{ policy: 'privileged-container', namespace: 'shop' }],
      expect: (suppressed) => suppressed.length > 0 && suppressed.every((entry) => entry.startsWith('privileged-container ') && entry.includes('/shop/')),
    },
    {
      name: 'every policy for files under a glob',
      rules: [{ policy: '*', file: 'examples/ops/**' }],
      expect: (suppressed) => suppressed.length === report.findings.filter((finding) => finding.location.file.startsWith('examples/ops/')).length,
    },
    {
      name: 'kind and name wildcards must all hold',
      rules: [{ policy: '*', kind: 'Deployment', name: 'legacy-*' }],
      expect: (suppressed) => suppressed.length > 0 && suppressed.every((entry) => / Deployment\/[^/]+\/legacy-/.test(entry)),
    },
    { name: 'an expired rule suppresses nothing', rules: [{ policy: '*', expires: '2026-01-01' }], expect: (suppressed) => suppressed.length === 0 },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => assert.ok(testCase.expect(suppressedBy(testCase.rules)), suppressedBy(testCase.rules).join('\n')));
  }

  it('reports lapsed rules and keeps the reason on what it suppresses', () => {
    const result = applyIgnoreRules(
      report.findings,
      [
        { policy: 'host-*', reason: 'node agent' },
        { policy: '*', expires: '2026-06-30' },
      ],
      now,
    );
    assert.deepEqual(result.lapsed, [{ index: 1, rule: { policy: '*', expires: '2026-06-30' } }]);
    const hostFinding = result.findings.find((finding) => finding.policyId.startsWith('host-'));
    assert.deepEqual(hostFinding?.suppressed, { by: 'config', reason: 'node agent' });
    assert.equal(result.findings.length, report.findings.length);
  });
});
