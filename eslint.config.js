// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node modules that perform I/O or read ambient state: engines must not touch them. */
const IO_MODULES = [
  'fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'http2', 'dgram', 'dns', 'tls', 'os',
  'worker_threads', 'cluster', 'process', 'readline', 'tty',
].flatMap((name) => [name, `node:${name}`]);

const engineRestrictions = (extraPatterns = []) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: IO_MODULES.map((name) => ({ name, message: 'Engines are pure: do I/O in an adapter (src/cli, src/k8s/load.ts, src/policy/files.ts).' })),
      patterns: [
        { group: ['**/cli/**', '**/central/**', '**/admission/**'], message: 'Engines must not depend on the edges of the system.' },
        { group: ['**/k8s/load*', '**/policy/files*', '**/k8s/index*'], message: 'Import pure k8s modules directly (yaml, normalise), not the file loader.' },
        ...extraPatterns,
      ],
    },
  ],
  'no-restricted-globals': ['error', { name: 'process', message: 'Engines read no environment: pass values in.' }],
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'Engines read no clock: take `now` as a parameter.' },
    { object: 'Math', property: 'random', message: 'Engines are deterministic.' },
  ],
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    // The model is types and tiny helpers: it depends on nothing else in the project.
    files: ['src/model/**/*.ts'],
    rules: engineRestrictions([{ group: ['../*/**', '!./*'], message: 'The model imports nothing outside src/model.' }]),
  },
  {
    // Engines: pure functions over the model.
    files: ['src/policy/**/*.ts', 'src/report/**/*.ts', 'src/k8s/**/*.ts', 'src/risk/**/*.ts', 'src/rbac/**/*.ts', 'src/network/**/*.ts', 'src/admission/review.ts', 'src/scan/session.ts', 'src/scan/summary.ts', 'src/scan/wire.ts', 'src/vulndb/**/*.ts', 'src/image/catalog/**/*.ts', 'src/image/os.ts'],
    ignores: ['src/policy/files.ts', 'src/policy/location.ts', 'src/k8s/load.ts', 'src/k8s/index.ts', 'src/vulndb/store/**', 'src/vulndb/sources/**', 'src/vulndb/update.ts', '**/*.test.ts'],
    rules: engineRestrictions(),
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly' },
    },
  },
);
