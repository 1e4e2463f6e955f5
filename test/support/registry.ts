import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createSign, randomUUID, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { temporaryDirectory } from './repo.js';

export const hasRegistry = ((): boolean => {
  try {
    for (const tool of ['docker-registry', 'openssl', 'skopeo']) execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

/**
 * Whether docker-registry itself answers on the port: its /v2/ answers carry the
 * Docker-Distribution-Api-Version header. A bare TCP probe is not enough: a port picked free can
 * be taken by another listener (the token server asks for any free port) before the registry binds.
 */
const registryAnswers = (port: number, secure: boolean): Promise<boolean> =>
  new Promise((resolve) => {
    const request = (secure ? httpsRequest : httpRequest)(
      { host: '127.0.0.1', port, path: '/v2/', method: 'GET', timeout: 2000, ...(secure ? { rejectUnauthorized: false } : {}) },
      (response) => {
        response.resume();
        resolve(response.headers['docker-distribution-api-version'] !== undefined);
      },
    );
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
    request.end();
  });

/** A self-signed certificate for 127.0.0.1 (serving, and signing tokens), made with openssl. */
const certificate = async (directory: string, name: string): Promise<{ cert: string; key: string }> => {
  const cert = join(directory, `${name}.crt`);
  const key = join(directory, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
};

export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** PEM file of the CA that signed the registry's certificate (HTTPS registries). */
  readonly ca?: string;
  /** A directory with `ca.crt`, for skopeo's `--dest-cert-dir`. */
  readonly certDir?: string;
  readonly username: string;
  readonly password: string;
  /** The registry's storage directory. */
  readonly dataDir: string;
  /** Token requests the token server answered, for assertions (never the secrets). */
  readonly tokenRequests: { readonly user?: string; readonly scope?: string; readonly granted: boolean }[];
  /** Copies an image into the registry with skopeo (asynchronously: the token server runs in this process). */
  push(source: string, repository: string, extra?: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

interface Options {
  /** `htpasswd`: basic auth over HTTPS. `token`: plain HTTP with a bearer-token server (Docker's token spec). */
  readonly auth: 'htpasswd' | 'token';
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
 * Debian's docker-registry (distribution 2.8) on 127.0.0.1 with our own config: basic auth from an
 * htpasswd file over HTTPS with a certificate made here, or bearer tokens from a token server this
 * function runs, signed with a key the registry trusts through `rootcertbundle` (x5c header).
 */
export const startRegistry = async (options: Options): Promise<TestRegistry> => {
  const directory = await temporaryDirectory();
  const username = 'kubeward';
  const password = randomUUID();
  // The token server takes any free port: the registry's is settled after it (see below).
  let port = await freePort();
  const tokenRequests: { user?: string; scope?: string; granted: boolean }[] = [];
  let tokenServer: Server | undefined;
  const config: string[] = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(directory, 'data')}`,
    'http:',
    '  addr: (set below)',
  ];
  let ca: string | undefined;
  let certDir: string | undefined;
  if (options.auth === 'htpasswd') {
    const serving = await certificate(directory, 'registry');
    ca = serving.cert;
    certDir = join(directory, 'certs');
    await mkdir(certDir);
    await writeFile(join(certDir, 'ca.crt'), await readFile(serving.cert));
    await writeFile(join(directory, 'htpasswd'), `${username}:${bcrypt.hashSync(password, 10)}\n`);
    config.push(
      '  tls:',
      `    certificate: ${serving.cert}`,
      `    key: ${serving.key}`,
      'auth:',
      '  htpasswd:',
      '    realm: kubeward-test',
      `    path: ${join(directory, 'htpasswd')}`,
    );
  } else {
    const signing = await certificate(directory, 'token-signer');
    const key = await readFile(signing.key, 'utf8');
    const der = new X509Certificate(await readFile(signing.cert)).raw;
    tokenServer = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const header = request.headers.authorization ?? '';
      const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : undefined;
      const user = decoded?.slice(0, decoded.indexOf(':'));
      const authenticated = decoded === `${username}:${password}`;
      const scope = url.searchParams.get('scope') ?? undefined;
      tokenRequests.push({ ...(user ? { user } : {}), ...(scope ? { scope } : {}), granted: authenticated });
      if (decoded !== undefined && !authenticated) {
        response.writeHead(401).end('{"details":"bad credentials"}');
        return;
      }
      // Anonymous users get a token without access, as Docker Hub's token server does: the registry then says 401.
      const access = authenticated && scope ? [{ type: 'repository', name: scope.split(':')[1], actions: (scope.split(':')[2] ?? '').split(',') }] : [];
      const now = Math.floor(Date.now() / 1000);
      const head = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der.toString('base64')] }));
      const claims = base64url(
        JSON.stringify({
          iss: 'kubeward-test-issuer',
          sub: user ?? '',
          aud: 'kubeward-test',
          exp: now + 300,
          nbf: now - 10,
          iat: now,
          jti: randomUUID(),
          access,
        }),
      );
      const signature = createSign('RSA-SHA256').update(`${head}.${claims}`).sign(key);
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token: `${head}.${claims}.${base64url(signature)}`, expires_in: 300 }));
    });
    await new Promise<void>((resolve) => tokenServer?.listen(0, '127.0.0.1', resolve));
    const tokenPort = (tokenServer.address() as AddressInfo).port;
    while (port === tokenPort) port = await freePort();
    config.push(
      'auth:',
      '  token:',
      `    realm: http://127.0.0.1:${tokenPort}/token`,
      '    service: kubeward-test',
      '    issuer: kubeward-test-issuer',
      `    rootcertbundle: ${signing.cert}`,
    );
  }
  const host = `127.0.0.1:${port}`;
  config[config.indexOf('  addr: (set below)')] = `  addr: ${host}`;
  await writeFile(join(directory, 'config.yml'), `${config.join('\n')}\n`);
  const child: ChildProcess = spawn('docker-registry', ['serve', join(directory, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const scheme = options.auth === 'htpasswd' ? 'https' : 'http';
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (await registryAnswers(port, scheme === 'https')) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`docker-registry did not start on ${host} (${scheme}): ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    host,
    ...(ca ? { ca } : {}),
    ...(certDir ? { certDir } : {}),
    username,
    password,
    dataDir: join(directory, 'data'),
    tokenRequests,
    async push(source, repository, extra = []) {
      const destination = options.auth === 'htpasswd' ? ['--dest-cert-dir', certDir as string] : ['--dest-tls-verify=false'];
      await promisify(execFile)(
        'skopeo',
        ['copy', '--quiet', ...destination, '--dest-creds', `${username}:${password}`, ...extra, source, `docker://${host}/${repository}`],
        { timeout: 120_000 },
      );
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
      await new Promise((resolve) => (tokenServer ? tokenServer.close(resolve) : resolve(undefined)));
    },
  };
};
