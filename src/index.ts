/**
 * Kubeward as a library (`import { scanManifests } from 'kubeward'`): the use cases every front
 * end runs, the model types they take and return, and the renderers of their reports. See docs/api.md.
 */
export * from './app/index.js';
export type { DatabaseStatus, Finding, ImageScan, InputProblem, KubeObject, ObjectRef, ScanReport, Severity, VulnerabilityMatch } from './model/index.js';
export { REPORT_SCHEMA_VERSIONS, SEVERITIES } from './model/index.js';
export { FORMAT_NAMES, RENDERERS, type FormatName } from './report/index.js';
export { IMAGE_FORMAT_NAMES, IMAGE_RENDERERS } from './report/image/index.js';
export { RISK_FORMATS, RISK_RENDERERS, type RiskReport } from './report/risk/index.js';
export { NETWORK_DIFF_RENDERERS, NETWORK_MAP_RENDERERS } from './report/network/index.js';
export { RBAC_RENDERERS, type RbacReport } from './report/rbac/index.js';
export { DB_MATCH_RENDERERS, DB_STATUS_RENDERERS, type DbMatchReport, type DbStatusReport } from './report/vulndb/index.js';
export {
  POLICY_EXPLAIN_RENDERERS,
  POLICY_FIELD_RENDERERS,
  POLICY_LIST_RENDERERS,
  type PolicyExplainReport,
  type PolicyListReport,
} from './report/policy/index.js';
