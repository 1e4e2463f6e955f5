import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's own `policies/` directory: next to the package.json above this module, from src/ or dist/. */
export const builtInPolicyDirectory = (): string => {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('cannot find the kubeward package root');
    directory = parent;
  }
  return join(directory, 'policies');
};
