/**
 * The defaults front ends show before any work starts (help text, version): light modules only,
 * so `kubeward --help` loads none of the pipelines behind them.
 */
export { BREAK_GLASS_ANNOTATION, DEFAULT_EXCLUDED_NAMESPACES } from '../admission/defaults.js';
export { builtInPolicyDirectory } from '../policy/files/defaults.js';
export { DEFAULT_MIRROR } from '../vulndb/defaults.js';
