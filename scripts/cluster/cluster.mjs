// The live test cluster: etcd and kube-apiserver on 127.0.0.1 with certificates made here by
// openssl, RBAC, and a kubeconfig for an admin in system:masters. No kubelet, scheduler or
// controller-manager: Pods stay Pending, and ServiceAccount admission is off (nothing creates the
// default service accounts). Used by test/support/cluster.ts and scripts/cluster/cli.mjs.
import { Buffer } from 'node:buffer';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { binaryPaths } from './build.mjs';

/** The Service network: the `kubernetes` Service takes its first address, which the serving certificate names. */
const SERVICE_CIDR = '10.0.0.0/24';
const SERVICE_IP = '10.0.0.1';

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const openssl = (args, cwd) => {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    throw new Error(`openssl ${args.join(' ')} failed: ${error.stderr?.toString() ?? error.message}`, { cause: error });
  }
};

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * A certificate signed by the test CA (`ca.crt`/`ca.key` in `dir`): `<name>.crt` and `<name>.key`.
 * `subject` is an openssl subject (`/O=group/CN=user` for client certificates).
 */
const signed = async (dir, name, subject, { serverNames = [], client = false, server = false }) => {
  const extensions = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment'];
  extensions.push(`extendedKeyUsage=${[server ? 'serverAuth' : '', client ? 'clientAuth' : ''].filter(Boolean).join(',')}`);
  if (serverNames.length > 0) extensions.push(`subjectAltName=${serverNames.join(',')}`);
  await writeFile(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  openssl(['req', '-new', ...EC_KEY, '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '365',
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
  await rm(join(dir, `${name}.csr`));
  await rm(join(dir, `${name}.ext`));
};

/** The CA, serving certificates (etcd, kube-apiserver), client certificates and the service-account key pair. */
const makeCertificates = async (dir) => {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  openssl(
    [
      'req',
      '-x509',
      ...EC_KEY,
      '-days',
      '3650',
      '-sha256',
      '-subj',
      '/CN=kubeward-test-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
    ],
    dir,
  );
  const loopback = ['IP:127.0.0.1', 'DNS:localhost'];
  await signed(dir, 'etcd-server', '/CN=etcd', { serverNames: loopback, server: true, client: true });
  await signed(dir, 'apiserver-etcd-client', '/CN=kube-apiserver-etcd-client', { client: true });
  const serviceNames = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'].map((name) => `DNS:${name}`);
  await signed(dir, 'apiserver', '/CN=kube-apiserver', { serverNames: [...loopback, `IP:${SERVICE_IP}`, ...serviceNames], server: true });
  await signed(dir, 'admin', '/O=system:masters/CN=kubeward-admin', { client: true });
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'sa.key'], dir);
  openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
};

const base64File = (path) => readFileSync(path).toString('base64');

const kubeconfigText = (server, pki) =>
  [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: kubeward-test',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${base64File(join(pki, 'ca.crt'))}`,
    'users:',
    '- name: kubeward-admin',
    '  user:',
    `    client-certificate-data: ${base64File(join(pki, 'admin.crt'))}`,
    `    client-key-data: ${base64File(join(pki, 'admin.key'))}`,
    'contexts:',
    '- name: kubeward-test',
    '  context:',
    '    cluster: kubeward-test',
    '    user: kubeward-admin',
    'current-context: kubeward-test',
    '',
  ].join('\n');

/** The flags etcd runs with (single member, TLS with client certificates on its client URL). */
export const etcdFlags = ({ stateDir, dataDir, clientPort, peerPort }) => {
  const pki = join(stateDir, 'pki');
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=kubeward',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=https://127.0.0.1:${clientPort}`,
    `--advertise-client-urls=https://127.0.0.1:${clientPort}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=kubeward=${peer}`,
    '--initial-cluster-state=new',
    `--cert-file=${join(pki, 'etcd-server.crt')}`,
    `--key-file=${join(pki, 'etcd-server.key')}`,
    `--trusted-ca-file=${join(pki, 'ca.crt')}`,
    '--client-cert-auth',
    // A throwaway test store: no fsync (much faster on a shared disk), logs at warning and above.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
};

/** The flags kube-apiserver runs with. */
export const apiServerFlags = ({ stateDir, apiPort, clientPort }) => {
  const pki = join(stateDir, 'pki');
  return [
    '--advertise-address=127.0.0.1',
    '--bind-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--cert-dir=${join(stateDir, 'apiserver')}`,
    `--tls-cert-file=${join(pki, 'apiserver.crt')}`,
    `--tls-private-key-file=${join(pki, 'apiserver.key')}`,
    `--client-ca-file=${join(pki, 'ca.crt')}`,
    `--etcd-servers=https://127.0.0.1:${clientPort}`,
    `--etcd-cafile=${join(pki, 'ca.crt')}`,
    `--etcd-certfile=${join(pki, 'apiserver-etcd-client.crt')}`,
    `--etcd-keyfile=${join(pki, 'apiserver-etcd-client.key')}`,
    '--authorization-mode=Node,RBAC',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${join(pki, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
    // No controller-manager creates the default service accounts that this plugin requires.
    '--disable-admission-plugins=ServiceAccount',
    // Security tests create privileged Pods, as a real cluster may hold them.
    '--allow-privileged=true',
    // One API server on loopback: it keeps no Endpoints for the `kubernetes` Service.
    '--endpoint-reconciler-type=none',
    '--profiling=false',
    '--v=0',
  ];
};

/** An HTTPS request with the given client certificate; resolves with the status and body. */
const httpsRequest = (url, { ca, cert, key, method = 'GET', body } = {}) =>
  new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, ca, cert, key, timeout: 5000, headers: body === undefined ? {} : { 'content-type': 'application/json' } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`timed out: ${method} ${url}`)));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });

const tail = (path, lines = 30) => {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
};

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Whether `pid` is still the process this cluster started: its command line names the state directory. */
const ours = (pid, stateDir) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${stateDir}/`);
  } catch {
    return alive(pid);
  }
};

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export const stopPid = async (pid, stateDir, graceMs = 15_000) => {
  if (!pid || !alive(pid) || !ours(pid, stateDir)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await sleep(50);
  }
};

/**
 * Starts a process with its output in `<stateDir>/<name>.log` and its PID in `<stateDir>/<name>.pid`.
 * Detached processes outlive this one (cluster:up); attached ones are killed when it exits.
 */
const launch = async (stateDir, name, command, args, detached, attached) => {
  const logPath = join(stateDir, `${name}.log`);
  const fd = openSync(logPath, 'a');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd], detached, env: { ...process.env } });
  closeSync(fd);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  // Never keeps this process alive: detached ones run on, attached ones are killed at its exit.
  child.unref();
  if (!detached) attached.add(child.pid);
  await writeFile(join(stateDir, `${name}.pid`), `${child.pid}\n`);
  return { pid: child.pid, logPath, exited };
};

/** Polls `check` until it is true, failing early when the process exits. */
const waitFor = async (what, proc, check, timeoutMs) => {
  let exit;
  void proc.exited.then((value) => (exit = value));
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (exit) throw new Error(`${what} exited (${exit.code ?? exit.signal}) before it was ready:\n${tail(proc.logPath)}`);
    try {
      const result = await check();
      if (result === true) return;
      last = String(result);
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(250);
  }
  throw new Error(`${what} was not ready after ${timeoutMs / 1000}s (last: ${last}):\n${tail(proc.logPath)}`);
};

const attachedPids = new Set();
let exitHookInstalled = false;
const installExitHook = () => {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test run that ends (or fails) without stop() leaves no etcd or API server behind.
  process.on('exit', () => {
    for (const pid of attachedPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
};

/**
 * Starts etcd and kube-apiserver. `stateDir` (made if missing, a temporary directory by default)
 * receives the certificates, logs, PID files, `cluster.json` and the kubeconfig; etcd's data goes
 * in `<stateDir>/etcd-data`. `detached` processes outlive this process (for cluster:up).
 */
export const startCluster = async ({ stateDir, detached = false, timeoutMs = 120_000 } = {}) => {
  const binaries = binaryPaths();
  if (binaries.missing.length > 0) throw new Error(`the cluster binaries are not built (missing: ${binaries.missing.join(', ')}): run npm run cluster:build`);
  const dir = stateDir ?? (await mkdtemp(join(tmpdir(), 'kubeward-cluster-')));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!detached) installExitHook();
  const pki = join(dir, 'pki');
  await makeCertificates(pki);
  const tls = { ca: readFileSync(join(pki, 'ca.crt')), cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')) };
  const etcdTls = { ca: tls.ca, cert: readFileSync(join(pki, 'apiserver-etcd-client.crt')), key: readFileSync(join(pki, 'apiserver-etcd-client.key')) };
  const ports = { clientPort: await freePort(), peerPort: await freePort(), apiPort: await freePort() };
  const etcdUrl = () => `https://127.0.0.1:${ports.clientPort}`;
  const server = () => `https://127.0.0.1:${ports.apiPort}`;
  const kubeconfig = join(dir, 'kubeconfig');
  const processes = {};
  const stopAll = async () => {
    for (const name of ['kube-apiserver', 'etcd']) {
      const proc = processes[name];
      if (!proc) continue;
      await stopPid(proc.pid, dir);
      attachedPids.delete(proc.pid);
      delete processes[name];
    }
  };

  const etcdGateway = async (path, body) => {
    const response = await httpsRequest(`${etcdUrl()}${path}`, { ...etcdTls, method: 'POST', body });
    const parsed = response.body ? JSON.parse(response.body) : {};
    if (response.status !== 200) throw new Error(`etcd ${path}: ${response.status} ${parsed.message ?? response.body}`);
    return parsed;
  };

  const startApiServer = async () => {
    if (processes['kube-apiserver']) throw new Error('kube-apiserver is already running');
    const proc = await launch(dir, 'kube-apiserver', binaries.kubeApiserver, apiServerFlags({ stateDir: dir, ...ports }), detached, attachedPids);
    processes['kube-apiserver'] = proc;
    await waitFor(
      'kube-apiserver',
      proc,
      async () => {
        const response = await httpsRequest(`${server()}/readyz`, tls);
        return response.status === 200 || `/readyz ${response.status}: ${response.body.slice(0, 500)}`;
      },
      timeoutMs,
    );
  };

  const stopApiServer = async () => {
    const proc = processes['kube-apiserver'];
    if (!proc) return;
    await stopPid(proc.pid, dir);
    attachedPids.delete(proc.pid);
    delete processes['kube-apiserver'];
  };

  // A port found free may be taken before etcd or kube-apiserver binds it: then start again on others.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await rm(join(dir, 'etcd-data'), { recursive: true, force: true });
      await mkdir(join(dir, 'etcd-data'), { recursive: true, mode: 0o700 });
      const etcd = await launch(dir, 'etcd', binaries.etcd, etcdFlags({ stateDir: dir, dataDir: join(dir, 'etcd-data'), ...ports }), detached, attachedPids);
      processes.etcd = etcd;
      await waitFor(
        'etcd',
        etcd,
        async () => {
          const response = await httpsRequest(`${etcdUrl()}/health`, etcdTls);
          return (response.status === 200 && JSON.parse(response.body).health === 'true') || `/health ${response.status}: ${response.body}`;
        },
        timeoutMs,
      );
      await startApiServer();
      break;
    } catch (error) {
      await stopAll();
      if (attempt >= 3 || !/address already in use/.test(String(error))) throw error;
      Object.assign(ports, { clientPort: await freePort(), peerPort: await freePort(), apiPort: await freePort() });
    }
  }
  await writeFile(kubeconfig, kubeconfigText(server(), pki), { mode: 0o600 });
  await writeFile(
    join(dir, 'cluster.json'),
    `${JSON.stringify({ server: server(), etcd: etcdUrl(), kubeconfig, kubectl: binaries.kubectl, ...ports }, null, 2)}\n`,
  );

  return {
    stateDir: dir,
    kubeconfig,
    server: server(),
    kubectl: binaries.kubectl,
    etcd: etcdUrl(),
    pids: () => ({ etcd: processes.etcd?.pid, kubeApiserver: processes['kube-apiserver']?.pid }),
    startApiServer,
    stopApiServer,
    restartApiServer: async () => {
      await stopApiServer();
      await startApiServer();
    },
    etcdGateway,
    compact: async () => {
      // Any range answers with the store's current revision in its header.
      const { header } = await etcdGateway('/v3/kv/range', { key: Buffer.from('/').toString('base64'), limit: 1, keys_only: true });
      const revision = Number(header.revision);
      await etcdGateway('/v3/kv/compaction', { revision: String(revision), physical: true });
      return revision;
    },
    stop: async ({ keepState = false } = {}) => {
      await stopAll();
      if (!keepState) await rm(dir, { recursive: true, force: true });
    },
  };
};

/** Stops a cluster started (detached) in `stateDir`, by the PIDs it recorded, and removes the state. */
export const stopClusterAt = async (stateDir, { keepState = false } = {}) => {
  const stopped = [];
  for (const name of ['kube-apiserver', 'etcd']) {
    const pidFile = join(stateDir, `${name}.pid`);
    if (!existsSync(pidFile)) continue;
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    if (pid && alive(pid) && ours(pid, stateDir)) {
      await stopPid(pid, stateDir);
      stopped.push(`${name} (${pid})`);
    }
    await rm(pidFile, { force: true });
  }
  if (!keepState) await rm(stateDir, { recursive: true, force: true });
  return stopped;
};
