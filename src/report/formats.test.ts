import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { repoPath } from '../../test/support/repo.js';
import { scanForTest } from '../../test/support/scan.js';
import { RENDERERS, renderToString } from './index.js';

const require = createRequire(import.meta.url);

describe('output formats', async () => {
  // The demo application plus a broken file: findings, suppressions and input problems together.
  const report = await scanForTest(['examples', 'test/fixtures/bad']);

  it('the scan has findings and an input problem to render', () => {
    assert.ok(report.findings.length > 20);
    assert.equal(report.problems.length, 1);
  });

  it('json validates against the published scan report schema', async () => {
    const schema: unknown = JSON.parse(await readFile(repoPath('docs/schemas/scan-report.schema.json'), 'utf8'));
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(schema as object);
    const document: unknown = JSON.parse(renderToString(RENDERERS.json, report, { color: false }));
    assert.ok(validate(document), JSON.stringify(validate.errors, null, 2));
  });

  it('sarif validates against the SARIF 2.1.0 JSON schema and carries rules, regions and notifications', async () => {
    const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
    const schema: unknown = JSON.parse(await readFile(schemaPath, 'utf8'));
    // The official schema has a pattern that is only valid without the u flag.
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema as object);
    const log = JSON.parse(renderToString(RENDERERS.sarif, report, { color: false })) as {
      runs: {
        tool: { driver: { rules: { id: string; help: { text: string } }[] } };
        results: { ruleId: string; ruleIndex: number; locations: { physicalLocation: { region: { startLine: number } } }[] }[];
        invocations: { toolExecutionNotifications: unknown[] }[];
      }[];
    };
    assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    const [run] = log.runs;
    assert.ok(run);
    assert.equal(run.tool.driver.rules.length, report.policies.length);
    for (const result of run.results) {
      assert.equal(run.tool.driver.rules[result.ruleIndex]?.id, result.ruleId);
      assert.ok((result.locations[0]?.physicalLocation.region.startLine ?? 0) >= 1);
    }
    assert.ok(run.tool.driver.rules.every((rule) => rule.help.text.includes('Remediation:')));
    assert.equal(run.invocations[0]?.toolExecutionNotifications.length, 1);
  });

  it('junit is well-formed XML with a suite per policy and a failure per finding', () => {
    const xml = renderToString(RENDERERS.junit, report, { color: false });
    assert.equal(XMLValidator.validate(xml), true);
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(xml) as {
      testsuites: { '@_failures': string; '@_errors': string; testsuite: { testcase: { failure?: unknown }[] }[] };
    };
    assert.equal(Number(parsed.testsuites['@_failures']), report.findings.length);
    assert.equal(Number(parsed.testsuites['@_errors']), 1);
    assert.equal(parsed.testsuites.testsuite.length, report.policies.length + 1);
  });

  it('github annotations escape properties and data', () => {
    const text = renderToString(RENDERERS.github, report, { color: false });
    const lines = text.trim().split('\n');
    assert.equal(lines.filter((line) => line.startsWith('::')).length, report.findings.length + report.problems.length);
    assert.match(text, /^::error file=examples\/shop\/legacy-admin\.yaml,line=\d+,col=\d+,title=HIGH privileged-container%3A Privileged container::/m);
    for (const line of lines.filter((entry) => entry.startsWith('::'))) assert.ok(!line.slice(2).includes('\n'));
  });

  it('json comes out in pieces that join to exactly JSON.stringify', () => {
    assert.equal(renderToString(RENDERERS.json, report, { color: false }), `${JSON.stringify(report, null, 2)}\n`);
  });

  it('table is plain without colour and coloured with it, and ends with the summary', () => {
    const plain = renderToString(RENDERERS.table, report, { color: false });
    assert.ok(!plain.includes('\x1b['));
    assert.match(plain, /^\d+ findings \(/m);
    assert.ok(renderToString(RENDERERS.table, report, { color: true }).includes('\x1b[31mHIGH'));
  });
});

describe('huge reports', async () => {
  const report = await scanForTest(['examples']);
  it('every format renders 200,000 findings (Math.max over them once overflowed the stack)', () => {
    const finding = report.findings[0];
    assert.ok(finding);
    const findings = Array.from({ length: 200_000 }, (_, index) => ({ ...finding, object: { ...finding.object, name: `pod-${index}` } }));
    for (const [name, renderer] of Object.entries(RENDERERS)) {
      const text = renderToString(renderer, { ...report, findings }, { color: false });
      assert.ok(text.length > 200_000, name);
    }
  });
});
