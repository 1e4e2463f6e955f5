import { mapSelectorMatches, type ClusterSnapshot, type Finding, type Severity, type Workload } from '../model/index.js';
import type { ConnectivityMap } from '../network/index.js';
import type { PermissionLevel, SubjectAssessment } from '../rbac/index.js';

/** One reason a workload ranks where it does: a multiplier, and the evidence in plain words. */
export interface RiskFactor {
  readonly id: string;
  readonly name: string;
  readonly multiplier: number;
  readonly evidence: readonly string[];
}

export interface WorkloadRisk {
  /** `namespace/Kind/name`. */
  readonly workload: string;
  readonly score: number;
  readonly factors: readonly RiskFactor[];
  /** The factors in one sentence, worst first. */
  readonly summary: string;
}

/** StackRox's normalisation: 1 + (raw / saturation) × (max − 1), capped at max. */
export const normalise = (raw: number, saturation: number, max: number): number => Math.min(max, 1 + (raw / saturation) * (max - 1));

const SEVERITY_SQUARE: Readonly<Record<Severity, number>> = { LOW: 1, MEDIUM: 4, HIGH: 9, CRITICAL: 16 };
const DANGEROUS_CAPABILITIES = new Set(['ALL', 'SYS_ADMIN', 'NET_ADMIN', 'SYS_MODULE']);
const RBAC_MULTIPLIER: Readonly<Record<PermissionLevel, number>> = { none: 1, 'namespace-limited': 1, 'elevated-in-namespace': 1.3, 'elevated-cluster-wide': 1.6, 'cluster-admin': 2 };

export interface RiskInput {
  readonly snapshot: ClusterSnapshot;
  /** Policy findings (suppressed ones do not count). */
  readonly findings: readonly Finding[];
  readonly network: ConnectivityMap;
  readonly rbac: readonly SubjectAssessment[];
}

const idOf = (workload: Workload): string => `${workload.namespace ?? 'default'}/${workload.kind}/${workload.name}`;

/**
 * Ranks workloads by risk in their Kubernetes context: StackRox's deployment multipliers (policy
 * violations, service configuration, reachability) and what StackRox lacks (whether
 * NetworkPolicies isolate the workload at all, the RBAC level of its service account), each
 * with its evidence. Image factors join when image scans are given (the risk issue's next step);
 * until then each workload says its images were not scanned.
 */
export const rankWorkloads = (input: RiskInput): WorkloadRisk[] => {
  const isolation = new Map(input.network.isolation.map((entry) => [entry.workload, entry]));
  const levels = new Map(input.rbac.filter((entry) => entry.subject.kind === 'ServiceAccount').map((entry) => [`${entry.subject.namespace}/${entry.subject.name}`, entry]));
  return input.snapshot.workloads
    .map((workload): WorkloadRisk => {
      const id = idOf(workload);
      const namespace = workload.namespace ?? 'default';
      const factors: RiskFactor[] = [];

      const findings = input.findings.filter((finding) => !finding.suppressed && finding.object.kind === workload.kind && finding.object.name === workload.name && (finding.object.namespace ?? 'default') === namespace);
      if (findings.length > 0) {
        const raw = findings.reduce((sum, finding) => sum + SEVERITY_SQUARE[finding.severity], 0);
        const worst = [...findings].sort((a, b) => SEVERITY_SQUARE[b.severity] - SEVERITY_SQUARE[a.severity]);
        factors.push({ id: 'policy-violations', name: 'Policy violations', multiplier: normalise(raw, 50, 4), evidence: worst.slice(0, 5).map((finding) => `${finding.severity} ${finding.policyName}${finding.container ? ` (container ${finding.container})` : ''}`) });
      }

      const config: string[] = [];
      let configRaw = 0;
      const containers = workload.pod.containers.filter((container) => container.type !== 'ephemeral');
      if (containers.some((container) => container.volumeMounts.some((mount) => !mount.readOnly && mount.volume !== undefined && mount.volume.type !== 'emptyDir'))) {
        configRaw++;
        config.push('mounts a volume read-write');
      }
      const secrets = new Set<string>();
      for (const container of containers) {
        for (const env of container.env) if (env.source === 'SECRET_KEY' && env.ref) secrets.add(env.ref.name);
        for (const from of container.envFrom) if (from.kind === 'Secret') secrets.add(from.name);
      }
      for (const volume of workload.pod.volumes) if (volume.type === 'secret') secrets.add(volume.source);
      if (secrets.size > 0) {
        configRaw++;
        config.push(`uses Secrets ${[...secrets].sort().join(', ')}`);
      }
      for (const container of containers) {
        for (const capability of container.securityContext.capabilities.add) {
          if (DANGEROUS_CAPABILITIES.has(capability.toUpperCase().replace(/^CAP_/, ''))) {
            configRaw++;
            config.push(`container ${container.name} adds ${capability}`);
          }
        }
      }
      if (containers.every((container) => container.securityContext.capabilities.drop.length === 0)) {
        configRaw++;
        config.push('drops no capability');
      }
      const privileged = containers.filter((container) => container.securityContext.privileged === true);
      if (privileged.length > 0) {
        configRaw *= 2;
        config.push(`runs privileged (${privileged.map((container) => container.name).join(', ')})`);
      }
      if (configRaw > 0) factors.push({ id: 'service-configuration', name: 'Service configuration', multiplier: normalise(configRaw, 8, 2), evidence: config });

      // Reachability as StackRox counts it: per port, 3 from outside (LoadBalancer, Ingress), 2 node ports, 1 inside.
      let reachRaw = 0;
      const reach: string[] = [];
      for (const service of input.snapshot.services) {
        if ((service.namespace ?? 'default') !== namespace || !service.selector || !mapSelectorMatches(service.selector, workload.podLabels)) continue;
        const routed = input.snapshot.ingresses.filter((ingress) => (ingress.namespace ?? 'default') === namespace && ingress.backends.some((backend) => backend.serviceName === service.name));
        const points = service.type === 'LoadBalancer' || service.externalIPs.length > 0 || routed.length > 0 ? 3 : service.type === 'NodePort' ? 2 : 1;
        reachRaw += points * Math.max(1, service.ports.length);
        const ports = service.ports.map((port) => port.port).join(', ');
        reach.push(
          points === 3
            ? `reachable from the internet through ${routed.length > 0 ? `Ingress ${routed.map((ingress) => ingress.name).join(', ')} → ` : ''}Service ${service.name} (${service.type}, port ${ports})`
            : points === 2
              ? `reachable on every node through Service ${service.name} (NodePort, port ${ports})`
              : `reachable in the cluster through Service ${service.name} (port ${ports})`,
        );
      }
      if (reachRaw > 0) factors.push({ id: 'service-reachability', name: 'Service reachability', multiplier: normalise(reachRaw, 10, 2), evidence: reach });

      const isolated = isolation.get(id);
      if (isolated && (!isolated.ingress || !isolated.egress)) {
        const evidence = [
          ...(isolated.ingress ? [] : ['no NetworkPolicy isolates its ingress: any pod (and any address) may connect']),
          ...(isolated.egress ? [] : ['no NetworkPolicy isolates its egress: it may connect anywhere']),
        ];
        factors.push({ id: 'network-isolation', name: 'Network isolation', multiplier: (isolated.ingress ? 1 : 1.3) * (isolated.egress ? 1 : 1.1), evidence });
      }

      const account = levels.get(`${namespace}/${workload.pod.serviceAccountName}`);
      if (account && RBAC_MULTIPLIER[account.level] > 1) {
        factors.push({
          id: 'rbac-permissions',
          name: 'Service account permissions',
          multiplier: RBAC_MULTIPLIER[account.level],
          evidence: [`service account ${workload.pod.serviceAccountName} is ${account.level}`, ...account.flags.map((flag) => `can ${flag.title.replace(/ \(.*\)$/, '')}${flag.scope === 'cluster' ? ' cluster-wide' : ` in namespace ${flag.scope}`}`)],
        });
      }

      factors.push({ id: 'image-not-scanned', name: 'Image vulnerabilities', multiplier: 1, evidence: ['image not scanned'] });
      const score = factors.reduce((product, factor) => product * factor.multiplier, 1);
      const ranked = [...factors].sort((a, b) => b.multiplier - a.multiplier);
      const summary = ranked.flatMap((factor) => factor.evidence.slice(0, 2)).join('; ');
      return { workload: id, score: Number(score.toFixed(2)), factors: ranked, summary };
    })
    .sort((a, b) => b.score - a.score || a.workload.localeCompare(b.workload));
};
