/**
 * The use cases: one function per job, run the same way by every front end (the CLI, the HTTP
 * server, the sensor, the admission webhook). They take plain options and return model values;
 * front ends parse arguments, call one, and render what it returns.
 */
export { CONFIG_FILE_NAMES, loadConfig, type Config } from './config.js';
export { ConfigurationError, KnownError } from './errors.js';
export {
  applyExceptions,
  describeLapsedException,
  formatPolicyProblem,
  lapsedExceptions,
  resolvePolicies,
  resolvePolicySet,
  type LapsedException,
  type PolicyOptions,
  type PolicySet,
  type PolicySetOptions,
} from './policies.js';
export { failingFindings, scanManifests, type ScanManifestsOptions, type ScanManifestsResult } from './scan-manifests.js';
export { rankRisk, type RankRiskOptions } from './rank-risk.js';
export { loadClusterSnapshot, type LoadClusterOptions } from './snapshot.js';
export { databaseDirectory, openVulnDb } from './vulndb.js';
export { explainSubject, reviewRbac, whoCanInCluster } from './review-rbac.js';
export { diffNetwork, generateNetworkPolicies, mapNetwork } from './map-network.js';
export { checkImage, imagePolicies, type CheckImageOptions } from './check-image.js';
