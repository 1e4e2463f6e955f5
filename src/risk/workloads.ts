import { mapSelectorMatches, type ClusterSnapshot, type Finding, type Service, type Severity, type Workload } from '../model/index.js';
import { groupByController } from '../k8s/index.js';
import type { Isolation } from '../network/index.js';
import type { PermissionLevel, SubjectAssessment } from '../rbac/index.js';
import { normalise, scoreOf, type RiskFactor } from './factor.js';
import { imageFactors, imageLookup, type ScannedImage } from './images.js';

export interface WorkloadRisk {
  /** `namespace/Kind/name`. */
  readonly workload: string;
  readonly score: number;
  readonly factors: readonly RiskFactor[];
  /** The factors in one sentence, worst first. */
  readonly summary: string;
  /** Each container's image, and whether a scan of it was given. */
  readonly images: readonly { readonly container: string; readonly image: string; readonly scanned: boolean }[];
  /** For a controller the input does not hold: the pods it was ranked from. */
  readonly inferredFrom?: readonly string[];
}

const SEVERITY_SQUARE: Readonly<Record<Severity, number>> = { LOW: 1, MEDIUM: 4, HIGH: 9, CRITICAL: 16 };
const DANGEROUS_CAPABILITIES = new Set(['ALL', 'SYS_ADMIN', 'NET_ADMIN', 'SYS_MODULE']);
const RBAC_MULTIPLIER: Readonly<Record<PermissionLevel, number>> = {
  none: 1,
  'namespace-limited': 1,
  'elevated-in-namespace': 1.3,
  'elevated-cluster-wide': 1.6,
  'cluster-admin': 2,
};

export interface RiskInput {
  readonly snapshot: ClusterSnapshot;
  /** Policy findings (suppressed ones do not count). */
  readonly findings: readonly Finding[];
  /** NetworkPolicy isolation per workload (`computeIsolation`). */
  readonly isolation: readonly Isolation[];
  readonly rbac: readonly SubjectAssessment[];
  /** Scans of the images workloads run; a workload whose images have none says so. */
  readonly images?: readonly ScannedImage[];
  /** For image age. */
  readonly now: Date;
}

export const workloadId = (workload: Workload): string => `${workload.namespace ?? 'default'}/${workload.kind}/${workload.name}`;

/**
 * Ranks workloads by risk in their Kubernetes context: StackRox's deployment multipliers (policy
 * violations, service configuration, reachability) and what StackRox lacks (whether
 * NetworkPolicies isolate the workload at all, the RBAC level of its service account), each
 * with its evidence. Image factors join when image scans are given (the risk issue's next step);
 * until then each workload says its images were not scanned.
 */
export const rankWorkloads = (input: RiskInput): WorkloadRisk[] => {
  const isolation = new Map(input.isolation.map((entry) => [entry.workload, entry]));
  const levels = new Map(
    input.rbac.filter((entry) => entry.subject.kind === 'ServiceAccount').map((entry) => [`${entry.subject.namespace}/${entry.subject.name}`, entry]),
  );
  // Pods of a ReplicaSet of a Deployment are ranked as the Deployment, their findings with it.
  const { workloads, memberOf } = groupByController(input.snapshot.workloads);
  const findingsOf = new Map<string, Finding[]>();
  for (const finding of input.findings) {
    if (finding.suppressed) continue;
    const own = `${finding.object.namespace ?? 'default'}/${finding.object.kind}/${finding.object.name}`;
    const key = memberOf.get(own) ?? own;
    const list = findingsOf.get(key);
    if (list) list.push(finding);
    else findingsOf.set(key, [finding]);
  }
  const servicesOf = new Map<string, Service[]>();
  for (const service of input.snapshot.services) {
    const namespace = service.namespace ?? 'default';
    const list = servicesOf.get(namespace);
    if (list) list.push(service);
    else servicesOf.set(namespace, [service]);
  }
  const routedTo = new Map<string, string[]>();
  const route = (namespace: string | undefined, service: string, via: string): void => {
    const key = `${namespace ?? 'default'}/${service}`;
    const list = routedTo.get(key) ?? [];
    if (!list.includes(via)) list.push(via);
    routedTo.set(key, list);
  };
  for (const ingress of input.snapshot.ingresses)
    for (const backend of ingress.backends) route(ingress.namespace, backend.serviceName, `Ingress ${ingress.name}`);
  // OpenShift Routes expose Services from outside as Ingresses do.
  for (const object of input.snapshot.others) for (const service of object.route?.services ?? []) route(object.namespace, service, `Route ${object.name}`);
  const scanOf = imageLookup(input.images ?? []);
  const factorsOfImage = new Map<ScannedImage, RiskFactor[]>();
  const imageFactorsOf = (image: ScannedImage): RiskFactor[] => {
    let factors = factorsOfImage.get(image);
    if (!factors) factorsOfImage.set(image, (factors = imageFactors(image, input.now)));
    return factors;
  };
  return workloads
    .map((workload): WorkloadRisk => {
      const id = workloadId(workload);
      const namespace = workload.namespace ?? 'default';
      const factors: RiskFactor[] = [];

      const findings = findingsOf.get(id) ?? [];
      if (findings.length > 0) {
        const raw = findings.reduce((sum, finding) => sum + SEVERITY_SQUARE[finding.severity], 0);
        const worst = [...findings].sort((a, b) => SEVERITY_SQUARE[b.severity] - SEVERITY_SQUARE[a.severity]);
        factors.push({
          id: 'policy-violations',
          name: 'Policy violations',
          multiplier: normalise(raw, 50, 4),
          evidence: worst
            .slice(0, 5)
            .map((finding) => `${finding.severity} ${finding.policyName}${finding.container ? ` (container ${finding.container})` : ''}`),
        });
      }

      const config: string[] = [];
      let configRaw = 0;
      const containers = workload.pod.containers.filter((container) => container.type !== 'ephemeral');
      if (
        containers.some((container) =>
          container.volumeMounts.some((mount) => !mount.readOnly && mount.volume !== undefined && mount.volume.type !== 'emptyDir'),
        )
      ) {
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
      for (const service of servicesOf.get(namespace) ?? []) {
        if (!service.selector || !mapSelectorMatches(service.selector, workload.podLabels)) continue;
        const routed = routedTo.get(`${namespace}/${service.name}`) ?? [];
        const points = service.type === 'LoadBalancer' || service.externalIPs.length > 0 || routed.length > 0 ? 3 : service.type === 'NodePort' ? 2 : 1;
        reachRaw += points * Math.max(1, service.ports.length);
        const ports = service.ports.map((port) => port.port).join(', ');
        reach.push(
          points === 3
            ? `reachable from the internet through ${routed.length > 0 ? `${routed.join(', ')} → ` : ''}Service ${service.name} (${service.type}, port ${ports})`
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
          evidence: [
            `service account ${workload.pod.serviceAccountName} is ${account.level}`,
            ...account.flags.map((flag) => {
              // The bindings are what a reviewer removes, so name them beside the role they grant.
              const through = [
                ...new Set(
                  flag.evidence.map(
                    (grant) =>
                      `${grant.binding.kind} ${grant.binding.namespace ? `${grant.binding.namespace}/` : ''}${grant.binding.name} → ${grant.role.kind} ${grant.role.name}`,
                  ),
                ),
              ];
              return `can ${flag.title.replace(/ \(.*\)$/, '')}${flag.scope === 'cluster' ? ' cluster-wide' : ` in namespace ${flag.scope}`} (through ${through.slice(0, 3).join(', ')}${through.length > 3 ? ` and ${through.length - 3} more` : ''})`;
            }),
          ],
        });
      }

      // Image factors as StackRox combines them: each one's worst value over the workload's images.
      const images = containers.map((container) => ({ container: container.name, image: container.image.full, scanned: scanOf(container.image) }));
      const worstOf = new Map<string, RiskFactor>();
      for (const { scanned } of images) {
        if (!scanned) continue;
        for (const factor of imageFactorsOf(scanned)) if ((worstOf.get(factor.id)?.multiplier ?? 0) < factor.multiplier) worstOf.set(factor.id, factor);
      }
      factors.push(...worstOf.values());
      const unscanned = [...new Set(images.filter((entry) => !entry.scanned).map((entry) => entry.image))];
      if (unscanned.length > 0)
        factors.push({ id: 'image-not-scanned', name: 'Image not scanned', multiplier: 1, evidence: unscanned.map((image) => `image ${image} not scanned`) });
      const ranked = [...factors].sort((a, b) => b.multiplier - a.multiplier);
      const summary = ranked.flatMap((factor) => factor.evidence.slice(0, 2)).join('; ');
      return {
        workload: id,
        score: scoreOf(factors),
        factors: ranked,
        summary,
        images: images.map((entry) => ({ container: entry.container, image: entry.image, scanned: entry.scanned !== undefined })),
        ...(workload.inferredFrom ? { inferredFrom: workload.inferredFrom } : {}),
      };
    })
    .sort((a, b) => b.score - a.score || (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0));
};

/** Something in the inputs that the ranking cannot take at face value, with the object it is about. */
export interface RiskProblem {
  readonly object: string;
  readonly message: string;
}

/**
 * Workloads that name a service account the inputs lack (only when the inputs declare service
 * accounts at all, so a partial set of manifests is not flooded): the ServiceAccount admission
 * plugin refuses their pods, and whoever creates that account later hands them its permissions.
 */
export const workloadProblems = (snapshot: ClusterSnapshot): RiskProblem[] => {
  if (snapshot.serviceAccounts.length === 0) return [];
  const accounts = new Set(snapshot.serviceAccounts.map((account) => `${account.namespace ?? 'default'}/${account.name}`));
  return groupByController(snapshot.workloads)
    .workloads.filter(
      (workload) => workload.pod.serviceAccountName !== 'default' && !accounts.has(`${workload.namespace ?? 'default'}/${workload.pod.serviceAccountName}`),
    )
    .map((workload) => ({
      object: workloadId(workload),
      message: `runs as service account ${workload.pod.serviceAccountName}, which is not in the inputs: the API server refuses its pods until it exists, and its RBAC level is unknown here (ranked as none)`,
    }));
};
