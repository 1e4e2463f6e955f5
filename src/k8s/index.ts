export { parseYamlStream, locate, DEFAULT_YAML_LIMITS, type ParsedDocument, type YamlLimits, type Position } from './yaml.js';
export { normaliseDocument, type DocumentContext, type NormalisedDocument } from './normalise.js';
export { buildSnapshot, snapshotObjects } from './snapshot.js';
export { parseImageName } from './image.js';
export { parseQuantity } from './quantity.js';
export { compileGlobs } from './glob.js';
export { loadInputs, DEFAULT_LOAD_OPTIONS, type LoadOptions, type LoadResult } from './load.js';
