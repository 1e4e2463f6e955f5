import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locatePath } from './locator.js';
import { parseYamlStream, type ParsedDocument } from './yaml.js';

const at = (document: ParsedDocument, path: string) => locatePath(document.text, document.startLine - 1, path);

describe('parseYamlStream', () => {
  it('splits a stream at --- and ..., skipping comment-only documents', () => {
    const text = ['# header comment', '---', 'a: 1', '---', '# only a comment', '---', 'b: 2', '...', 'c: 3', ''].join('\n');
    const documents = parseYamlStream(text);
    assert.deepEqual(
      documents.map((document) => ({ index: document.index, startLine: document.startLine, value: document.value })),
      [
        { index: 0, startLine: 2, value: { a: 1 } },
        { index: 1, startLine: 6, value: { b: 2 } },
        { index: 2, startLine: 9, value: { c: 3 } },
      ],
    );
  });

  it('keeps parsing after a broken document and reports where it broke', () => {
    const text = ['kind: A', '---', 'kind: B', 'metadata:', '  name: [unterminated', '---', 'kind: C', ''].join('\n');
    const documents = parseYamlStream(text);
    assert.equal(documents.length, 3);
    assert.deepEqual(documents[0]?.value, { kind: 'A' });
    assert.equal(documents[1]?.error?.code, 'syntax');
    assert.ok((documents[1]?.error?.line ?? 0) >= 3 && (documents[1]?.error?.line ?? 0) <= 6, `line ${documents[1]?.error?.line}`);
    assert.deepEqual(documents[2]?.value, { kind: 'C' });
  });

  it('reports the line and column of a bad indentation', () => {
    const text = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: web', ' namespace: x', ''].join('\n');
    const [document] = parseYamlStream(text);
    assert.equal(document?.error?.code, 'syntax');
    assert.equal(document?.error?.line, 5);
  });

  it('records the line and column of every key and item', () => {
    const text = [
      '---',
      '# Source: shop/templates/web.yaml',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: app',
      '          securityContext: {privileged: true}',
      '        -   name: sidecar',
      '            ports: [{containerPort: 80}, {containerPort: 22}]',
      '',
    ].join('\n');
    const [document] = parseYamlStream(text);
    assert.deepEqual(document?.helmSource, { path: 'shop/templates/web.yaml', line: 2 });
    assert.ok(document);

    const cases: [string, number, number][] = [
      ['', 3, 1],
      ['kind', 4, 1],
      ['spec.template.spec.containers[0]', 9, 11],
      ['spec.template.spec.containers[0].securityContext.privileged', 10, 29],
      ['spec.template.spec.containers[1].ports[1].containerPort', 12, 43],
      // A missing field resolves to the deepest part of the path that exists.
      ['spec.template.spec.containers[1].resources.limits', 11, 13],
    ];
    for (const [path, line, column] of cases) assert.deepEqual(at(document, path), { line, column }, path);
  });

  it('tells keys from equal values when matching positions', () => {
    const [document] = parseYamlStream(['name: image', 'image: nginx', 'empty:', 'last: 1', ''].join('\n'));
    assert.ok(document);
    assert.deepEqual(at(document, 'image'), { line: 2, column: 1 });
    assert.deepEqual(at(document, 'last'), { line: 4, column: 1 });
  });

  it('refuses a billion-laughs alias bomb but accepts ordinary anchors and merge keys', () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const level of 'bcdefghi') {
      const previous = String.fromCharCode(level.charCodeAt(0) - 1);
      bomb.push(`${level}: &${level} [*${previous},*${previous},*${previous},*${previous},*${previous},*${previous},*${previous},*${previous},*${previous}]`);
    }
    const [refused] = parseYamlStream(`${bomb.join('\n')}\n`);
    assert.equal(refused?.error?.code, 'alias-bomb');
    const [ordinary] = parseYamlStream(['defaults: &defaults {cpu: 100m, memory: 64Mi}', 'requests:', '  <<: *defaults', '  cpu: 200m', ''].join('\n'));
    assert.deepEqual(ordinary?.value, { defaults: { cpu: '100m', memory: '64Mi' }, requests: { cpu: '200m', memory: '64Mi' } });
  });

  it('refuses one large scalar aliased many times (few nodes, a report a thousand times the document)', () => {
    const big = 'x'.repeat(16_384);
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, annotations: {a: &big "${big}"}}\ndata:\n${Array.from({ length: 60_000 }, (_, index) => `  k${index}: *big`).join('\n')}\n`;
    assert.ok(text.length < 2_000_000, `${text.length} characters`);
    const started = performance.now();
    const [refused] = parseYamlStream(text);
    assert.equal(refused?.error?.code, 'alias-bomb');
    assert.match(
      refused?.error?.message ?? '',
      /would expand this \d+-character document by more than 16777216 characters \(a large value aliased many times\)/,
    );
    assert.ok(performance.now() - started < 5000);
    // The same scalar aliased a few times is fine.
    const [ordinary] = parseYamlStream(`a: &big "${big}"\nb: *big\nc: *big\n`);
    assert.equal(ordinary?.error, undefined);
  });

  it('refuses mapping keys longer than 16,384 characters before parsing (they make the parse quadratic), not long values', () => {
    const keys = Array.from({ length: 2000 }, (_, index) => `  ${'k'.repeat(20_000)}${index}: v`);
    const started = performance.now();
    const [refused] = parseYamlStream(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n${keys.join('\n')}\n`);
    assert.ok(performance.now() - started < 1000, `${Math.round(performance.now() - started)} ms`);
    assert.deepEqual([refused?.error?.code, refused?.error?.line], ['too-large', 5]);
    assert.match(refused?.error?.message ?? '', /a mapping key of 20001 characters \(Kubernetes keys are at most 317\)/);
    const [json] = parseYamlStream(`{"kind": "ConfigMap", "data": {"${'q'.repeat(20_000)}": "v"}}`);
    assert.equal(json?.error?.code, 'too-large');
    const [secret] = parseYamlStream(`apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  tls.crt: ${'QUFB'.repeat(50_000)}\n  note: "a: b"\n`);
    assert.equal(secret?.error, undefined);
    const [quoted] = parseYamlStream(`{"kind": "Secret", "data": {"tls.crt": "${'QUFB'.repeat(50_000)}"}}`);
    assert.equal(quoted?.error, undefined);
  });

  it('refuses documents over the size limit and nesting too deep to parse', () => {
    const [large] = parseYamlStream(`data: ${'x'.repeat(2000)}\n`, {
      maxDocumentBytes: 1000,
      maxAliasExpansion: 10,
      maxAliasExpansionBytes: 1000,
      maxDepth: 50,
    });
    assert.equal(large?.error?.code, 'too-large');
    const [deep] = parseYamlStream(`${'['.repeat(500)}${']'.repeat(500)}\n`);
    assert.equal(deep?.error?.code, 'too-deep');
  });

  it('reads JSON, a byte-order mark, CRLF line ends and a scalar on the marker line', () => {
    assert.deepEqual(parseYamlStream('{"kind": "List", "items": []}')[0]?.value, { kind: 'List', items: [] });
    assert.deepEqual(parseYamlStream('\uFEFFkind: Pod\r\nmetadata:\r\n  name: x\r\n')[0]?.value, { kind: 'Pod', metadata: { name: 'x' } });
    assert.deepEqual(parseYamlStream('--- |\n  text\n')[0]?.value, 'text\n');
  });
});
