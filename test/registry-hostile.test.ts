import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { kubeward } from './support/cli.js';
import { tarOf, writeOciLayout } from './support/oci.js';
import { temporaryDirectory } from './support/repo.js';

const servers: Server[] = [];
const serve = async (handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<number> => {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

const credentials = { KUBEWARD_REGISTRY_USERNAME: 'alice', KUBEWARD_REGISTRY_PASSWORD: 's3cret-password', DOCKER_CONFIG: '/nonexistent' };
const scan = (reference: string, extra: readonly string[] = []) =>
  kubeward(['image', 'scan', reference, '--insecure-registry', '--no-vulnerabilities', '--quiet', ...extra], { env: credentials });

describe('registries that misbehave', () => {
  after(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

  it('sends no credentials to a host the registry redirected to, even when that host asks', async () => {
    const seen: string[] = [];
    const other = await serve((request, response) => {
      if (request.headers.authorization) seen.push(request.headers.authorization);
      response
        .writeHead(401, { 'www-authenticate': `Bearer realm="http://localhost:${(request.socket.address() as AddressInfo).port}/token",service="x"` })
        .end();
    });
    const registry = await serve((request, response) => response.writeHead(307, { location: `http://localhost:${other}${request.url ?? '/'}` }).end());
    const result = await scan(`127.0.0.1:${registry}/team/app:1`);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`localhost:${other}, where it redirected, asks for authentication; credentials not sent`));
    assert.deepEqual(seen, []);
    assert.ok(!result.stderr.includes('s3cret-password'));
  });

  it('refuses token realms and redirects that are no http(s) URLs, with exit 2 and no stack trace', async () => {
    const cases: [string, (response: ServerResponse) => void, RegExp][] = [
      [
        'file realm',
        (response) => response.writeHead(401, { 'www-authenticate': 'Bearer realm="file:///etc/passwd",service="x"' }).end(),
        /token realm "file:\/\/\/etc\/passwd" is not an http or https URL; refused/,
      ],
      [
        'garbage realm',
        (response) => response.writeHead(401, { 'www-authenticate': 'Bearer realm="not a url"' }).end(),
        /token realm "not a url" is not a URL/,
      ],
      [
        'ftp redirect',
        (response) => response.writeHead(302, { location: 'ftp://127.0.0.1/blob' }).end(),
        /redirected to "ftp:\/\/127\.0\.0\.1\/blob" is not an http or https URL; refused/,
      ],
    ];
    for (const [name, answer, message] of cases) {
      const port = await serve((_request, response) => answer(response));
      const result = await scan(`127.0.0.1:${port}/team/app:1`);
      assert.equal(result.code, 2, `${name}: ${result.stderr}`);
      assert.match(result.stderr, message, name);
      assert.doesNotMatch(result.stderr, /internal error|\n\s+at /, name);
    }
  });

  it("shows the registry's own reason for a refusal, and does not hang on an endless error body", async () => {
    const denied = await serve((_request, response) =>
      response
        .writeHead(403, { 'content-type': 'application/json' })
        .end('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}'),
    );
    const result = await scan(`127.0.0.1:${denied}/team/app:1`);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /access denied by 127\.0\.0\.1:\d+ \(DENIED: requested access to the resource is denied\)/);
    const endless = await serve((_request, response) => {
      response.writeHead(500);
      const timer = setInterval(() => response.write(Buffer.alloc(16 * 1024, 0x41)), 5);
      response.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const stuck = await scan(`127.0.0.1:${endless}/team/app:1`);
    assert.equal(stuck.code, 2);
    assert.match(stuck.stderr, /answered HTTP 500/);
    assert.ok(Date.now() - started < 15_000, 'the process ended without waiting for the body');
  });
});

describe('caches and archives that cannot be trusted', () => {
  it('a cache that cannot be written is a warning, not a failed scan', async () => {
    const layout = await temporaryDirectory();
    await writeOciLayout(layout, [
      {
        data: gzipSync(await tarOf([{ name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' }])),
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      },
    ]);
    const file = join(await temporaryDirectory(), 'a-file');
    await writeFile(file, 'not a directory');
    const result = await kubeward(['image', 'scan', layout, '--no-vulnerabilities', '--cache-dir', join(file, 'cache')], { env: { KUBEWARD_NO_CACHE: '' } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning: the scan could not be cached \((ENOTDIR|EEXIST)\); use --cache-dir or --no-cache/);
  });

  it('a docker save archive whose layer is not the one the config names (diff_ids) fails the scan', async () => {
    const real = await tarOf([{ name: 'lib/apk/db/installed', content: 'C:Q1a\nP:openssl\nV:1.1.1d-r2\n\n' }]);
    const fake = await tarOf([{ name: 'etc/motd', content: 'nothing to see\n' }]);
    const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [`sha256:${sha(real)}`] } }));
    // The Docker 25 layout: blobs named by their own digest, which the fake layer satisfies.
    const archive = await tarOf([
      {
        name: 'manifest.json',
        content: JSON.stringify([{ Config: `blobs/sha256/${sha(config)}`, RepoTags: ['shop/app:1'], Layers: [`blobs/sha256/${sha(fake)}`] }]),
      },
      { name: `blobs/sha256/${sha(config)}`, content: config },
      { name: `blobs/sha256/${sha(fake)}`, content: fake },
    ]);
    const path = join(await temporaryDirectory(), 'swapped.tar');
    await writeFile(path, archive);
    const result = await kubeward(['image', 'scan', path, '--no-vulnerabilities', '--quiet']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /layer 1 uncompressed \(the config's diff_id\): content digest sha256:[a-f0-9]{64} does not match sha256:/);
  });
});
