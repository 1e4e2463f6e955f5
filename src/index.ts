/**
 * Kubeward as a library (`import { scanManifests } from 'kubeward'`): the use cases every front
 * end runs, and the model types they take and return. See docs/api.md.
 */
export {
  applyExceptions,
  ConfigurationError,
  describeLapsedException,
  failingFindings,
  KnownError,
  lapsedExceptions,
  loadConfig,
  resolvePolicySet,
  scanManifests,
  type Config,
  type LapsedException,
  type PolicySet,
  type PolicySetOptions,
  type ScanManifestsOptions,
  type ScanManifestsResult,
} from './app/index.js';
export type { Finding, InputProblem, KubeObject, ObjectRef, ScanReport, Severity } from './model/index.js';
export { SEVERITIES } from './model/index.js';
export { FORMAT_NAMES, RENDERERS, type FormatName } from './report/index.js';
