/** Policy files on disk: the built-in directory, and policy YAML read, validated and located. */
export { builtInPolicyDirectory } from './defaults.js';
export { loadPolicyPath, readPolicyText, type LoadedPolicies } from './read.js';
