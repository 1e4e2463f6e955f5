// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The edges: front ends and the adapters that touch files, sockets, the API server, the
 * registry, the database or threads. Everything else under src/ is an engine.
 */
const ADAPTERS = [
  'src/cli/**', 'src/app/**', 'src/index.ts',
  'src/admission/server.ts', 'src/admission/pool.ts', 'src/admission/worker.ts', 'src/admission/certificates.ts',
  'src/sensor/**',
  'src/scan/run.ts', 'src/scan/worker.ts', 'src/scan/protocol.ts',
  'src/k8s/load.ts', 'src/k8s/index.ts',
  'src/policy/files.ts', 'src/policy/location.ts',
  'src/image/**', 'src/zip/**',
  'src/vulndb/store/**', 'src/vulndb/sources/**', 'src/vulndb/update.ts',
  '**/*.test.ts',
];

/** Node modules that perform I/O or read ambient state: engines must not touch them. */
const IO_MODULES = [
  ...['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'http2', 'dgram', 'dns', 'tls', 'os', 'worker_threads', 'cluster', 'process', 'readline', 'tty'].flatMap((name) => [name, `node:${name}`]),
  // Packages that do I/O.
  'better-sqlite3', 'pg', 'undici', '@kubernetes/client-node', 'node-forge', 'playwright-core',
];

const engineRestrictions = (extraPatterns = []) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: IO_MODULES.map((name) => ({ name, message: 'Engines are pure: do I/O in an adapter (src/cli, src/k8s/load.ts, src/policy/files.ts).' })),
      patterns: [
        { group: ['**/cli/**', '**/central/**', '**/admission/**'], message: 'Engines must not depend on the edges of the system.' },
        { group: ['**/k8s/load*', '**/policy/files*', '**/k8s/index*'], message: 'Import pure k8s modules directly (yaml, normalise), not the file loader.' },
        { group: ['**/vulndb/store/**', '**/vulndb/sources/**', '**/vulndb/update*', '**/image/sources/**', '**/image/cache*', '**/sensor/**', '**/app/**', '**/scan/run*'], message: 'Engines must not depend on adapters or use cases: take their results as values.' },
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
    // Every src file is an engine, pure over the model, unless it is declared an adapter here:
    // a new folder is guarded without anyone remembering to add it.
    files: ['src/**/*.ts'],
    ignores: ADAPTERS,
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
