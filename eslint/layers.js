// @ts-check
/**
 * Kubeward's own lint rules for the shape of src/: a folder is entered through its face
 * (index.ts), and the CLI reaches no further than the use cases, the model and the renderers.
 */
import { basename, dirname, relative, resolve, sep } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Light modules (constants, error classes) may be imported past a face, so that start-up loads no folder whole. */
const LIGHT = new Set(['index.js', 'names.js', 'defaults.js', 'errors.js']);

/** The src-relative path an import names, or undefined when it is a package or leaves src. */
const target = (file, specifier) => {
  if (!specifier.startsWith('.')) return undefined;
  const path = relative(SRC, resolve(dirname(file), specifier));
  return path.startsWith('..') ? undefined : path.split(sep);
};

const importsOf = (context, check) => {
  const file = context.filename;
  const from = relative(SRC, file).split(sep);
  if (from[0] === '..' || file.endsWith('.test.ts')) return {};
  const visit = (node) => {
    if (!node.source || typeof node.source.value !== 'string') return;
    const to = target(file, node.source.value);
    if (to) check(node, from, to);
  };
  return { ImportDeclaration: visit, ExportNamedDeclaration: visit, ExportAllDeclaration: visit, ImportExpression: visit };
};

const throughFaces = {
  meta: { type: 'problem', docs: { description: "imports across top-level folders of src go through the folder's index.ts" }, schema: [] },
  create: (context) =>
    importsOf(context, (node, from, to) => {
      if (from.length === 1 || to.length === 1 || from[0] === to[0]) return;
      const name = basename(to.at(-1) ?? '');
      if (LIGHT.has(name)) return;
      context.report({
        node: node.source,
        message: `import ${to.slice(0, -1).join('/')} through its index.ts, not ${to.join('/')}: a folder's index is its only face`,
      });
    }),
};

/** What the CLI may reach besides itself: the use cases, central's (the server is a use case of its own), the model, the renderers. */
const CLI_REACH = new Set(['app', 'central', 'model', 'report', 'cli']);

const cliReach = {
  meta: { type: 'problem', docs: { description: 'src/cli imports only the use cases (app), the model and the report renderers' }, schema: [] },
  create: (context) =>
    importsOf(context, (node, from, to) => {
      if (from[0] !== 'cli' || CLI_REACH.has(to[0] ?? '')) return;
      context.report({ node: node.source, message: `the CLI parses, calls a use case and renders: reach ${to.join('/')} through src/app, not directly` });
    }),
};

export default { rules: { 'through-faces': throughFaces, 'cli-reach': cliReach } };
