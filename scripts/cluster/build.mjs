// Builds the live test cluster's binaries from the Go module proxy and caches them outside the
// clone: kube-apiserver and kubectl from k8s.io/kubernetes (wrapper module cluster/kubernetes),
// etcd from go.etcd.io/etcd/server/v3 (wrapper module cluster/etcd). Each component is cached in
// `<cache>/<component>-<key>/`, the key being a hash of the recipe below and the wrapper's go.mod
// and go.sum: a fresh clone reuses what an earlier run built, and a change of go.sum rebuilds.
//
//   node scripts/cluster/build.mjs          build what is missing, print where the binaries are
//   node scripts/cluster/build.mjs --check  exit 1 (building nothing) when a binary is missing
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** Bump when the flags below change: binaries cached from an older recipe are rebuilt. */
export const RECIPE = 'v1';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `$KUBEWARD_CLUSTER_BIN_CACHE`, else `${XDG_CACHE_HOME:-~/.cache}/kubeward/cluster-bin`. */
export const cacheRoot = () =>
  process.env.KUBEWARD_CLUSTER_BIN_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kubeward', 'cluster-bin');

/** Build tags of Kubernetes' own release builds (hack/lib/golang.sh) for non-debug binaries. */
const KUBE_TAGS = 'selinux,notest,grpcnotrace';

/**
 * Kubernetes' version variables (hack/lib/version.sh), set in both packages that carry them, so
 * `kube-apiserver --version`, `/version` and `kubectl version` report the release.
 */
const kubeVersionFlags = ({ version, time, commit }) => {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const values = { gitVersion: version, gitMajor: major, gitMinor: minor, gitTreeState: 'clean', buildDate: time, ...(commit ? { gitCommit: commit } : {}) };
  return ['k8s.io/client-go/pkg/version', 'k8s.io/component-base/version'].flatMap((pkg) =>
    Object.entries(values).map(([name, value]) => `-X ${pkg}.${name}=${value}`),
  );
};

/** etcd's own build (build.sh) stamps only the commit; its version is a constant of go.etcd.io/etcd/api/v3/version. */
const etcdVersionFlags = ({ commit }) => (commit ? [`-X go.etcd.io/etcd/api/v3/version.GitSHA=${commit.slice(0, 7)}`] : []);

export const COMPONENTS = {
  kubernetes: {
    module: 'k8s.io/kubernetes',
    tags: KUBE_TAGS,
    versionFlags: kubeVersionFlags,
    binaries: { 'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver', kubectl: 'k8s.io/kubernetes/cmd/kubectl' },
  },
  etcd: {
    module: 'go.etcd.io/etcd/server/v3',
    tags: '',
    versionFlags: etcdVersionFlags,
    // The server module's root package is etcd's main (a wrapper of go.etcd.io/etcd/server/v3/etcdmain).
    binaries: { etcd: 'go.etcd.io/etcd/server/v3' },
  },
};

const moduleDir = (name) => join(repoRoot, 'cluster', name);

/** The cache key of a component: the recipe, its wrapper's go.mod and go.sum (16 hex digits of SHA-256). */
export const componentKey = (name) => {
  const hash = createHash('sha256').update(`${RECIPE}\0`);
  for (const file of ['go.mod', 'go.sum']) hash.update(readFileSync(join(moduleDir(name), file))).update('\0');
  return hash.digest('hex').slice(0, 16);
};

export const componentDir = (name) => join(cacheRoot(), `${name}-${componentKey(name)}`);

/** Where each binary is (or will be) and whether all of them are built. */
export const binaryPaths = () => {
  const paths = {};
  const missing = [];
  for (const [name, component] of Object.entries(COMPONENTS)) {
    const dir = componentDir(name);
    for (const binary of Object.keys(component.binaries)) {
      paths[binary] = join(dir, binary);
      if (!existsSync(paths[binary]) || !existsSync(join(dir, 'build.json'))) missing.push(binary);
    }
  }
  return { etcd: paths.etcd, kubeApiserver: paths['kube-apiserver'], kubectl: paths.kubectl, missing };
};

/** `go` on PATH, else the official install's place. */
export const goCommand = () => {
  for (const candidate of [process.env.GO, 'go', '/usr/local/go/bin/go'].filter(Boolean)) {
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
};

const goEnv = () => ({
  ...process.env,
  CGO_ENABLED: '0',
  GOWORK: 'off',
  // go.sum must already hold every hash: the build never edits the wrapper modules.
  GOFLAGS: '-mod=readonly -buildvcs=false',
});

const run = (command, args, options) =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise(output) : reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output.slice(-6000)}`)),
    );
  });

/** The pinned release of the component's main module: version, commit time and (when the proxy tells) commit. */
const moduleRelease = async (go, name) => {
  const { module } = COMPONENTS[name];
  const download = JSON.parse(await run(go, ['mod', 'download', '-json', module], { cwd: moduleDir(name), env: goEnv() }));
  if (download.Error) throw new Error(`go mod download ${module}: ${download.Error}`);
  const info = JSON.parse(await readFile(download.Info, 'utf8'));
  return { version: download.Version, time: info.Time, commit: info.Origin?.Hash };
};

/** The exact `go build` arguments for one binary (also recorded in build.json). */
export const buildArgs = (name, release, binary, output) => {
  const component = COMPONENTS[name];
  const ldflags = ['-s', '-w', ...component.versionFlags(release)].join(' ');
  return ['build', '-trimpath', ...(component.tags ? ['-tags', component.tags] : []), '-ldflags', ldflags, '-o', output, component.binaries[binary]];
};

/**
 * Runs a component's build alone (cluster:up and CI may start it at once): a lock directory beside
 * the cache entry; one older than 90 minutes is taken to be left by a crash.
 */
const withLock = async (dir, task) => {
  const lock = `${dir}.lock`;
  await mkdir(dirname(dir), { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 90 * 60_000) await rm(lock, { recursive: true, force: true });
      else await sleep(2000);
    }
  }
  try {
    return await task();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
};

const buildComponent = async (go, name, log) => {
  const dir = componentDir(name);
  await withLock(dir, async () => {
    if (existsSync(join(dir, 'build.json'))) return;
    const started = Date.now();
    const release = await moduleRelease(go, name);
    log(`building ${Object.keys(COMPONENTS[name].binaries).join(', ')} ${release.version} into ${dir} (the first build takes minutes)`);
    const staging = `${dir}.tmp-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    const commands = {};
    for (const binary of Object.keys(COMPONENTS[name].binaries)) {
      const shown = buildArgs(name, release, binary, join(dir, binary));
      commands[binary] = `CGO_ENABLED=0 GOFLAGS='${goEnv().GOFLAGS}' go ${shown.map((arg) => (/[\s']/.test(arg) ? `'${arg}'` : arg)).join(' ')}`;
      await run(go, buildArgs(name, release, binary, join(staging, binary)), { cwd: moduleDir(name), env: goEnv() });
    }
    const goVersion = (await run(go, ['version'], { env: goEnv() })).trim();
    const record = {
      component: name,
      module: COMPONENTS[name].module,
      ...release,
      recipe: RECIPE,
      go: goVersion,
      seconds: Math.round((Date.now() - started) / 1000),
      commands,
    };
    await writeFile(join(staging, 'build.json'), `${JSON.stringify(record, null, 2)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    log(`built ${name} in ${record.seconds}s`);
  });
};

/** Builds the binaries that are missing (a warm cache returns at once) and returns their paths. */
export const ensureBinaries = async ({ log = (line) => console.error(line) } = {}) => {
  const paths = binaryPaths();
  if (paths.missing.length === 0) return paths;
  const go = goCommand();
  if (!go) throw new Error(`Go is needed to build ${paths.missing.join(', ')} (looked for $GO, go on PATH and /usr/local/go/bin/go)`);
  for (const name of Object.keys(COMPONENTS)) {
    const dir = componentDir(name);
    if (!existsSync(join(dir, 'build.json'))) await buildComponent(go, name, log);
  }
  const built = binaryPaths();
  if (built.missing.length > 0) throw new Error(`still missing after the build: ${built.missing.join(', ')}`);
  return built;
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  try {
    const paths = check ? binaryPaths() : await ensureBinaries();
    if (paths.missing.length > 0) {
      console.error(`missing: ${paths.missing.join(', ')} (run: npm run cluster:build)`);
      process.exit(1);
    }
    for (const [binary, path] of Object.entries({ etcd: paths.etcd, 'kube-apiserver': paths.kubeApiserver, kubectl: paths.kubectl }))
      console.log(`${binary}\t${path}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
