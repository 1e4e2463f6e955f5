import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

/** Bump when the recipe changes: binaries cached from an older recipe are rebuilt. */
const RECIPE = 'v1';
/** The cargo-auditable release the fixtures are built with (from crates.io, built here by `cargo install`). */
const CARGO_AUDITABLE = '0.7.7';

/** Outside the clone, so CI runs and sessions reuse what was built instead of building it again. */
export const testDataCache = (): string => process.env.KUBEWARD_TEST_DATA_CACHE ?? join(homedir(), '.cache', 'kubeward-test-data');

/** `cargo` on PATH, else rustup's default place (`$CARGO_HOME/bin`, `~/.cargo/bin`). */
export const cargoCommand = ((): string | undefined => {
  const candidates = ['cargo', join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin', 'cargo')];
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
})();

const run = (command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void => {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...options });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`${command} ${args.join(' ')} failed:\n${stderr.slice(-4000)}`, { cause: error });
  }
};

export interface CargoAuditableFixtures {
  /** Built by `cargo auditable build`: its `.dep-v0` section lists the crates below. */
  readonly auditable: string;
  /** The same crate built by plain `cargo build`: a Rust executable without dependency info. */
  readonly plain: string;
}

/**
 * Real Rust executables, built here from a tiny crate (`kubeward-fixture` 0.1.0) with crates from
 * crates.io: `itertools` 0.13.0 (which brings `either` 1.13.0) and `itoa` 1.0.11 at run time,
 * `version_check` 0.9.5 as a build dependency (for build.rs). cargo-auditable is installed
 * from crates.io into the cache on first use. Needs cargo and crates.io; the result is cached.
 */
export const cargoAuditableFixtures = async (): Promise<CargoAuditableFixtures> => {
  const cargo = cargoCommand;
  if (!cargo) throw new Error('cargo is not installed');
  const root = join(testDataCache(), `cargo-auditable-${RECIPE}`);
  const fixtures = { auditable: join(root, 'kubeward-fixture'), plain: join(root, 'kubeward-fixture-plain') };
  if (existsSync(join(root, 'done'))) return fixtures;

  const tool = join(testDataCache(), `cargo-auditable-tool-${CARGO_AUDITABLE}`);
  if (!existsSync(join(tool, 'bin', 'cargo-auditable'))) {
    run(cargo, [
      'install',
      'cargo-auditable',
      '--version',
      CARGO_AUDITABLE,
      '--locked',
      '--quiet',
      '--root',
      `${tool}.building`,
      '--target-dir',
      join(`${tool}.building`, 'target'),
    ]);
    await rm(join(`${tool}.building`, 'target'), { recursive: true, force: true });
    await rm(tool, { recursive: true, force: true });
    await rename(`${tool}.building`, tool);
  }

  const work = `${root}.building`;
  await rm(work, { recursive: true, force: true });
  await mkdir(join(work, 'crate', 'src'), { recursive: true });
  const crate = join(work, 'crate');
  await writeFile(
    join(crate, 'Cargo.toml'),
    [
      '[package]',
      'name = "kubeward-fixture"',
      'version = "0.1.0"',
      'edition = "2021"',
      'build = "build.rs"',
      '',
      '[dependencies]',
      'itertools = "=0.13.0"',
      'itoa = "=1.0.11"',
      '',
      '[build-dependencies]',
      'version_check = "=0.9.5"',
      '',
    ].join('\n'),
  );
  await writeFile(join(crate, 'build.rs'), 'fn main() {\n    let _ = version_check::is_min_version("1.0.0");\n}\n');
  await writeFile(
    join(crate, 'src', 'main.rs'),
    'use itertools::Itertools;\n\nfn main() {\n    let mut buffer = itoa::Buffer::new();\n    println!("{} {}", buffer.format(42), [1, 2, 3].iter().join(","));\n}\n',
  );
  const env = { ...process.env, PATH: `${join(tool, 'bin')}:${process.env.PATH ?? ''}`, CARGO_TARGET_DIR: join(work, 'target'), CARGO_TERM_COLOR: 'never' };
  run(cargo, ['generate-lockfile', '--quiet'], { cwd: crate, env });
  run(cargo, ['update', '--quiet', '--package', 'either', '--precise', '1.13.0'], { cwd: crate, env });
  run(cargo, ['auditable', 'build', '--release', '--locked', '--quiet'], { cwd: crate, env });
  await copyFile(join(work, 'target', 'release', 'kubeward-fixture'), join(work, 'kubeward-fixture'));
  run(cargo, ['build', '--release', '--locked', '--quiet'], { cwd: crate, env: { ...env, CARGO_TARGET_DIR: join(work, 'target-plain') } });
  await copyFile(join(work, 'target-plain', 'release', 'kubeward-fixture'), join(work, 'kubeward-fixture-plain'));
  await rm(join(work, 'target'), { recursive: true, force: true });
  await rm(join(work, 'target-plain'), { recursive: true, force: true });
  await writeFile(join(work, 'done'), `${new Date().toISOString()}\n`);
  await rm(root, { recursive: true, force: true });
  await rename(work, root);
  return fixtures;
};

/**
 * The oracle: the `.dep-v0` section as binutils extracts it (`objcopy --dump-section`), inflated.
 * Independent of Kubeward's own ELF reading.
 */
export const dumpDepSection = async (binary: string, scratch: string): Promise<Buffer> => {
  const out = join(scratch, 'dep-v0.z');
  run('objcopy', ['--dump-section', `.dep-v0=${out}`, binary, join(scratch, 'objcopy-discard')]);
  return inflateSync(await readFile(out));
};

export const hasObjcopy = ((): boolean => {
  try {
    execFileSync('objcopy', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
