import { githubRenderer } from './github.js';
import { jsonRenderer } from './json.js';
import { junitRenderer } from './junit.js';
import { sarifRenderer } from './sarif.js';
import { tableRenderer } from './table.js';
import type { FormatName } from './names.js';
import type { Renderer } from './types.js';

export { FORMAT_NAMES, type FormatName } from './names.js';

export { renderToString, type Renderer, type RenderOptions } from './types.js';

/** Every output format, by name: the one place a new format is added. */
export const RENDERERS = {
  table: tableRenderer,
  json: jsonRenderer,
  sarif: sarifRenderer,
  junit: junitRenderer,
  github: githubRenderer,
} as const satisfies Record<FormatName, Renderer>;
