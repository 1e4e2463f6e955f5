import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the directory of package.json), from compiled tests under dist/ or sources. */
export const repoRoot = (): string => {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) directory = dirname(directory);
  return directory;
};

export const repoPath = (...parts: string[]): string => join(repoRoot(), ...parts);

/**
 * Third-party data shared by the projects on this machine (never copied into the repo):
 * `$KUBEWARD_SHARED_DATA`, else `../shared/data` beside the checkout, else `/work/shared/data`.
 */
export const sharedDataRoot = (): string => {
  const candidates = [process.env.KUBEWARD_SHARED_DATA, join(repoRoot(), '..', 'shared', 'data'), '/work/shared/data'].filter((path): path is string =>
    Boolean(path),
  );
  const found = candidates.find((path) => existsSync(join(path, 'osv')));
  if (!found) throw new Error(`the shared test data is missing (looked in ${candidates.join(', ')}); set KUBEWARD_SHARED_DATA`);
  return found;
};

export const sharedDataPath = (...parts: string[]): string => join(sharedDataRoot(), ...parts);

export const temporaryDirectory = (): Promise<string> => mkdtemp(join(tmpdir(), 'kubeward-test-'));
