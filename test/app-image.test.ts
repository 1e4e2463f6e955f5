import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { ImageScan, InstalledPackage } from '../src/model/index.js';
import { kubeward } from './support/cli.js';
import { appImage, DEP_PARSER, hasAppImageTools, type AppFile, type AppImage } from './support/images.js';

const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'import importlib.metadata'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** go-dep-parser's expected libraries: the `{"name", "version", "license"}` entries of a Go variable. */
const expectedLibraries = async (file: string, variable: string): Promise<string[]> => {
  const source = await readFile(join(DEP_PARSER, file), 'utf8');
  const start = source.indexOf(`${variable} = []types.Library{`);
  assert.ok(start >= 0, `${variable} in ${file}`);
  const body = source.slice(start, source.indexOf('\n\t}', start));
  return [...body.matchAll(/\{"([^"]+)", "([^"]+)", "[^"]*"\}/g)].map((match) => `${match[1]} ${match[2]}`);
};

/** go-dep-parser's gemspec test table: the `want` Name and Version of the case reading `inputFile`. */
const expectedGemspec = async (file: string, inputFile: string): Promise<string[]> => {
  const source = await readFile(join(DEP_PARSER, file), 'utf8');
  const start = source.indexOf(`inputFile: "${inputFile}"`);
  assert.ok(start >= 0, `${inputFile} in ${file}`);
  const want = source.slice(start, source.indexOf('},', start));
  const name = /Name:\s+"([^"]+)"/.exec(want)?.[1];
  const version = /Version:\s+"([^"]+)"/.exec(want)?.[1];
  assert.ok(name && version, `the want of ${inputFile}`);
  return [`${name} ${version}`];
};

/** `go version -m`: the Go version (as `stdlib`, how Go's advisories name it), the main module and dependencies, replacements applied. */
const goVersionM = (binary: string): string[] => {
  const lines = execFileSync('go', ['version', '-m', binary], { encoding: 'utf8' }).split('\n');
  const goVersion = /: go(\S+)/.exec(lines[0] ?? '')?.[1];
  assert.ok(goVersion, `go version -m ${binary}`);
  const modules: { path: string; version: string }[] = [];
  for (const line of lines.slice(1)) {
    const [, kind, path, version] = line.split('\t');
    if ((kind === 'mod' || kind === 'dep') && path && version) modules.push({ path, version });
    else if (kind === '=>' && path) modules.splice(-1, 1, { path, version: version ?? '' });
  }
  return [
    `stdlib ${goVersion}`,
    ...modules.filter((module) => module.version && module.version !== '(devel)').map((module) => `${module.path} ${module.version}`),
  ];
};

/** Every `META-INF/maven/<group>/<artifact>/pom.properties` of an archive, read with unzip. */
const pomProperties = (archive: string): string[] =>
  execFileSync('unzip', ['-Z1', archive], { encoding: 'utf8' })
    .split('\n')
    .filter((entry) => /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(entry))
    .map((entry) => {
      const text = execFileSync('unzip', ['-p', archive, entry], { encoding: 'utf8' });
      const field = (key: string): string | undefined => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1]?.trim();
      return `${field('groupId')}:${field('artifactId')} ${field('version')}`;
    });

/** Python's own reading of distributions' metadata directories (one interpreter for all of them). */
const pythonMetadata = (() => {
  const cache = new Map<string, string>();
  return (image: AppImage, directory: string): string[] => {
    if (!cache.has(directory)) {
      const directories = image.files.filter((file) => file.oracle.kind === 'python-metadata').map((file) => dirname(join(image.appfs, file.target)));
      const script =
        'import importlib.metadata as m, pathlib, sys\nfor path in sys.argv[1:]:\n    d = m.PathDistribution(pathlib.Path(path))\n    print(d.metadata["Name"], d.version)';
      const lines = execFileSync('python3', ['-c', script, ...directories], { encoding: 'utf8' })
        .trim()
        .split('\n');
      directories.forEach((path, index) => cache.set(path, lines[index] ?? ''));
    }
    return [cache.get(directory) ?? ''];
  };
})();

/** What a file of the application layer holds, by its oracle, as sorted unique `name version`. */
const oracle = async (image: AppImage, file: AppFile): Promise<string[]> => {
  const local = join(image.appfs, file.target);
  const found = await (async (): Promise<string[]> => {
    switch (file.oracle.kind) {
      case 'libraries':
        return expectedLibraries(file.oracle.file, file.oracle.variable);
      case 'gemspec':
        return expectedGemspec(file.oracle.file, file.oracle.inputFile);
      case 'go-version-m':
        return goVersionM(local);
      case 'pom-properties':
        return pomProperties(local);
      case 'package-json': {
        const manifest = JSON.parse(await readFile(local, 'utf8')) as { name: string; version: string };
        return [`${manifest.name} ${manifest.version}`];
      }
      case 'python-metadata':
        return pythonMetadata(image, dirname(local));
    }
  })();
  return [...new Set(found)].sort();
};

/** The packages Kubeward found in a file (and in the archives nested in it). */
const foundIn = (scan: ImageScan, file: AppFile): InstalledPackage[] =>
  scan.packages.filter((pkg) => pkg.path === file.target || pkg.path.startsWith(`${file.target}!`));

describe(
  'kubeward image scan on a Debian 12 image with a layer of real application content',
  { skip: !hasAppImageTools && 'needs mmdebstrap, umoci, go, git and golang-github-aquasecurity-go-dep-parser-dev, as root' },
  () => {
    let image: AppImage;
    let scan: ImageScan;
    before(async () => {
      image = await appImage();
      const result = await kubeward(['image', 'scan', image.reference, '--no-vulnerabilities', '--format', 'json', '--quiet']);
      assert.equal(result.code, 0, result.stderr);
      scan = JSON.parse(result.stdout) as ImageScan;
    });

    it('reads three layers, the third made by the application step, with no problems', () => {
      assert.equal(scan.image.layers.length, 3);
      assert.deepEqual(scan.problems, []);
      assert.ok(image.files.length >= 20, `${image.files.length} application files`);
    });

    it('still lists exactly the packages dpkg lists, all from layer 1', () => {
      const oracleList = execFileSync('dpkg-query', [`--admindir=${join(image.rootfs, 'var/lib/dpkg')}`, '-W', '-f', '${Package} ${Version}\\n'], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n')
        .sort();
      const dpkg = scan.packages.filter((pkg) => pkg.cataloger === 'dpkg');
      assert.deepEqual(dpkg.map((pkg) => `${pkg.name} ${pkg.version}`).sort(), oracleList);
      assert.ok(dpkg.every((pkg) => pkg.layerIndex === 0 && pkg.layer === scan.image.layers[0]?.digest));
    });

    it('lists every other package from a file of the application layer, with layer 3', () => {
      const layer = scan.image.layers[2]?.digest;
      const applications = scan.packages.filter((pkg) => pkg.cataloger !== 'dpkg');
      assert.ok(applications.length > 300, `${applications.length} application packages`);
      for (const pkg of applications) {
        assert.equal(pkg.layerIndex, 2, `${pkg.name} ${pkg.version} (${pkg.path})`);
        assert.equal(pkg.layer, layer);
        assert.ok(
          image.files.some((file) => pkg.path === file.target || pkg.path.startsWith(`${file.target}!`)),
          `${pkg.path} is a file the layer added`,
        );
      }
    });

    // One test per cataloger: each file it reads lists exactly what the file's oracle says.
    for (const cataloger of ['npm', 'npm-lockfile', 'python', 'java-archive', 'go-binary', 'gemspec', 'bundler', 'cargo', 'composer', 'nuget']) {
      it(`${cataloger}: each file gives exactly what its oracle says`, { skip: cataloger === 'python' && !hasPython && 'needs python3' }, async () => {
        const files = image.files.filter((file) => file.cataloger === cataloger);
        assert.ok(files.length > 0, `the image has ${cataloger} files`);
        for (const file of files) {
          const expected = await oracle(image, file);
          assert.ok(expected.length > 0, `${file.target}: its oracle names packages`);
          const found = foundIn(scan, file);
          assert.ok(
            found.every((pkg) => pkg.cataloger === cataloger),
            `${file.target}: read by ${cataloger}`,
          );
          assert.deepEqual(
            [...new Set(found.map((pkg) => `${pkg.name} ${pkg.version}`))].sort(),
            expected,
            `${file.target} (${file.source}, ${file.oracle.kind})`,
          );
        }
      });
    }

    it('names the Go application built here at its tagged version, and its vendored modules at the versions Debian packaged', () => {
      const storefront = scan.packages.filter((pkg) => pkg.path === '/usr/local/bin/storefront');
      assert.equal(storefront.find((pkg) => pkg.name === 'example.com/storefront')?.version, 'v1.4.2');
      assert.ok(storefront.length >= 3, storefront.map((pkg) => pkg.name).join(', '));
      assert.equal(
        storefront.find((pkg) => pkg.name === 'stdlib')?.purl,
        `pkg:golang/stdlib@${execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim().replace(/^go/, '')}`,
      );
    });
  },
);
