/**
 * The tables, as both SQLite and PostgreSQL hold them: times are ISO-8601 UTC strings (they sort
 * as they read, on both), JSON is text, booleans are 0/1. No secret value has a column.
 */
export interface ClusterTable {
  name: string;
  created_at: string;
  last_contact_at: string | null;
  /** The sensor's id for the last snapshot applied: the same snapshot twice changes nothing. */
  last_snapshot_id: string | null;
  generation: number;
  /** The last change batch applied on top of `last_snapshot_id` (0 right after a full snapshot). */
  change_sequence: number;
  kube_version: string | null;
  sensor_version: string | null;
  workloads: number;
  active_violations: number;
}

export interface WorkloadTable {
  id: string;
  cluster: string;
  namespace: string;
  kind: string;
  name: string;
  uid: string | null;
  /** JSON array of image references. */
  images: string;
  replicas: number | null;
  service_account: string | null;
  spec_hash: string;
  first_seen: string;
  last_seen: string;
  /** Set when a snapshot no longer holds the workload; cleared if it comes back. */
  removed_at: string | null;
  risk_score: number | null;
  risk_priority: number | null;
  /** JSON array of the risk factors, with their evidence in words. */
  risk_factors: string | null;
  /** The factors without their evidence (id, name, multiplier): what a list page reads. */
  risk_summary: string | null;
  search: string;
}

export interface WorkloadChangeTable {
  id: string;
  workload_id: string;
  cluster: string;
  at: string;
  change: string;
  spec_hash: string;
}

export interface ViolationTable {
  id: string;
  cluster: string;
  namespace: string;
  object_kind: string;
  object_name: string;
  container: string;
  policy_id: string;
  policy_name: string;
  severity: string;
  severity_rank: number;
  /** JSON array. */
  categories: string;
  message: string;
  remediation: string;
  path: string;
  enforced: number;
  state: string;
  first_seen: string;
  last_seen: string;
  resolved_at: string | null;
  /** Who resolved it by hand (absent when the cause went away). */
  resolved_by: string | null;
  snoozed_until: string | null;
  /** The approved exception that covers it (state `excepted`). */
  exception_id: string | null;
  /** Lower-case text the substring search looks in. */
  search: string;
}

export interface TokenTable {
  id: string;
  name: string;
  role: string;
  /** SHA-256 of the secret: tokens carry 256 random bits, so a fast hash is enough and lookups stay O(1). */
  secret_hash: string;
  cluster_scope: string | null;
  namespace_scope: string | null;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface AuditTable {
  /** Time-ordered (milliseconds in hex, then random): paging by id is paging by time. */
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  /** JSON object. */
  detail: string;
}

/** One object of a cluster as its sensor reported it, Secret values already dropped. */
export interface ClusterObjectTable {
  cluster: string;
  /** `Kind namespace/name`, or `Kind name` for cluster-scoped objects. */
  key: string;
  kind: string;
  namespace: string;
  name: string;
  resource_version: string;
  /** JSON object. */
  body: string;
}

/** A report CI pushed: its metadata, counts by severity, and the report itself as JSON. */
export interface CiResultTable {
  /** Time-ordered: paging by id is paging by arrival. */
  id: string;
  repository: string;
  commit_sha: string;
  branch: string | null;
  pipeline: string | null;
  url: string | null;
  /** `manifests`, `image-scan` or `image-check`. */
  kind: string;
  /** What was scanned: the image, or the inputs. */
  subject: string;
  tool_version: string | null;
  received_at: string;
  actor: string;
  critical: number;
  high: number;
  medium: number;
  low: number;
  total: number;
  report: string;
}

/** A decision an admission webhook reported: denials, warnings and break-glass deploys. */
export interface AdmissionDecisionTable {
  id: string;
  cluster: string;
  /** When the webhook decided (its clock). */
  at: string;
  /** `''` for cluster-scoped objects. */
  namespace: string;
  /** `Kind namespace/name`. */
  object: string;
  operation: string;
  user_name: string | null;
  outcome: string;
  dry_run: number;
  reason: string | null;
  /** JSON array of `{policyId, severity, enforced, container?, message}`. */
  findings: string;
}

/** An exception: a policy × scope that a requester asked for and an approver decided, until it expires. */
export interface ExceptionTable {
  id: string;
  /** A policy id or glob (`*`). */
  policy: string;
  cluster: string | null;
  namespace: string | null;
  kind: string | null;
  name: string | null;
  /** Glob over the images of the workload. */
  image: string | null;
  reason: string;
  requested_by: string;
  requested_at: string;
  /** `requested`, `approved`, `denied`, `revoked` or `expired`. */
  state: string;
  decided_by: string | null;
  decided_at: string | null;
  comment: string | null;
  expires_at: string | null;
  revoked_by: string | null;
  revoked_at: string | null;
}

/** An image scan by digest: from CI (`image scan --push`), the server's own scans, or the demo. */
export interface ImageTable {
  digest: string;
  /** The name it was scanned under. */
  name: string;
  os: string | null;
  /** `ci`, `server` or `demo`. */
  source: string;
  scanned_at: string;
  packages: number;
  vulnerabilities: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  fixable: number;
  /** The `image scan --format json` report. */
  report: string;
}

/** Which digest a name (`registry.example.com/shop/web:1.4`) stands for, as the last scan found. */
export interface ImageNameTable {
  name: string;
  digest: string;
  updated_at: string;
}

/** A policy central judges with: the shipped ones (seeded at start) and those users wrote, with their state. */
export interface PolicyTable {
  id: string;
  /** 1 when Kubeward ships a policy with this id: it can be changed and disabled, not deleted. */
  builtin: number;
  enabled: number;
  /** Counts every change from 1. */
  version: number;
  /** The Policy document (JSON). */
  document: string;
  updated_at: string;
  updated_by: string;
}

/** Every version of every policy, deletions included: never deleted, so their count is the set's revision. */
export interface PolicyVersionTable {
  /** Time-ordered. */
  id: string;
  policy_id: string;
  version: number;
  /** `create`, `update`, `enable`, `disable`, `delete`, `upgrade` (a shipped policy changed by a new Kubeward). */
  change: string;
  enabled: number;
  document: string;
  at: string;
  actor: string;
}

export interface CentralDatabase {
  policies: PolicyTable;
  policy_versions: PolicyVersionTable;
  images: ImageTable;
  image_names: ImageNameTable;
  exceptions: ExceptionTable;
  admission_decisions: AdmissionDecisionTable;
  ci_results: CiResultTable;
  cluster_objects: ClusterObjectTable;
  clusters: ClusterTable;
  workloads: WorkloadTable;
  workload_changes: WorkloadChangeTable;
  violations: ViolationTable;
  api_tokens: TokenTable;
  audit_log: AuditTable;
}
