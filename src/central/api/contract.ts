/**
 * What the API answers, as types. The web console (ui/) imports them type-only, so a route's
 * schema and the screen that reads it cannot drift apart; nothing here reaches the bundle.
 */
import type { z } from 'zod';
import type { ImageRisk, VulnerabilityRisk } from '../../risk/index.js';
import type * as schemas from './schemas.js';

export type ApiErrorBody = z.output<typeof schemas.ApiErrorSchema>;
export interface Page<T> {
  readonly items: readonly T[];
  readonly next?: string;
}
export type Violation = z.output<typeof schemas.ViolationSchema>;
export type ViolationSummary = z.output<typeof schemas.ViolationSummarySchema>;
export type ViolationAction = z.input<typeof schemas.ViolationActionBody>;
export type Workload = z.output<typeof schemas.WorkloadSchema>;
export type WorkloadDetail = z.output<typeof schemas.WorkloadDetailSchema>;
export type Cluster = z.output<typeof schemas.ClusterSchema>;
export type Namespace = z.output<typeof schemas.NamespaceSchema>;
export type Image = z.output<typeof schemas.ImageSchema>;
export type Token = z.output<typeof schemas.TokenSchema>;
export type AuditEntry = z.output<typeof schemas.AuditEntrySchema>;
export type CiResult = z.output<typeof schemas.CiResultSchema>;
export type PolicyException = z.output<typeof schemas.ExceptionSchema>;
export type PolicySummary = z.output<typeof schemas.PolicySummary>;
export type PolicyDetail = z.output<typeof schemas.PolicyDetail>;
export type PolicyVersion = z.output<typeof schemas.PolicyVersion>;
export type PolicyImportOutcome = z.output<typeof schemas.ImportOutcome>;
export type NewToken = z.input<typeof schemas.NewTokenBody>;

/** `GET /api/v1/risk/images`: an image ranked in its cluster, as `kubeward risk --by image --format json`. */
export type ImageRiskEntry = JsonOf<ImageRisk> & { readonly cluster: string };
/** `GET /api/v1/risk/cves`: a CVE ranked in its cluster, as `kubeward risk --by cve --format json`. */
export type CveRiskEntry = JsonOf<VulnerabilityRisk> & { readonly cluster: string };

/** A value as JSON carries it: dates become strings. */
type JsonOf<T> = T extends Date
  ? string
  : T extends readonly (infer Item)[]
    ? readonly JsonOf<Item>[]
    : T extends object
      ? { readonly [Key in keyof T]: JsonOf<T[Key]> }
      : T;
