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
export { judgeCluster, rankRisk, type ClusterJudgement, type JudgeClusterOptions, type RankRiskOptions } from './rank-risk.js';
export { loadClusterSnapshot, snapshotFromObjects, type LoadClusterOptions } from './snapshot.js';
export {
  databaseDirectory,
  importVulnDb,
  matchPurls,
  openVulnDb,
  updatePlan,
  updateVulnDb,
  vulnDbStatus,
  type ImportVulnDbOptions,
  type UpdateVulnDbOptions,
} from './vulndb.js';
export type { ImportTally } from '../vulndb/store/index.js';
export { accessRequest, explainSubject, reviewRbac, whoCanInCluster } from './review-rbac.js';
export { diffNetwork, generateNetworkPolicies, mapNetwork, readFlows } from './map-network.js';
export type { Flow } from '../network/index.js';
export type { AccessRequest, RbacProblem } from '../rbac/index.js';
export { checkImage, imagePolicies, type CheckImageOptions } from './check-image.js';
export { openImageCache, readImageScanReport, scanFilesystem, scanImage, scanSbom, type SbomScan, type ScanImageOptions } from './scan-image.js';
export { gatherImages, type GatherImagesOptions } from './rank-risk.js';
export type { ImageScanStore, RegistryOptions } from '../image/index.js';
export type { VulnerabilityDatabase } from '../vulndb/store/index.js';
export {
  admissionInstall,
  admissionPolicies,
  admissionRecord,
  serveAdmission,
  type AdmissionInstallOptions,
  type AdmissionService,
  type ServeAdmissionOptions,
} from './serve-admission.js';
export { connectToCluster, watchCluster, type CentralStream, type ClusterConnection, type WatchClusterOptions } from './watch-cluster.js';
export { openCentral, type CentralAddress } from './central.js';
export { serverImageScanning, type ServerImageScanningOptions } from './central-images.js';
export type { AdmissionCentralEvent } from './admission-central.js';
export { pushMetadata, pushReport, reportKind, type PushedReport, type PushKind, type PushMetadata } from './push-report.js';
export type { SensorEvent, SensorState, ShipperCounters, ShipperEvent } from '../sensor/index.js';
export {
  explainPolicy,
  exportVap,
  importStackRoxPolicies,
  listPolicies,
  policyFields,
  testPolicies,
  type CatalogueOptions,
  type ExportVapOptions,
  type PolicyTestEvent,
} from './policy-catalogue.js';
