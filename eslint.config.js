// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import layers from './eslint/layers.js';

/**
 * The edges: front ends and the adapters that touch files, sockets, the API server, the
 * registry, the database or threads. Everything else under src/ is an engine.
 */
const ADAPTERS = [
  'src/cli/**',
  'src/app/**',
  'src/index.ts',
  'src/admission/index.ts',
  'src/admission/server.ts',
  'src/admission/pool.ts',
  'src/admission/worker.ts',
  'src/admission/certificates.ts',
  'src/sensor/**',
  'src/http-server/**',
  'src/central/store/**',
  'src/central/api/**',
  'src/central/index.ts',
  'src/central/serve.ts',
  'src/central/ingest.ts',
  'src/central/policies.ts',
  'src/central-client/**',
  'src/manifest-scan/index.ts',
  'src/manifest-scan/run.ts',
  'src/manifest-scan/worker.ts',
  'src/manifest-scan/protocol.ts',
  'src/k8s/files/**',
  'src/policy/files/**',
  'src/image/**',
  'src/zip/**',
  'src/vulndb/store/**',
  'src/vulndb/sources/**',
  'src/vulndb/update.ts',
  '**/*.test.ts',
];

/** Node modules that perform I/O or read ambient state: engines must not touch them. */
const IO_MODULES = [
  ...[
    'fs',
    'fs/promises',
    'child_process',
    'net',
    'http',
    'https',
    'http2',
    'dgram',
    'dns',
    'tls',
    'os',
    'worker_threads',
    'cluster',
    'process',
    'readline',
    'tty',
  ].flatMap((name) => [name, `node:${name}`]),
  // Packages that do I/O.
  'better-sqlite3',
  'pg',
  'undici',
  '@kubernetes/client-node',
  'node-forge',
  'playwright-core',
];

const engineRestrictions = (extraPatterns = []) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: IO_MODULES.map((name) => ({ name, message: 'Engines are pure: do I/O in an adapter (src/app, src/k8s/files, src/policy/files).' })),
      patterns: [
        { group: ['**/cli/**', '**/central/**', '**/admission/**'], message: 'Engines must not depend on the edges of the system.' },
        { group: ['**/k8s/files/**', '**/policy/files/**'], message: 'Engines read no files: take the loaded objects and policies as values.' },
        {
          group: [
            '**/vulndb/store/**',
            '**/vulndb/sources/**',
            '**/image/sources/**',
            '**/image/cache*',
            '**/sensor/**',
            '**/http-server/**',
            '**/central/store/**',
            '**/central/api/**',
            '**/app/**',
            '**/manifest-scan/**',
          ],
          message: 'Engines must not depend on adapters or use cases: take their results as values.',
        },
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
    // The shape of src/: faces, the CLI's reach, no cycles, functions a reader can hold in mind.
    files: ['src/**/*.ts'],
    plugins: { kubeward: layers, 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts'],
    },
    rules: {
      'kubeward/through-faces': 'error',
      'kubeward/cli-reach': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    // Tests and migrations (schema as a list of statements) read top to bottom at any length.
    ignores: ['**/*.test.ts', '**/migrations.ts'],
    rules: { 'max-lines-per-function': ['warn', { max: 80, skipBlankLines: true, skipComments: true }] },
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
