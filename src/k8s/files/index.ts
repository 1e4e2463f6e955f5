/** Manifests read from disk, stdin, Helm charts and Kustomize directories, bounded and safe against hostile input. */
export {
  loadInputs,
  readInputs,
  readEntries,
  discoverInputs,
  displayPath,
  readBounded,
  DEFAULT_LOAD_OPTIONS,
  type LoadOptions,
  type LoadResult,
  type InputEvent,
  type InputEntry,
  type DecodedText,
} from './load.js';
