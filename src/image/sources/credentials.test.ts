import assert from 'node:assert/strict';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lookupCredentials } from './credentials.js';
import { parseChallenge } from './registry.js';

const configFile = async (content: unknown): Promise<string> => {
  const directory = await mkdtemp(join(tmpdir(), 'kubeward-creds-'));
  await writeFile(join(directory, 'config.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return join(directory, 'config.json');
};

const basic = (user: string, password: string): string => Buffer.from(`${user}:${password}`).toString('base64');

describe('registry credentials from Docker and containers config files', () => {
  const cases: { name: string; config: unknown; registry: string; expected: Record<string, string> | undefined }[] = [
    {
      name: 'auth under the bare host',
      config: { auths: { 'ghcr.io': { auth: basic('me', 'p:a:ss') } } },
      registry: 'ghcr.io',
      expected: { username: 'me', password: 'p:a:ss' },
    },
    {
      name: 'auth under an https URL',
      config: { auths: { 'https://registry.example:5000': { auth: basic('ci', 'x') } } },
      registry: 'registry.example:5000',
      expected: { username: 'ci', password: 'x' },
    },
    {
      name: 'Docker Hub under its legacy v1 URL',
      config: { auths: { 'https://index.docker.io/v1/': { auth: basic('hub', 'y') } } },
      registry: 'docker.io',
      expected: { username: 'hub', password: 'y' },
    },
    {
      name: 'an identity token',
      config: { auths: { 'myregistry.azurecr.io': { identitytoken: 'refresh' } } },
      registry: 'myregistry.azurecr.io',
      expected: { identityToken: 'refresh' },
    },
    {
      name: 'podman-style username and password fields',
      config: { auths: { 'quay.io': { username: 'u', password: 'v' } } },
      registry: 'quay.io',
      expected: { username: 'u', password: 'v' },
    },
    {
      name: 'auth under an https URL with a trailing slash',
      config: { auths: { 'https://ghcr.io/': { auth: basic('me', 'z') } } },
      registry: 'ghcr.io',
      expected: { username: 'me', password: 'z' },
    },
    { name: 'another registry only', config: { auths: { 'ghcr.io': { auth: basic('me', 'x') } } }, registry: 'quay.io', expected: undefined },
  ];
  for (const { name, config, registry, expected } of cases) {
    it(name, async () => {
      const path = await configFile(config);
      const found = await lookupCredentials(registry, [path]);
      if (expected === undefined) return assert.equal(found, undefined);
      assert.deepEqual(found, { ...expected, from: path });
    });
  }

  it('asks a credential helper (docker-credential-<name> get) through its stdin protocol', async () => {
    const bin = await mkdtemp(join(tmpdir(), 'kubeward-helper-'));
    // A real helper program speaking the protocol: the server URL on stdin, JSON on stdout.
    await writeFile(
      join(bin, 'docker-credential-kwtest'),
      '#!/bin/sh\nread server\n[ "$1" = get ] || exit 3\n[ "$server" = "registry.example" ] || { echo "credentials not found in native keychain"; exit 1; }\necho \'{"ServerURL":"registry.example","Username":"robot","Secret":"s3cret"}\'\n',
    );
    await chmod(join(bin, 'docker-credential-kwtest'), 0o755);
    const path = await configFile({ credHelpers: { 'registry.example': 'kwtest', 'other.example': 'kwtest' } });
    const previous = process.env.PATH;
    process.env.PATH = `${bin}:${previous ?? ''}`;
    try {
      assert.deepEqual(await lookupCredentials('registry.example', [path]), { username: 'robot', password: 's3cret', from: 'docker-credential-kwtest' });
      assert.equal(await lookupCredentials('other.example', [path]), undefined, 'the helper saying "not found" means no credentials');
    } finally {
      process.env.PATH = previous;
    }
  });

  it('names a config file that is not JSON', async () => {
    const path = await configFile('{ not json');
    await assert.rejects(lookupCredentials('ghcr.io', [path]), new RegExp(`${path} is not valid JSON`));
  });
});

describe('WWW-Authenticate challenges', () => {
  const cases: [string, ReturnType<typeof parseChallenge>][] = [
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } },
    ],
    ['Basic realm="kubeward-test"', { scheme: 'basic', params: { realm: 'kubeward-test' } }],
    ['bearer realm=https://ghcr.io/token, service=ghcr.io', { scheme: 'bearer', params: { realm: 'https://ghcr.io/token', service: 'ghcr.io' } }],
    ['Negotiate abc', undefined],
    ['', undefined],
  ];
  for (const [header, expected] of cases) it(header || '(empty)', () => assert.deepEqual(parseChallenge(header), expected));
});
