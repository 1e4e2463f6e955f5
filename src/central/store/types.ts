import type { Severity } from '../../model/index.js';

/** What a token may see: everything, one cluster, or one namespace of one cluster. Every query honours it. */
export interface Scope {
  readonly cluster?: string | undefined;
  readonly namespace?: string | undefined;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass back as `cursor` for the next page; absent on the last one. */
  readonly next?: string;
}

export interface ClusterRecord {
  readonly name: string;
  readonly createdAt: string;
  readonly lastContactAt?: string;
  readonly generation: number;
  readonly kubeVersion?: string;
  readonly sensorVersion?: string;
  readonly workloads: number;
  readonly activeViolations: number;
}

export interface NamespaceRecord {
  readonly cluster: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly workloads: number;
  readonly activeViolations: number;
  readonly bySeverity: Readonly<Partial<Record<Severity, number>>>;
}

/** One multiplier of a workload's risk, with its evidence in words. */
export interface RiskFactorRecord {
  readonly id: string;
  readonly name: string;
  readonly multiplier: number;
  readonly evidence: readonly string[];
}

/** A workload as a snapshot states it, before central adds its history. */
export interface WorkloadState {
  readonly id: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly uid?: string | undefined;
  readonly images: readonly string[];
  readonly replicas?: number | undefined;
  readonly serviceAccount?: string | undefined;
  readonly specHash: string;
  readonly risk?: { readonly score: number; readonly priority: number; readonly factors: readonly RiskFactorRecord[] } | undefined;
}

/** A factor as a list gives it: what it is and weighs; the evidence comes with the one workload. */
export type RiskFactorSummary = Omit<RiskFactorRecord, 'evidence'> & { readonly evidence?: readonly string[] };

export interface WorkloadRecord extends Omit<WorkloadState, 'risk'> {
  readonly risk?: { readonly score: number; readonly priority: number; readonly factors: readonly RiskFactorSummary[] } | undefined;
  readonly cluster: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly removedAt?: string;
}

export interface WorkloadChangeRecord {
  readonly at: string;
  readonly change: 'created' | 'updated' | 'removed';
  /** The spec's hash after the change (before it, for a removal). */
  readonly specHash: string;
}

/** A violation as an evaluation finds it, before central adds its lifecycle. */
export interface ViolationState {
  readonly id: string;
  readonly namespace: string;
  readonly object: { readonly kind: string; readonly name: string };
  readonly container: string;
  readonly policy: { readonly id: string; readonly name: string };
  readonly severity: Severity;
  readonly categories: readonly string[];
  readonly message: string;
  readonly remediation: string;
  readonly path: string;
  readonly enforced: boolean;
  /** The approved exception covering it: the violation is kept, `excepted`, and adds no risk. */
  readonly exceptionId?: string | undefined;
}

export const VIOLATION_STATES = ['active', 'snoozed', 'resolved', 'excepted'] as const;
export type ViolationLifecycle = (typeof VIOLATION_STATES)[number];

export interface ViolationRecord extends ViolationState {
  readonly cluster: string;
  /** `snoozed` while `snoozedUntil` is ahead of the query's clock. */
  readonly state: ViolationLifecycle;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly resolvedAt?: string;
  readonly resolvedBy?: string;
  readonly snoozedUntil?: string;
}

export const EXCEPTION_STATES = ['requested', 'approved', 'denied', 'revoked', 'expired'] as const;
export type ExceptionState = (typeof EXCEPTION_STATES)[number];

/** What an exception covers: a policy (id or glob) in a scope; every field given must hold. */
export interface ExceptionScope {
  readonly cluster?: string | undefined;
  readonly namespace?: string | undefined;
  readonly kind?: string | undefined;
  readonly name?: string | undefined;
  /** Glob over the workload's images (`registry.example.com/legacy/*`). */
  readonly image?: string | undefined;
}

export interface NewException {
  readonly id: string;
  readonly policy: string;
  readonly scope: ExceptionScope;
  readonly reason: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly expiresAt?: string | undefined;
}

export interface ExceptionRecord extends NewException {
  readonly state: ExceptionState;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly comment?: string;
  readonly revokedBy?: string;
  readonly revokedAt?: string;
}

export interface ExceptionQuery {
  readonly scope: Scope;
  readonly state?: readonly ExceptionState[] | undefined;
  readonly policy?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** One object of a cluster as central keeps it: Secret values are dropped before it gets here. */
export interface StoredObject {
  /** `Kind namespace/name`, or `Kind name` for cluster-scoped objects. */
  readonly key: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/** How a batch changes the objects kept for a cluster: all of them anew, or some added, changed and deleted. */
export type ObjectChanges = { readonly replace: readonly StoredObject[] } | { readonly upserts: readonly StoredObject[]; readonly deletes: readonly string[] };

/** The objects kept for a cluster, and where its stream stands. */
export interface ClusterObjects {
  readonly generation: number;
  readonly snapshotId?: string;
  readonly sequence: number;
  /** Absent when the caller already holds this generation's objects (`unlessGeneration`). */
  readonly objects?: readonly StoredObject[];
}

export interface SnapshotIngest {
  readonly cluster: string;
  /** The sender's id for this snapshot: applying the same id twice changes nothing. */
  readonly snapshotId: string;
  /**
   * The change batch on top of that snapshot (0: the snapshot itself). A batch at or below the
   * last one applied is a duplicate and changes nothing.
   */
  readonly sequence?: number | undefined;
  /** The objects to keep for the cluster; absent, they stay as they are. */
  readonly objects?: ObjectChanges | undefined;
  /**
   * The generation the batch was judged against: if another ingest has moved the cluster on
   * since, nothing is applied and the store throws a `conflict` StoreError (judge again).
   */
  readonly basedOnGeneration?: number | undefined;
  readonly at: string;
  /** Judged again on the objects already kept (an exception or policy changed): the stream's position stays. */
  readonly rejudge?: boolean | undefined;
  readonly kubeVersion?: string | undefined;
  readonly sensorVersion?: string | undefined;
  readonly workloads: readonly WorkloadState[];
  readonly violations: readonly ViolationState[];
}

export interface IngestOutcome {
  readonly cluster: string;
  readonly generation: number;
  /** True when the snapshot id was the last one applied: nothing changed. */
  readonly duplicate: boolean;
  readonly workloads: { readonly created: number; readonly updated: number; readonly removed: number; readonly unchanged: number };
  readonly violations: { readonly opened: number; readonly reopened: number; readonly continuing: number; readonly resolved: number };
}

export const VIOLATION_SORTS = ['severity', 'firstSeen', 'lastSeen', 'policy'] as const;
export type ViolationSort = (typeof VIOLATION_SORTS)[number];

export interface ViolationQuery {
  readonly scope: Scope;
  readonly now: string;
  readonly cluster?: string | undefined;
  readonly namespace?: string | undefined;
  readonly policy?: string | undefined;
  /** One workload's violations; with `cluster` or `namespace` naming others, none. */
  readonly workload?: { readonly cluster: string; readonly namespace: string; readonly kind: string; readonly name: string } | undefined;
  readonly severity?: readonly Severity[] | undefined;
  readonly state?: readonly ViolationLifecycle[] | undefined;
  /** Substring, case-insensitive, in the policy, object, namespace, container and message. */
  readonly search?: string | undefined;
  readonly sort?: ViolationSort | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

export const WORKLOAD_SORTS = ['risk', 'name'] as const;
export type WorkloadSort = (typeof WORKLOAD_SORTS)[number];

export interface WorkloadQuery {
  readonly scope: Scope;
  readonly cluster?: string | undefined;
  readonly namespace?: string | undefined;
  readonly search?: string | undefined;
  readonly includeRemoved?: boolean | undefined;
  readonly sort?: WorkloadSort | undefined;
  /** Each factor with its evidence in words; without, a page carries what each factor is and weighs. */
  readonly evidence?: boolean | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

export type ViolationChange = { readonly resolve: true } | { readonly snoozeUntil: string } | { readonly reactivate: true };

export const ROLES = ['admin', 'analyst', 'viewer', 'sensor', 'ci', 'admission'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenRecord {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly scope: Scope;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly expiresAt?: string;
  readonly revokedAt?: string;
  readonly lastUsedAt?: string;
}

export interface NewToken {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly scope: Scope;
  readonly secretHash: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly expiresAt?: string | undefined;
}

/** A policy central judges with, as a user or a release last left it. */
export interface PolicyRecord {
  readonly id: string;
  /** Shipped with Kubeward: it can be changed and disabled, not deleted. */
  readonly builtin: boolean;
  readonly enabled: boolean;
  readonly version: number;
  /** The Policy document (the `kubeward.io/v1` custom resource). */
  readonly document: Readonly<Record<string, unknown>>;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export const POLICY_CHANGES = ['create', 'update', 'enable', 'disable', 'delete', 'upgrade'] as const;

export interface PolicyVersionRecord {
  readonly policyId: string;
  readonly version: number;
  readonly change: (typeof POLICY_CHANGES)[number];
  readonly enabled: boolean;
  readonly document: Readonly<Record<string, unknown>>;
  readonly at: string;
  readonly actor: string;
}

/** A write to one policy; but for `create`, it names the version it changes when the caller read one. */
export interface PolicyChange {
  readonly kind: 'create' | 'update' | 'delete';
  readonly id: string;
  readonly document?: Readonly<Record<string, unknown>> | undefined;
  readonly enabled?: boolean | undefined;
  readonly expectedVersion?: number | undefined;
  readonly actor: string;
  readonly at: string;
}

export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface AuditQuery {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
}

/** Open violations (active, not snoozed) counted by severity, by category and by policy. */
export interface ViolationSummary {
  readonly total: number;
  readonly bySeverity: Readonly<Record<Severity, number>>;
  /** Most first; a violation counts under each of its policy's categories. */
  readonly byCategory: readonly { readonly category: string; readonly count: number }[];
  /** Most first, the worst severity first among equals; at most `policies`. */
  readonly byPolicy: readonly { readonly id: string; readonly name: string; readonly severity: Severity; readonly count: number }[];
}

export interface SeverityCount {
  readonly cluster: string;
  readonly namespace: string;
  readonly severity: Severity;
  readonly count: number;
}

export const CI_KINDS = ['manifests', 'image-scan', 'image-check'] as const;
export type CiKind = (typeof CI_KINDS)[number];

/** Where a CI report came from. */
export interface CiMetadata {
  readonly repository: string;
  readonly commit: string;
  readonly branch?: string | undefined;
  readonly pipeline?: string | undefined;
  readonly url?: string | undefined;
}

export interface CiResultRecord extends CiMetadata {
  readonly id: string;
  readonly kind: CiKind;
  readonly subject: string;
  readonly toolVersion?: string;
  readonly receivedAt: string;
  readonly actor: string;
  /** Findings (manifests, image checks) or vulnerabilities (image scans) by severity. */
  readonly counts: { readonly critical: number; readonly high: number; readonly medium: number; readonly low: number; readonly total: number };
}

export interface NewCiResult extends Omit<CiResultRecord, 'toolVersion'> {
  readonly toolVersion?: string | undefined;
  readonly report: unknown;
}

export interface CiQuery {
  readonly repository?: string | undefined;
  readonly commit?: string | undefined;
  readonly kind?: CiKind | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** A repository's CI history in one line: how many reports, and the newest. */
export interface CiRepositoryRecord {
  readonly repository: string;
  readonly results: number;
  readonly latest: CiResultRecord;
}

export const ADMISSION_OUTCOMES = ['denied', 'warned', 'break-glass', 'allowed'] as const;
export type AdmissionOutcome = (typeof ADMISSION_OUTCOMES)[number];

export interface AdmissionFindingRecord {
  readonly policyId: string;
  readonly severity: string;
  readonly enforced: boolean;
  readonly container?: string | undefined;
  readonly message: string;
}

export interface AdmissionDecisionRecord {
  readonly id: string;
  readonly cluster: string;
  readonly at: string;
  readonly namespace: string;
  readonly object: string;
  readonly operation: string;
  readonly user?: string | undefined;
  readonly outcome: AdmissionOutcome;
  readonly dryRun: boolean;
  readonly reason?: string | undefined;
  readonly findings: readonly AdmissionFindingRecord[];
}

export interface AdmissionQuery {
  readonly scope: Scope;
  readonly cluster?: string | undefined;
  readonly namespace?: string | undefined;
  readonly outcome?: readonly AdmissionOutcome[] | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

export interface ImageRecord {
  readonly digest: string;
  readonly name: string;
  /** Every name that stands for this digest now. */
  readonly names: readonly string[];
  readonly os?: string;
  readonly source: 'ci' | 'server' | 'demo';
  readonly scannedAt: string;
  readonly packages: number;
  readonly vulnerabilities: {
    readonly total: number;
    readonly critical: number;
    readonly high: number;
    readonly medium: number;
    readonly low: number;
    readonly fixable: number;
  };
}

export interface NewImageScan extends Omit<ImageRecord, 'names'> {
  readonly report: unknown;
}

export interface ImageQuery {
  readonly search?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/**
 * Central's storage, one interface over SQLite and PostgreSQL. Every write that spans rows is one
 * transaction: a reader sees a snapshot wholly applied or not at all.
 */
export interface CentralStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** The schema version after the migrations applied at open. */
  readonly schemaVersion: number;
  readonly ping: () => Promise<void>;
  readonly close: () => Promise<void>;

  readonly registerCluster: (name: string, at: string) => Promise<ClusterRecord>;
  readonly listClusters: (scope: Scope) => Promise<ClusterRecord[]>;
  readonly getCluster: (name: string, scope: Scope) => Promise<ClusterRecord | undefined>;
  /** The namespaces of the clusters in scope: those the cluster declares and those holding workloads or violations. */
  readonly listNamespaces: (scope: Scope, cluster?: string) => Promise<NamespaceRecord[]>;
  readonly applySnapshot: (ingest: SnapshotIngest) => Promise<IngestOutcome>;
  /** Where a cluster's stream stands: the generation, the snapshot and the change batch last applied. */
  readonly streamPosition: (cluster: string) => Promise<Omit<ClusterObjects, 'objects'>>;
  /** The objects kept for a cluster and its stream's position; the objects are skipped when still at `unlessGeneration`. */
  readonly loadObjects: (cluster: string, unlessGeneration?: number) => Promise<ClusterObjects>;
  /**
   * A sensor's heartbeat (an empty change batch): records the contact and the sequence when the
   * batch follows the last one applied; false when it does not (the sensor must resync).
   */
  readonly touchCluster: (cluster: string, snapshotId: string, sequence: number, at: string) => Promise<boolean>;

  readonly listWorkloads: (query: WorkloadQuery) => Promise<Page<WorkloadRecord>>;
  /** One workload, removed or live, with its factors' evidence; undefined outside the scope. */
  readonly getWorkload: (id: string, scope: Scope) => Promise<WorkloadRecord | undefined>;
  /** What happened to a workload, newest first: created, updated (its spec changed), removed. */
  readonly workloadHistory: (id: string, limit: number) => Promise<WorkloadChangeRecord[]>;
  /** Every image name a live workload runs, in any cluster, once. */
  readonly workloadImages: () => Promise<string[]>;
  readonly listViolations: (query: ViolationQuery) => Promise<Page<ViolationRecord>>;
  readonly getViolation: (id: string, scope: Scope, now: string) => Promise<ViolationRecord | undefined>;
  /** Changes the violations among `ids` the scope can see, records the change in the audit log, and returns how many changed. */
  readonly changeViolations: (ids: readonly string[], change: ViolationChange, actor: string, at: string, scope: Scope) => Promise<number>;
  readonly countViolations: (scope: Scope) => Promise<SeverityCount[]>;
  /** The open violations of a scope (narrowed by `cluster` and `namespace`) counted for a dashboard. */
  readonly summariseViolations: (query: {
    readonly scope: Scope;
    readonly now: string;
    readonly cluster?: string | undefined;
    readonly namespace?: string | undefined;
    readonly policies: number;
  }) => Promise<ViolationSummary>;

  readonly listPolicies: () => Promise<PolicyRecord[]>;
  readonly getPolicy: (id: string) => Promise<PolicyRecord | undefined>;
  /**
   * Creates, changes or deletes a policy: a new version and an audit entry; undefined when there is
   * no such policy. A `conflict` StoreError when creating an id that exists, deleting a shipped
   * policy, or changing a version other than the current one.
   */
  readonly changePolicy: (change: PolicyChange) => Promise<PolicyRecord | undefined>;
  /** Newest first, deletions included. */
  readonly listPolicyVersions: (id: string) => Promise<PolicyVersionRecord[]>;
  /** Grows with every change to any policy: replicas compare it to know their set is current. */
  readonly policyRevision: () => Promise<number>;
  /** Adds the shipped policies central lacks, and moves those no user changed to this release's text. */
  readonly seedPolicies: (
    shipped: readonly { readonly id: string; readonly document: Readonly<Record<string, unknown>>; readonly enabled: boolean }[],
    at: string,
  ) => Promise<{ added: number; upgraded: number }>;

  readonly createToken: (token: NewToken) => Promise<TokenRecord>;
  /** The live token with this secret hash: not revoked, not expired at `at`; its last use is recorded. */
  readonly findToken: (secretHash: string, at: string) => Promise<TokenRecord | undefined>;
  readonly listTokens: () => Promise<TokenRecord[]>;
  readonly revokeToken: (id: string, actor: string, at: string) => Promise<boolean>;

  readonly addCiResult: (result: NewCiResult) => Promise<CiResultRecord>;
  /** Newest first. */
  readonly listCiResults: (query: CiQuery) => Promise<Page<CiResultRecord>>;
  readonly getCiResult: (id: string) => Promise<(CiResultRecord & { readonly report: unknown }) | undefined>;
  readonly listCiRepositories: () => Promise<CiRepositoryRecord[]>;

  readonly addAdmissionDecisions: (decisions: readonly AdmissionDecisionRecord[]) => Promise<number>;
  /** Newest first, within the scope. */
  readonly listAdmissionDecisions: (query: AdmissionQuery) => Promise<Page<AdmissionDecisionRecord>>;

  /** A requested exception (audited). */
  readonly requestException: (exception: NewException) => Promise<ExceptionRecord>;
  /** Approves or denies a requested exception (audited); undefined when there is none in that state within the scope. */
  readonly decideException: (
    id: string,
    decision: 'approved' | 'denied',
    actor: string,
    at: string,
    comment: string | undefined,
    scope: Scope,
  ) => Promise<ExceptionRecord | undefined>;
  /** Revokes a requested or approved exception (audited). */
  readonly revokeException: (id: string, actor: string, at: string, scope: Scope) => Promise<ExceptionRecord | undefined>;
  /** Marks approved exceptions whose time is up as expired; returns them. */
  readonly expireExceptions: (at: string) => Promise<ExceptionRecord[]>;
  readonly getException: (id: string, scope: Scope) => Promise<ExceptionRecord | undefined>;
  readonly listExceptions: (query: ExceptionQuery) => Promise<Page<ExceptionRecord>>;
  /** The approved, unexpired exceptions that can apply to a cluster (its own and those for every cluster). */
  readonly activeExceptions: (cluster: string, at: string) => Promise<ExceptionRecord[]>;

  /** Keeps a scan by digest (replacing an older one) and points its name at it. */
  readonly putImageScan: (scan: NewImageScan) => Promise<ImageRecord>;
  readonly getImage: (digest: string) => Promise<(ImageRecord & { readonly report: unknown }) | undefined>;
  /** Newest scans first. */
  readonly listImages: (query: ImageQuery) => Promise<Page<ImageRecord>>;
  /** Every scan's digest, time and names, without the reports: what changed since a caller last read them. */
  readonly imageIndex: () => Promise<{ readonly digest: string; readonly scannedAt: string; readonly names: readonly string[] }[]>;

  readonly appendAudit: (entry: AuditEntry) => Promise<void>;
  readonly listAudit: (query: AuditQuery) => Promise<Page<AuditEntry>>;
}
