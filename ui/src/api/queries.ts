import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  AuditEntry,
  Cluster,
  CveRiskEntry,
  NewToken,
  PolicyException,
  PolicyImportOutcome,
  PolicySummary,
  PolicyVersion,
  Token,
  ImageRiskEntry,
  Namespace,
  Page,
  Violation,
  ViolationAction,
  ViolationSummary,
  Workload,
  WorkloadDetail,
} from '../../../src/central/api/contract.js';
import { call, get, getText, type Query } from './client.js';

/** What every screen narrows to: the scope bar's cluster and namespace. */
export interface Scope {
  readonly cluster?: string | undefined;
  readonly namespace?: string | undefined;
}

const PAGE = 100;

/** A cursor-paged list, page after page as the table scrolls. */
const usePages = <T>(key: readonly unknown[], path: string, query: Query) =>
  useInfiniteQuery({
    queryKey: [...key, query],
    queryFn: ({ pageParam }) => get<Page<T>>(path, { ...query, limit: PAGE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next,
  });

export const useClusters = () => useQuery({ queryKey: ['clusters'], queryFn: () => get<{ items: Cluster[] }>('/api/v1/clusters') });

export const useNamespaces = (cluster: string | undefined) =>
  useQuery({ queryKey: ['namespaces', cluster], queryFn: () => get<{ items: Namespace[] }>('/api/v1/namespaces', { cluster }) });

export const useViolationSummary = (scope: Scope) =>
  useQuery({ queryKey: ['violations', 'summary', scope], queryFn: () => get<ViolationSummary>('/api/v1/violations/summary', { ...scope }) });

export interface WorkloadFilters extends Scope {
  readonly search?: string | undefined;
  readonly sort?: 'risk' | 'name' | undefined;
}
export const useWorkloadPages = (filters: WorkloadFilters) => usePages<Workload>(['workloads'], '/api/v1/workloads', { ...filters });

export const useWorkload = (id: string | undefined) =>
  useQuery({
    queryKey: ['workload', id],
    queryFn: () => get<WorkloadDetail>(`/api/v1/workloads/${encodeURIComponent(id ?? '')}`),
    enabled: id !== undefined,
  });

export interface ViolationFilters extends Scope {
  readonly state?: string | undefined;
  readonly severity?: string | undefined;
  readonly policy?: string | undefined;
  readonly workload?: string | undefined;
  readonly search?: string | undefined;
  readonly sort?: string | undefined;
}
export const useViolationPages = (filters: ViolationFilters) => usePages<Violation>(['violations', 'list'], '/api/v1/violations', { ...filters });

export const useViolation = (id: string | undefined) =>
  useQuery({ queryKey: ['violation', id], queryFn: () => get<Violation>(`/api/v1/violations/${encodeURIComponent(id ?? '')}`), enabled: id !== undefined });

export const useWorkloadViolations = (workload: string | undefined) =>
  useQuery({
    queryKey: ['violations', 'of', workload],
    queryFn: () => get<Page<Violation>>('/api/v1/violations', { workload, limit: 500 }),
    enabled: workload !== undefined,
  });

export const useImageRisk = (scope: Scope, top: number) =>
  useQuery({ queryKey: ['risk', 'images', scope, top], queryFn: () => get<{ items: ImageRiskEntry[] }>('/api/v1/risk/images', { ...scope, top }) });

export const useCveRisk = (scope: Scope, filters: { readonly fixable?: boolean; readonly kev?: boolean; readonly top: number }) =>
  useQuery({
    queryKey: ['risk', 'cves', scope, filters],
    queryFn: () => get<{ items: CveRiskEntry[] }>('/api/v1/risk/cves', { ...scope, ...filters }),
  });

/** Resolve, snooze, reactivate or except violations; the lists and counts are read again after. */
export const useViolationAction = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (action: ViolationAction) => call<{ changed: number }>('POST', '/api/v1/violations/actions', action),
    onSettled: () => Promise.all([client.invalidateQueries({ queryKey: ['violations'] }), client.invalidateQueries({ queryKey: ['violation'] })]),
  });
};

export const useExceptions = (state: string | undefined) => usePages<PolicyException>(['exceptions'], '/api/v1/exceptions', { state });

/** Approve, deny or revoke an exception; violations move with it, so they are read again too. */
export const useExceptionDecision = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, decision, comment }: { readonly id: string; readonly decision: 'approve' | 'deny' | 'revoke'; readonly comment?: string }) =>
      decision === 'revoke'
        ? call<PolicyException>('DELETE', `/api/v1/exceptions/${encodeURIComponent(id)}`)
        : call<PolicyException>('POST', `/api/v1/exceptions/${encodeURIComponent(id)}/${decision}`, comment ? { comment } : {}),
    onSettled: () => Promise.all([client.invalidateQueries({ queryKey: ['exceptions'] }), client.invalidateQueries({ queryKey: ['violations'] })]),
  });
};

export const useTokens = () => useQuery({ queryKey: ['tokens'], queryFn: () => get<{ items: Token[] }>('/api/v1/tokens') });

export const useTokenChange = () => {
  const client = useQueryClient();
  return {
    create: useMutation({
      mutationFn: (body: NewToken) => call<{ token: Token; secret: string }>('POST', '/api/v1/tokens', body),
      onSettled: () => client.invalidateQueries({ queryKey: ['tokens'] }),
    }),
    revoke: useMutation({
      mutationFn: (id: string) => call<{ revoked: boolean }>('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`),
      onSettled: () => client.invalidateQueries({ queryKey: ['tokens'] }),
    }),
  };
};

export const useAudit = (filters: { readonly actor?: string | undefined; readonly action?: string | undefined }) =>
  usePages<AuditEntry>(['audit'], '/api/v1/audit', { ...filters });

export interface PolicyFilters {
  readonly search?: string | undefined;
  readonly enabled?: string | undefined;
  readonly severity?: string | undefined;
  readonly stage?: string | undefined;
}
export const usePolicies = (filters: PolicyFilters) =>
  useQuery({ queryKey: ['policies', filters], queryFn: () => get<{ items: PolicySummary[] }>('/api/v1/policies', { ...filters }) });

export const usePolicyYaml = (id: string | undefined) =>
  useQuery({
    queryKey: ['policy', id, 'yaml'],
    queryFn: () => getText(`/api/v1/policies/${encodeURIComponent(id ?? '')}`, { format: 'yaml' }),
    enabled: id !== undefined,
  });

export const usePolicyVersions = (id: string | undefined) =>
  useQuery({
    queryKey: ['policy', id, 'versions'],
    queryFn: () => get<{ items: PolicyVersion[] }>(`/api/v1/policies/${encodeURIComponent(id ?? '')}/versions`),
    enabled: id !== undefined,
  });

/** Enable or disable a policy everywhere; its violations move on every cluster, so they are read again. */
export const usePolicySwitch = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, enable }: { readonly id: string; readonly enable: boolean }) =>
      call<PolicySummary>('POST', `/api/v1/policies/${encodeURIComponent(id)}/${enable ? 'enable' : 'disable'}`),
    onSettled: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: ['policies'] }),
        client.invalidateQueries({ queryKey: ['policy'] }),
        client.invalidateQueries({ queryKey: ['violations'] }),
      ]),
  });
};

/** Policy documents as YAML, or a StackRox export (JSON): all or nothing. */
export const usePolicyImport = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (text: string) => {
      const trimmed = text.trim();
      const body = trimmed.startsWith('{') ? { stackrox: JSON.parse(trimmed) as unknown } : { yaml: text };
      return call<PolicyImportOutcome>('POST', '/api/v1/policies/import', body);
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['policies'] }),
  });
};
