import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { repoRoot } from './repo.js';

/** Bump when the recipe changes: cached images from an older recipe are rebuilt. */
const RECIPE = 'bookworm-v2';

export const hasImageTools = ((): boolean => {
  try {
    for (const tool of ['mmdebstrap', 'umoci', 'skopeo']) execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
})();

/** Outside the clone, so CI runs and sessions reuse images instead of rebuilding them. */
export const imageCache = (): string => process.env.KUBEWARD_TEST_IMAGE_CACHE ?? join(homedir(), '.cache', 'kubeward-test-images');

const run = (command: string, args: readonly string[], cwd?: string): void => {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(cwd ? { cwd } : {}), maxBuffer: 64 * 1024 * 1024 });
};

/**
 * Runs a cache build alone: test files run in parallel, and the benchmark may build too. A lock
 * directory beside the cache entry; one older than 30 minutes is taken to be left by a crash.
 */
const withBuildLock = async <T>(root: string, build: () => Promise<T>): Promise<T> => {
  const lock = `${root}.lock`;
  await mkdir(imageCache(), { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs > 30 * 60_000) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await build();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
};

export interface BuiltImage {
  /** OCI layout with the image tagged `bookworm`. */
  readonly layout: string;
  /** The root filesystem of layer 1, for oracles (`dpkg-query --admindir`). */
  readonly rootfs: string;
}

/**
 * A real Debian 12 image, built without Docker: `mmdebstrap` makes a minbase root filesystem from
 * bookworm main only (no security updates, so its vulnerabilities are the ones the Debian 12
 * advisories list), `umoci` packs it as layer 1. Layer 2 deletes `/usr/share/doc` (a whiteout)
 * and adds `/app`.
 */
export const bookwormImage = async (): Promise<BuiltImage> => {
  const root = join(imageCache(), RECIPE);
  const layout = join(root, 'layout');
  const rootfs = join(root, 'rootfs');
  if (existsSync(join(root, 'done'))) return { layout, rootfs };
  return withBuildLock(root, async () => {
    if (!existsSync(join(root, 'done'))) await buildBookworm(root);
    return { layout, rootfs };
  });
};

const buildBookworm = async (root: string): Promise<void> => {
  await rm(root, { recursive: true, force: true });
  const work = `${root}.building`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  run('mmdebstrap', ['--variant=minbase', '--mode=root', '--format=directory', '--quiet', 'bookworm', join(work, 'rootfs'), 'http://deb.debian.org/debian']);
  run('umoci', ['init', '--layout', join(work, 'layout')]);
  run('umoci', ['new', '--image', `${join(work, 'layout')}:bookworm`]);
  run('umoci', ['unpack', '--rootless', '--image', `${join(work, 'layout')}:bookworm`, join(work, 'bundle')]);
  run('cp', ['-a', `${join(work, 'rootfs')}/.`, join(work, 'bundle', 'rootfs')]);
  // --refresh-bundle: the next repack then diffs against this layer, and makes a second one.
  run('umoci', ['repack', '--refresh-bundle', '--image', `${join(work, 'layout')}:bookworm`, join(work, 'bundle')]);
  await rm(join(work, 'bundle', 'rootfs', 'usr', 'share', 'doc'), { recursive: true, force: true });
  await mkdir(join(work, 'bundle', 'rootfs', 'app'), { recursive: true });
  await writeFile(join(work, 'bundle', 'rootfs', 'app', 'hello.txt'), 'hello\n');
  run('umoci', ['repack', '--image', `${join(work, 'layout')}:bookworm`, join(work, 'bundle')]);
  await rm(join(work, 'bundle'), { recursive: true, force: true });
  await writeFile(join(work, 'done'), `${new Date().toISOString()}\n`);
  await rename(work, root);
};

export interface ConvertedImages {
  readonly dockerArchive: string;
  readonly ociArchive: string;
  /** The same image with zstd-compressed layers, as an OCI layout. */
  readonly zstdLayout: string;
}

/** The bookworm image converted by skopeo: docker-archive, OCI archive, zstd layers. Cached beside it. */
export const convertedBookworm = async (): Promise<ConvertedImages> => {
  const { layout } = await bookwormImage();
  const root = join(imageCache(), `${RECIPE}-converted`);
  const images = { dockerArchive: join(root, 'docker.tar'), ociArchive: join(root, 'oci.tar'), zstdLayout: join(root, 'zstd') };
  if (existsSync(join(root, 'done'))) return images;
  return withBuildLock(root, async () => {
    if (existsSync(join(root, 'done'))) return images;
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    const from = `oci:${layout}:bookworm`;
    run('skopeo', ['copy', '--quiet', from, `docker-archive:${images.dockerArchive}:bookworm:latest`]);
    run('skopeo', ['copy', '--quiet', from, `oci-archive:${images.ociArchive}:bookworm`]);
    run('skopeo', ['copy', '--quiet', '--dest-compress-format', 'zstd', from, `oci:${images.zstdLayout}:bookworm`]);
    await writeFile(join(root, 'done'), `${new Date().toISOString()}\n`);
    return images;
  });
};

/** Real inputs with expected results, from Trivy's dependency parser (Debian's golang-github-aquasecurity-go-dep-parser-dev). */
export const DEP_PARSER = '/usr/share/gocode/src/github.com/aquasecurity/go-dep-parser/pkg';
/** Go sources Debian ships (golang-*-dev packages): vendored into the Go application, at the version Debian packaged. */
const GOCODE = '/usr/share/gocode/src';
/** Python distributions Debian installed on this machine: their metadata directories are copied into the image. */
const DIST_PACKAGES = '/usr/lib/python3/dist-packages';
/** Jars Debian installed on this machine (Maven's dependencies): their real pom.properties name them. */
const DEBIAN_JARS = ['commons-io.jar', 'commons-lang3.jar', 'guava.jar'].map((name) => join('/usr/share/java', name));
/** npm packages of this repository's own node_modules (real manifests from the npm registry). */
const NODE_MODULES = ['semver', 'commander', 'js-yaml', 'tar-stream', 'zod', '@cyclonedx/cyclonedx-library', '@marcbachmann/cel-js'];

/** Bump when the application layer's recipe changes. */
const APP_RECIPE = `${RECIPE}-app-v1`;

const hasCommand = (tool: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Everything `appImage()` needs besides the bookworm image's tools: go-dep-parser's test data, Go, git. */
export const hasAppImageTools = hasImageTools && existsSync(DEP_PARSER) && hasCommand('go') && hasCommand('git');

/** How a test knows, without Kubeward, what a file of the application layer holds. */
export type AppOracle =
  /** go-dep-parser's expected `[]types.Library{{"name", "version", "license"}}` variable in a Go test file (under DEP_PARSER). */
  | { readonly kind: 'libraries'; readonly file: string; readonly variable: string }
  /** go-dep-parser's gemspec test table: the `want` of the case reading `inputFile`. */
  | { readonly kind: 'gemspec'; readonly file: string; readonly inputFile: string }
  /** `go version -m` on the binary. */
  | { readonly kind: 'go-version-m' }
  /** The archive's `META-INF/maven/<group>/<artifact>/pom.properties`, read with unzip. */
  | { readonly kind: 'pom-properties' }
  /** The manifest's own name and version. */
  | { readonly kind: 'package-json' }
  /** Python's own `importlib.metadata` on the distribution's metadata directory. */
  | { readonly kind: 'python-metadata' };

export interface AppFile {
  /** Absolute path in the image (the path Kubeward reports for the packages it lists). */
  readonly target: string;
  /** Where it came from on this machine, or `go build` for the binary built here. */
  readonly source: string;
  /** The Kubeward cataloger expected to read it. */
  readonly cataloger: string;
  readonly oracle: AppOracle;
}

export interface AppImage {
  /** OCI layout holding one image, tagged `app`: bookworm's two layers and the application layer. */
  readonly layout: string;
  /** `oci:<layout>:app`. */
  readonly reference: string;
  /** The root filesystem of layer 1 (bookworm), for `dpkg-query --admindir`. */
  readonly rootfs: string;
  /** The files of layer 3 as they are in the image (`appfs/srv/...` is `/srv/...`), for the oracles. */
  readonly appfs: string;
  /** Every file of layer 3 that a cataloger reads, with its oracle. */
  readonly files: readonly AppFile[];
}

const lib = (file: string, variable: string): AppOracle => ({ kind: 'libraries', file, variable });

/** go-dep-parser test data placed in the image as an application would have it. */
const DEP_PARSER_FILES: readonly (AppFile & { readonly transform?: 'composer-installed' })[] = [
  {
    source: 'nodejs/npm/testdata/package-lock_many.json',
    target: '/srv/web/package-lock.json',
    cataloger: 'npm-lockfile',
    oracle: lib('nodejs/npm/parse_testcase.go', 'npmMany'),
  },
  {
    source: 'ruby/bundler/testdata/Gemfile_rails.lock',
    target: '/srv/rails/Gemfile.lock',
    cataloger: 'bundler',
    oracle: lib('ruby/bundler/parse_testcase.go', 'BundlerRails'),
  },
  {
    source: 'ruby/gemspec/testdata/normal00.gemspec',
    target: '/usr/local/bundle/specifications/rake-13.0.3.gemspec',
    cataloger: 'gemspec',
    oracle: { kind: 'gemspec', file: 'ruby/gemspec/parse_test.go', inputFile: 'testdata/normal00.gemspec' },
  },
  {
    source: 'ruby/gemspec/testdata/multiple_licenses.gemspec',
    target: '/usr/local/bundle/specifications/test-unit-3.3.7.gemspec',
    cataloger: 'gemspec',
    oracle: { kind: 'gemspec', file: 'ruby/gemspec/parse_test.go', inputFile: 'testdata/multiple_licenses.gemspec' },
  },
  {
    source: 'rust/cargo/testdata/cargo_many.lock',
    target: '/srv/rust/Cargo.lock',
    cataloger: 'cargo',
    oracle: lib('rust/cargo/parse_testcase.go', 'cargoMany'),
  },
  {
    source: 'php/composer/testdata/composer_symfony.lock',
    target: '/var/www/blog/composer.lock',
    cataloger: 'composer',
    oracle: lib('php/composer/parse_testcase.go', 'ComposerSymfony'),
  },
  // Composer 2 writes the installed packages of a project to vendor/composer/installed.json: the lockfile's `packages`.
  {
    source: 'php/composer/testdata/composer_laravel.lock',
    target: '/var/www/shop/vendor/composer/installed.json',
    cataloger: 'composer',
    oracle: lib('php/composer/parse_testcase.go', 'ComposerLaravel'),
    transform: 'composer-installed',
  },
  {
    source: 'nuget/lock/testdata/packages_lock_multi.json',
    target: '/app/dotnet/packages.lock.json',
    cataloger: 'nuget',
    oracle: lib('nuget/lock/parse_testcase.go', 'nuGetMultiTarget'),
  },
  {
    source: 'java/jar/testdata/maven.war',
    target: '/opt/shop/webapps/shop.war',
    cataloger: 'java-archive',
    oracle: lib('java/jar/parse_test.go', 'wantMaven'),
  },
  {
    source: 'java/jar/testdata/gradle.war',
    target: '/opt/shop/webapps/legacy.war',
    cataloger: 'java-archive',
    oracle: lib('java/jar/parse_test.go', 'wantGradle'),
  },
  {
    source: 'java/jar/testdata/test.jar',
    target: '/opt/legacy/lib/spring-2.5.6.SEC03.jar',
    cataloger: 'java-archive',
    oracle: lib('java/jar/parse_test.go', 'wantOffline'),
  },
  // A Go 1.15 binary: build info in the pre-1.18 pointer format.
  { source: 'golang/binary/testdata/test.elf', target: '/usr/local/bin/legacy-tool', cataloger: 'go-binary', oracle: { kind: 'go-version-m' } },
];

/** Modules vendored into the Go application from Debian's sources: module, Debian package, packages used, how main uses it. */
const GO_MODULES: readonly { module: string; deb: string; packages: string[]; imports: string; use: string }[] = [
  {
    module: 'golang.org/x/net',
    deb: 'golang-golang-x-net-dev',
    packages: ['html', 'html/atom'],
    imports: 'golang.org/x/net/html',
    use: 'html.EscapeString(strings.Join(os.Args, " "))',
  },
  {
    module: 'gopkg.in/yaml.v3',
    deb: 'golang-gopkg-yaml.v3-dev',
    packages: [''],
    imports: 'gopkg.in/yaml.v3',
    use: 'func() string { out, _ := yaml.Marshal(os.Args); return string(out) }()',
  },
  {
    module: 'github.com/davecgh/go-spew',
    deb: 'golang-github-davecgh-go-spew-dev',
    packages: ['spew'],
    imports: 'github.com/davecgh/go-spew/spew',
    use: 'spew.Sdump(len(os.Args))',
  },
];

/** `1:0.7.0+dfsg-1` → `v0.7.0`: the upstream release Debian packaged. */
const debianUpstream = (deb: string): string | undefined => {
  try {
    const version = execFileSync('dpkg-query', ['-W', '-f', '${Version}', deb], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const match = /^(?:\d+:)?(\d+\.\d+\.\d+)/.exec(version);
    return match ? `v${match[1]}` : undefined;
  } catch {
    return undefined;
  }
};

/**
 * A real Go application: a main module tagged v1.4.2 in git (Go stamps the tag as the main
 * module's version), whose dependencies are vendored from Debian's Go sources at the versions
 * Debian packaged, built with the local toolchain, fully static.
 */
const buildGoApplication = async (output: string): Promise<void> => {
  const directory = await mkdtemp(join(tmpdir(), 'kubeward-storefront-'));
  try {
    const modules = GO_MODULES.flatMap((entry) => {
      const version = debianUpstream(entry.deb);
      return version && existsSync(join(GOCODE, entry.module)) ? [{ ...entry, version }] : [];
    });
    const modulesTxt: string[] = [];
    for (const entry of modules) {
      const goMod = join(GOCODE, entry.module, 'go.mod');
      const goLine = existsSync(goMod) ? /^go (\d+\.\d+)/m.exec(await readFile(goMod, 'utf8'))?.[1] : undefined;
      modulesTxt.push(`# ${entry.module} ${entry.version}`, `## explicit${goLine ? `; go ${goLine}` : ''}`);
      for (const pkg of entry.packages) {
        modulesTxt.push(pkg ? `${entry.module}/${pkg}` : entry.module);
        const from = join(GOCODE, entry.module, pkg);
        const to = join(directory, 'vendor', entry.module, pkg);
        await mkdir(to, { recursive: true });
        for (const name of readdirSync(from)) if (name.endsWith('.go') && !name.endsWith('_test.go')) await copyFile(join(from, name), join(to, name));
      }
      if (existsSync(join(GOCODE, entry.module, 'LICENSE')))
        await copyFile(join(GOCODE, entry.module, 'LICENSE'), join(directory, 'vendor', entry.module, 'LICENSE'));
    }
    await writeFile(
      join(directory, 'go.mod'),
      `module example.com/storefront\n\ngo 1.22\n${modules.length ? `\nrequire (\n${modules.map((entry) => `\t${entry.module} ${entry.version}\n`).join('')})\n` : ''}`,
    );
    if (modules.length) await writeFile(join(directory, 'vendor', 'modules.txt'), `${modulesTxt.join('\n')}\n`);
    const imports = ['fmt', 'os', 'strings', ...modules.map((entry) => entry.imports)].map((path) => `\t"${path}"\n`).join('');
    const uses = ['strings.ToUpper(version)', ...modules.map((entry) => entry.use)].join(', ');
    await writeFile(join(directory, 'main.go'), `package main\n\nimport (\n${imports})\n\nvar version = "dev"\n\nfunc main() {\n\tfmt.Println(${uses})\n}\n`);
    const git = (...args: string[]): void =>
      run(
        'git',
        ['-c', 'user.name=Kubeward tests', '-c', 'user.email=tests@kubeward.invalid', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args],
        directory,
      );
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'storefront 1.4.2');
    git('tag', 'v1.4.2');
    await mkdir(dirname(output), { recursive: true });
    execFileSync('go', ['build', '-trimpath', '-ldflags=-s -w -X main.version=1.4.2', '-o', output, '.'], {
      cwd: directory,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'amd64', GOFLAGS: '-mod=vendor', GOTOOLCHAIN: 'local', GOPROXY: 'off', GOWORK: 'off' },
    });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
};

/** Writes the files of the application layer into `appfs`, and says what each one is. */
const writeApplicationFiles = async (appfs: string): Promise<AppFile[]> => {
  const files: AppFile[] = [];
  const place = async (target: string, content: Buffer | string, mode = 0o644): Promise<void> => {
    const path = join(appfs, target);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    await chmod(path, mode);
  };
  for (const { transform, ...file } of DEP_PARSER_FILES) {
    const source = join(DEP_PARSER, file.source);
    let content: Buffer | string = await readFile(source);
    if (transform === 'composer-installed')
      content = `${JSON.stringify({ packages: (JSON.parse(content.toString('utf8')) as { packages: unknown[] }).packages, dev: false, 'dev-package-names': [] }, null, 4)}\n`;
    await place(file.target, content, file.cataloger === 'go-binary' ? 0o755 : 0o644);
    files.push({ ...file, source });
  }
  // node_modules of an installed application: the real package.json of each package.
  for (const name of NODE_MODULES) {
    const source = join(repoRoot(), 'node_modules', name, 'package.json');
    if (!existsSync(source)) continue;
    const target = `/srv/api/node_modules/${name}/package.json`;
    await place(target, await readFile(source));
    files.push({ target, source, cataloger: 'npm', oracle: { kind: 'package-json' } });
  }
  // pip-installed distributions: Debian's dist-info directories, whole (METADATA, RECORD, ...).
  const site = '/usr/local/lib/python3.11/site-packages';
  for (const name of existsSync(DIST_PACKAGES)
    ? readdirSync(DIST_PACKAGES)
        .filter((entry) => entry.endsWith('.dist-info'))
        .sort()
    : []) {
    if (!existsSync(join(DIST_PACKAGES, name, 'METADATA'))) continue;
    await mkdir(join(appfs, site), { recursive: true });
    await cp(join(DIST_PACKAGES, name), join(appfs, site, name), { recursive: true, dereference: true });
    files.push({ target: `${site}/${name}/METADATA`, source: join(DIST_PACKAGES, name), cataloger: 'python', oracle: { kind: 'python-metadata' } });
  }
  // Libraries of a Java application: Debian's jars, under their Maven file names.
  for (const jar of DEBIAN_JARS.filter((path) => existsSync(path))) {
    const real = realpathSync(jar);
    const properties = execFileSync('unzip', ['-p', real, 'META-INF/maven/*/pom.properties'], { encoding: 'utf8' });
    const artifact = /^artifactId=(.+)$/m.exec(properties)?.[1]?.trim() ?? basename(jar, '.jar');
    const version = /^version=(.+)$/m.exec(properties)?.[1]?.trim();
    const target = `/opt/shop/lib/${artifact}${version ? `-${version}` : ''}.jar`;
    await place(target, await readFile(real));
    files.push({ target, source: real, cataloger: 'java-archive', oracle: { kind: 'pom-properties' } });
  }
  await buildGoApplication(join(appfs, 'usr/local/bin/storefront'));
  files.push({ target: '/usr/local/bin/storefront', source: 'go build', cataloger: 'go-binary', oracle: { kind: 'go-version-m' } });
  return files;
};

/**
 * The bookworm image with a third layer of real application content: lockfiles and manifests
 * (npm, Bundler, gemspecs, Cargo, Composer, NuGet) and Java archives from go-dep-parser's test
 * data, installed npm manifests, Python dist-info directories and Debian jars from this
 * machine, a pre-1.18 Go binary and a Go application built here with vendored modules. Made
 * with `umoci unpack` and `repack` on a copy of the cached bookworm layout, and cached the same way.
 */
export const appImage = async (): Promise<AppImage> => {
  const base = await bookwormImage();
  const root = join(imageCache(), APP_RECIPE);
  const image = (files: AppFile[]): AppImage => ({
    layout: join(root, 'layout'),
    reference: `oci:${join(root, 'layout')}:app`,
    rootfs: base.rootfs,
    appfs: join(root, 'appfs'),
    files,
  });
  const cached = async (): Promise<AppImage | undefined> =>
    existsSync(join(root, 'done')) ? image(JSON.parse(await readFile(join(root, 'files.json'), 'utf8')) as AppFile[]) : undefined;
  const ready = await cached();
  if (ready) return ready;
  return withBuildLock(root, async () => (await cached()) ?? (await buildAppImage(root, base.layout, image)));
};

const buildAppImage = async (root: string, baseLayout: string, image: (files: AppFile[]) => AppImage): Promise<AppImage> => {
  await rm(root, { recursive: true, force: true });
  const work = `${root}.building`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const files = await writeApplicationFiles(join(work, 'appfs'));
  const layout = join(work, 'layout');
  run('cp', ['-a', baseLayout, layout]);
  // umoci 0.4.7's `insert` writes a layer whose tar stream is cut short (no padding, no end
  // blocks); unpack and repack diffs the bundle instead, as bookwormImage() does.
  run('umoci', ['unpack', '--rootless', '--image', `${layout}:bookworm`, join(work, 'bundle')]);
  run('cp', ['-a', `${join(work, 'appfs')}/.`, join(work, 'bundle', 'rootfs')]);
  run('umoci', ['repack', '--history.created_by', 'COPY appfs/ /', '--image', `${layout}:app`, join(work, 'bundle')]);
  await rm(join(work, 'bundle'), { recursive: true, force: true });
  run('umoci', ['rm', '--image', `${layout}:bookworm`]);
  run('umoci', ['gc', '--layout', layout]);
  await writeFile(join(work, 'files.json'), `${JSON.stringify(files, null, 2)}\n`);
  await writeFile(join(work, 'done'), `${new Date().toISOString()}\n`);
  await rename(work, root);
  return image(files);
};
