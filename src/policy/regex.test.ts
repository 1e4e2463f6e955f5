import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldCase, policyRegExp } from './regex.js';

const matches = (pattern: string, value: string): boolean => {
  const expression = policyRegExp(pattern, true);
  assert.ok(expression instanceof RegExp, String(expression));
  return expression.test(value);
};

describe('policy regular expressions', () => {
  it('match whole values ignoring case, as the i flag would', () => {
    const table: [string, string, boolean][] = [
      ['latest', 'LATEST', true],
      ['latest', 'latest-1', false],
      ['(/var)?/run/docker\\.sock', '/VAR/run/docker.sock', true],
      ['[a-z0-9-]+\\.example\\.com/.*', 'Registry.EXAMPLE.com/shop', true],
      ['[^a-z]+', 'ABC', false],
      ['[^a-z]+', '123', true],
      ['\\w+\\d', 'Ab3', true],
      ['\\W', 'a', false],
      ['\\S+', 'ABC', true],
      ['\\x41b', 'aB', false],
      ['(?:Docker|CRI-O)', 'cri-o', true],
      ['(?<name>Abc)', 'ABC', true],
      ['a{2,3}', 'AaA', true],
      ['[]a]', 'A', false],
      ['RAW=.*PASSWORD.*=.+', 'raw=db_password=x', true],
      ['(?i)unconfined', 'Unconfined', true],
      ['[A-Fa-f0-9]{4}', 'ABcd', true],
    ];
    for (const [pattern, value, expected] of table) assert.equal(matches(pattern, value), expected, `${pattern} ~ ${value}`);
  });

  it('agree with the backtracking engine and the i flag on every pattern of the built-in policies', async () => {
    const { builtInPolicyDirectory, loadPolicyPath } = await import('./files/index.js');
    const { policies } = await loadPolicyPath(builtInPolicyDirectory(), builtInPolicyDirectory());
    const samples = [
      '',
      'latest',
      'LATEST',
      '/var/run/docker.sock',
      'RuntimeDefault',
      'unconfined',
      'SYS_ADMIN',
      'hostPath',
      'docker.io',
      'quay.io/org/app',
      'kube-system',
      'RAW',
      'PASSWORD',
      'db-Secret',
      'kubernetes.io/hostname',
      '0',
      'ALL',
    ];
    let compared = 0;
    for (const policy of policies) {
      for (const section of policy.criteria) {
        for (const condition of section.conditions) {
          if (!('values' in condition)) continue;
          for (const value of condition.values) {
            const reference = (() => {
              try {
                return new RegExp(`^(?:${value})$`, 'i');
              } catch {
                return undefined;
              }
            })();
            const ours = policyRegExp(value, true);
            if (!reference || !(ours instanceof RegExp)) continue;
            for (const sample of samples) {
              assert.equal(ours.test(sample), reference.test(sample), `${policy.id}: ${value} ~ ${sample}`);
              compared++;
            }
          }
        }
      }
    }
    assert.ok(compared > 1000, `${compared}`);
  });

  it('(a+)+b against 28 characters answers at once (it took V8 17 s), and backreferences and lookarounds are refused', () => {
    const started = performance.now();
    assert.equal(matches('(a+)+b', 'a'.repeat(28)), false);
    assert.equal(matches('(.*a){12}', `${'a'.repeat(40)}!`), false);
    assert.equal(matches('(x+x+)+y', 'x'.repeat(5000)), false);
    assert.ok(performance.now() - started < 1000, `${Math.round(performance.now() - started)} ms`);
    assert.match(String(policyRegExp('(a)\\1', true)), /cannot run in linear time \(a backreference or lookaround, which RE2 lacks too\)/);
    assert.match(String(policyRegExp('(?<=a)b', true)), /cannot run in linear time/);
    assert.match(String(policyRegExp('(unclosed', true)), /Unterminated group/);
  });

  it('case folding leaves syntax alone', () => {
    assert.equal(foldCase('^(?:ab)$'), '^(?:[aA][bB])$');
    assert.equal(foldCase('\\d\\p{L}[a-c]x{2}'), '\\d\\p{L}[a-cA-C][xX]{2}');
    assert.equal(foldCase('(?<tag>v)'), '(?<tag>[vV])');
  });
});
