import {
  formatPath,
  isEmptySelector,
  joinPath,
  mapSelectorMatches,
  selectorMatches,
  type HorizontalPodAutoscaler,
  type Ingress,
  type KubeObject,
  type LabelSelector,
  type Namespace,
  type NetworkPolicy,
  type PodDisruptionBudget,
  type Role,
  type RoleBinding,
  type Service,
  type ServiceAccount,
  type PathSegment,
  type Workload,
} from '../../model/index.js';
import { REMOVED_APIS } from '../../k8s/index.js';
import { BUILT_IN_CLUSTER_ROLES } from '../../rbac/index.js';
import { candidate, objectField, quote, subject, valueExcerpt } from './helpers.js';
import { findCredentials } from './credentials.js';
import { antiAffinityGap, spreadGap } from './scheduling.js';
import type { Candidate, FieldContext, FieldDefinition } from './types.js';

const selectorText = (selector: LabelSelector): string => {
  const parts = [
    ...Object.entries(selector.matchLabels).map(([key, value]) => `${key}=${value}`),
    ...selector.matchExpressions.map((expression) => `${expression.key} ${expression.operator} (${expression.values.join(',')})`),
  ];
  return parts.length === 0 ? '{}' : parts.join(', ');
};

const keyValues = (entries: Readonly<Record<string, string>>, path: string, noun: string, object: KubeObject): Candidate[] =>
  Object.entries(entries).map(([key, value]) =>
    candidate(
      { key, value },
      () => joinPath(path, key),
      () => `${object.kind} ${quote(object.name)} has ${noun} ${key}=${valueExcerpt(key, value)}`,
    ),
  );

/** Fields every object has: usable with any target. */
const genericFields: readonly FieldDefinition[] = [
  objectField('Object', {
    name: 'Namespace',
    filter: true,
    type: 'string',
    description: 'Namespace of the object (`default` when a namespaced object sets none).',
    path: () => 'metadata.namespace',
    extract: (object) =>
      object.namespace === undefined
        ? []
        : [
            candidate(
              object.namespace,
              'metadata.namespace',
              () => `${object.kind} ${quote(object.name)} is in namespace ${object.namespace}${object.namespaceImplicit ? ' (no namespace set)' : ''}`,
            ),
          ],
  }),
  objectField('Object', {
    name: 'Namespace Implicit',
    filter: true,
    type: 'boolean',
    description: 'True when a namespaced object does not set metadata.namespace.',
    path: () => 'metadata',
    extract: (object) =>
      object.namespace === undefined
        ? []
        : [
            candidate(object.namespaceImplicit, 'metadata', () =>
              object.namespaceImplicit ? `${object.kind} ${quote(object.name)} sets no namespace` : `${object.kind} ${quote(object.name)} sets its namespace`,
            ),
          ],
  }),
  objectField('Object', {
    name: 'Object Name',
    filter: true,
    aliases: ['Deployment Name', 'Workload Name'],
    type: 'string',
    description: 'metadata.name.',
    path: () => 'metadata.name',
    extract: (object) => [candidate(object.name, 'metadata.name', () => `${object.kind} ${quote(object.name)}`)],
  }),
  objectField('Object', {
    name: 'Kind',
    filter: true,
    aliases: ['Workload Kind'],
    type: 'string',
    description: 'Kind of the object.',
    path: () => 'kind',
    extract: (object) => [candidate(object.kind, 'kind', () => `${object.kind} ${quote(object.name)}`)],
  }),
  objectField('Object', {
    name: 'API Version',
    filter: true,
    type: 'string',
    description: 'apiVersion of the object.',
    path: () => 'apiVersion',
    extract: (object) => [candidate(object.apiVersion, 'apiVersion', () => `${object.kind} ${quote(object.name)} uses apiVersion ${object.apiVersion}`)],
  }),
  objectField('Object', {
    name: 'Removed API',
    type: 'string',
    description: "The Kubernetes release that removed the object's apiVersion (e.g. 1.22); no value for served APIs.",
    path: () => 'apiVersion',
    extract: (object) =>
      REMOVED_APIS.filter((api) => api.apiVersion === object.apiVersion && (!api.kinds || api.kinds.includes(object.kind))).map((api) =>
        candidate(
          api.removedIn,
          'apiVersion',
          () => `${object.kind} ${quote(object.name)} uses ${object.apiVersion}, removed in Kubernetes ${api.removedIn} (use ${api.replacement})`,
        ),
      ),
  }),
  objectField('Object', {
    name: 'Label',
    type: 'keyValue',
    description: 'Each label as KEY=VALUE (both regular expressions).',
    path: () => 'metadata.labels',
    extract: (object) => keyValues(object.labels, 'metadata.labels', 'label', object),
  }),
  objectField('Object', {
    name: 'Required Label',
    type: 'keyValue',
    required: true,
    description: 'Holds when no label matches KEY=VALUE.',
    path: () => 'metadata.labels',
    extract: (object) => keyValues(object.labels, 'metadata.labels', 'label', object),
    absent: (object, _context, values) => `${object.kind} ${quote(object.name)} has no label matching ${values.map(quote).join(' or ')}`,
  }),
  objectField('Object', {
    name: 'Annotation',
    aliases: ['Disallowed Annotation'],
    type: 'keyValue',
    description: 'Each annotation as KEY=VALUE; use it to disallow annotations.',
    path: () => 'metadata.annotations',
    extract: (object) => keyValues(object.annotations, 'metadata.annotations', 'annotation', object),
  }),
  objectField('Object', {
    name: 'Required Annotation',
    type: 'keyValue',
    required: true,
    description: 'Holds when no annotation matches KEY=VALUE.',
    path: () => 'metadata.annotations',
    extract: (object) => keyValues(object.annotations, 'metadata.annotations', 'annotation', object),
    absent: (object, _context, values) => `${object.kind} ${quote(object.name)} has no annotation matching ${values.map(quote).join(' or ')}`,
  }),
  {
    ...objectField('Object', {
      name: 'Schema Violation',
      type: 'string',
      description:
        'Each place the object breaks the Kubernetes OpenAPI schema of its apiVersion and kind, as "PATH MESSAGE" (built-in kinds; CRDs and removed APIs are not checked).',
      path: () => '',
      extract: (object, context) =>
        (context.index.validateSchema?.(object) ?? []).map((violation) =>
          candidate(
            `${violation.path} ${violation.message}`,
            violation.path,
            () => `${object.kind} ${quote(object.name)}: ${violation.path || '(root)'} ${violation.message}`,
          ),
        ),
    }),
    needsSchemas: true,
  },
  objectField('Object', {
    name: 'ConfigMap Credential',
    type: 'string',
    description:
      'For a ConfigMap: each value that looks like a credential (a private key, a cloud or SaaS token, a URL with a password, or a setting named password, secret or token with a real value), as the kind of credential. Values are never shown.',
    path: () => 'data',
    extract: (object) => {
      if (object.kind !== 'ConfigMap') return [];
      const data = (object.raw as { data?: unknown }).data;
      if (typeof data !== 'object' || data === null) return [];
      const out: Candidate[] = [];
      for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
        if (typeof value !== 'string') continue;
        for (const hit of findCredentials(key, value)) {
          out.push(
            candidate(
              hit.kind,
              () => joinPath('data', key),
              () =>
                `ConfigMap ${quote(object.name)} key ${quote(key)} holds what looks like a ${hit.kind}${hit.setting && hit.setting !== key ? ` (${hit.setting}` : hit.line ? ' (' : ''}${hit.line ? `${hit.setting && hit.setting !== key ? ', ' : ''}line ${hit.line}` : ''}${(hit.setting && hit.setting !== key) || hit.line ? ')' : ''}; the value is not shown`,
            ),
          );
        }
      }
      return out;
    },
  }),
  objectField('Object', {
    name: 'Unsorted Keys',
    type: 'string',
    description: 'Paths of mappings whose keys are not in alphabetical order, as written.',
    path: () => '',
    extract: (object) => {
      const out: Candidate[] = [];
      // Segments on a stack, formatted only for the mappings that are out of order.
      const segments: PathSegment[] = [];
      const visit = (value: unknown): void => {
        if (typeof value !== 'object' || value === null) return;
        if (Array.isArray(value)) {
          for (let index = 0; index < value.length; index++) {
            segments.push(index);
            visit(value[index]);
            segments.pop();
          }
          return;
        }
        let previous: string | undefined;
        for (const key in value) {
          if (previous !== undefined && previous > key) {
            const path = formatPath(segments);
            const before = previous;
            out.push(
              candidate(
                path || '(root)',
                () => joinPath(path, key),
                () => `keys of ${path || 'the object'} are not sorted (${key} after ${before})`,
              ),
            );
            break;
          }
          previous = key;
        }
        for (const key in value) {
          segments.push(key);
          visit((value as Record<string, unknown>)[key]);
          segments.pop();
        }
      };
      visit(object.raw);
      return out;
    },
  }),
];

const podField = (workload: Workload, field: string): string => joinPath(workload.podSpecPath, field);

const filterField = (field: FieldDefinition): FieldDefinition => ({ ...field, filter: true });

const boolField = (
  name: string,
  description: string,
  read: (workload: Workload) => boolean | undefined,
  at: string,
  say: (value: boolean) => string,
): FieldDefinition =>
  objectField<Workload>('Workload', {
    name,
    type: 'boolean',
    description,
    path: (workload) => podField(workload, at),
    extract: (workload, context) => {
      const value = read(workload);
      return value === undefined
        ? []
        : [
            candidate(
              value,
              () => podField(workload, at),
              () => `${subject(context)} ${say(value)}`,
            ),
          ];
    },
  });

const workloadFields: readonly FieldDefinition[] = [
  objectField<Workload>('Workload', {
    name: 'Service Account',
    type: 'string',
    description: 'Service account the pods run as (`default` when unset).',
    path: (workload) => podField(workload, 'serviceAccountName'),
    extract: (workload, context) => [
      candidate(
        workload.pod.serviceAccountName,
        podField(workload, workload.pod.serviceAccountNameExplicit ? 'serviceAccountName' : ''),
        `${subject(context)} runs as service account ${quote(workload.pod.serviceAccountName)}${workload.pod.serviceAccountNameExplicit ? '' : ' (none set)'}`,
      ),
    ],
  }),
  objectField<Workload>('Workload', {
    name: 'Automount Service Account Token',
    type: 'boolean',
    crossObject: true,
    description: "Whether the pods get an API token mounted: the pod setting, else the ServiceAccount's (when in the input), else true.",
    path: (workload) => podField(workload, 'automountServiceAccountToken'),
    extract: (workload, context) => {
      const own = workload.pod.automountServiceAccountToken;
      const account = context.index.serviceAccount(workload.namespace, workload.pod.serviceAccountName);
      const value = own ?? account?.automountServiceAccountToken ?? true;
      const why =
        own !== undefined
          ? `sets automountServiceAccountToken: ${own}`
          : account?.automountServiceAccountToken !== undefined
            ? `inherits automountServiceAccountToken: ${account.automountServiceAccountToken} from ServiceAccount ${quote(account.name)}`
            : 'does not set automountServiceAccountToken: false, so the API token is mounted';
      return [
        candidate(
          value,
          () => podField(workload, 'automountServiceAccountToken'),
          () => `${subject(context)} ${why}`,
        ),
      ];
    },
  }),
  objectField<Workload>('Workload', {
    name: 'Service Account Exists',
    type: 'boolean',
    crossObject: true,
    description: 'Whether the named ServiceAccount is in the input (the `default` account always exists).',
    path: (workload) => podField(workload, 'serviceAccountName'),
    extract: (workload, context) => {
      const name = workload.pod.serviceAccountName;
      const exists = name === 'default' || context.index.hasServiceAccount(workload.namespace, name);
      return [
        candidate(
          exists,
          () => podField(workload, 'serviceAccountName'),
          () =>
            exists
              ? `${subject(context)} uses service account ${quote(name)}`
              : `${subject(context)} uses service account ${quote(name)}, which is not defined in namespace ${workload.namespace}`,
        ),
      ];
    },
  }),
  boolField(
    'Deprecated Service Account Field',
    'Whether the pod spec uses the deprecated `serviceAccount` field.',
    (workload) => workload.pod.deprecatedServiceAccount !== undefined,
    'serviceAccount',
    (value) => (value ? 'uses the deprecated serviceAccount field (use serviceAccountName)' : 'uses serviceAccountName'),
  ),
  boolField(
    'Host Network',
    'spec.hostNetwork.',
    (workload) => workload.pod.hostNetwork,
    'hostNetwork',
    (value) => (value ? 'shares the host network namespace (hostNetwork: true)' : 'does not use the host network'),
  ),
  boolField(
    'Host PID',
    'spec.hostPID.',
    (workload) => workload.pod.hostPID,
    'hostPID',
    (value) => (value ? 'shares the host process namespace (hostPID: true)' : 'does not use the host PID namespace'),
  ),
  boolField(
    'Host IPC',
    'spec.hostIPC.',
    (workload) => workload.pod.hostIPC,
    'hostIPC',
    (value) => (value ? 'shares the host IPC namespace (hostIPC: true)' : 'does not use the host IPC namespace'),
  ),
  boolField(
    'Host Users',
    'spec.hostUsers; no value when unset (host user namespace).',
    (workload) => workload.pod.hostUsers,
    'hostUsers',
    (value) => `sets hostUsers: ${value}`,
  ),
  boolField(
    'Share Process Namespace',
    'spec.shareProcessNamespace.',
    (workload) => workload.pod.shareProcessNamespace,
    'shareProcessNamespace',
    (value) => (value ? 'shares one process namespace between its containers' : 'does not share a process namespace'),
  ),
  objectField<Workload>('Workload', {
    name: 'Has Pod Anti-Affinity',
    type: 'boolean',
    description:
      "Whether a pod anti-affinity term (required or preferred) keeps the workload's own replicas apart: its labelSelector selects the pod labels, its namespaces include the workload's, and it has a topologyKey.",
    path: (workload) => workload.pod.podAntiAffinity[0]?.path ?? podField(workload, 'affinity'),
    extract: (workload, context) => {
      const terms = workload.pod.podAntiAffinity;
      const applying = terms.find((term) => antiAffinityGap(term, workload.podLabels, workload.namespace ?? 'default') === undefined);
      if (applying) return [candidate(true, applying.path, () => `${subject(context)} sets pod anti-affinity over ${applying.topologyKey} for its own pods`)];
      const first = terms[0];
      if (!first)
        return [
          candidate(
            false,
            () => podField(workload, 'affinity'),
            () => `${subject(context)} sets no pod anti-affinity, so all replicas may land on one node`,
          ),
        ];
      return [
        candidate(
          false,
          first.path,
          () =>
            `${subject(context)} sets pod anti-affinity, but no term applies to its own pods (${terms.map((term, index) => `term ${index + 1}: ${antiAffinityGap(term, workload.podLabels, workload.namespace ?? 'default') ?? ''}`).join('; ')}), so all replicas may land on one node`,
        ),
      ];
    },
  }),
  objectField<Workload>('Workload', {
    name: 'Has Topology Spread Constraints',
    type: 'boolean',
    description: "Whether a topologySpreadConstraint spreads the workload's own pods: its labelSelector selects the pod labels and it has a topologyKey.",
    path: (workload) => workload.pod.topologySpreadConstraints[0]?.path ?? podField(workload, 'topologySpreadConstraints'),
    extract: (workload, context) => {
      const constraints = workload.pod.topologySpreadConstraints;
      const applying = constraints.find((constraint) => spreadGap(constraint, workload.podLabels) === undefined);
      if (applying) return [candidate(true, applying.path, () => `${subject(context)} spreads its pods over ${applying.topologyKey}`)];
      const first = constraints[0];
      if (!first)
        return [
          candidate(
            false,
            () => podField(workload, 'topologySpreadConstraints'),
            () => `${subject(context)} sets no topology spread constraints`,
          ),
        ];
      return [
        candidate(
          false,
          first.path,
          () =>
            `${subject(context)} sets topology spread constraints, but none spreads its own pods (${constraints.map((constraint, index) => `constraint ${index + 1}: ${spreadGap(constraint, workload.podLabels) ?? ''}`).join('; ')})`,
        ),
      ];
    },
  }),
  boolField(
    'Has Node Affinity',
    'Whether affinity.nodeAffinity is set.',
    (workload) => workload.pod.hasNodeAffinity,
    'affinity',
    (value) => (value ? 'sets node affinity' : 'sets no node affinity'),
  ),
  objectField<Workload>('Workload', {
    name: 'Replicas',
    type: 'number',
    description: 'spec.replicas of replicated kinds (1 when unset); no value for Pods, DaemonSets, Jobs and CronJobs.',
    path: () => 'spec.replicas',
    extract: (workload, context) =>
      workload.replicas === undefined
        ? []
        : [candidate(workload.replicas, 'spec.replicas', () => `${subject(context)} has ${workload.replicas} replica${workload.replicas === 1 ? '' : 's'}`)],
  }),
  objectField<Workload>('Workload', {
    name: 'Minimum Replicas',
    type: 'number',
    crossObject: true,
    description:
      'The fewest replicas a replicated workload runs: the minReplicas of a HorizontalPodAutoscaler that scales it (the autoscaler then owns spec.replicas), else spec.replicas (1 when unset); no value for Pods, DaemonSets, Jobs and CronJobs.',
    path: () => 'spec.replicas',
    extract: (workload, context) => {
      const minimum = context.index.minimumReplicas(workload);
      if (!minimum) return [];
      const { count, autoscaler } = minimum;
      return [
        candidate(count, 'spec.replicas', () =>
          autoscaler
            ? `${subject(context)} runs at least ${count} replica${count === 1 ? '' : 's'} (minReplicas of HorizontalPodAutoscaler ${quote(autoscaler.name)})`
            : `${subject(context)} has ${count} replica${count === 1 ? '' : 's'}`,
        ),
      ];
    },
  }),
  objectField<Workload>('Workload', {
    name: 'Has PodDisruptionBudget',
    type: 'boolean',
    crossObject: true,
    description: "Whether a PodDisruptionBudget in the workload's namespace selects its pods.",
    path: (workload) => workload.podMetaPath,
    extract: (workload, context) => {
      const budgets = context.index.budgetsCovering(workload);
      return [
        candidate(
          budgets.length > 0,
          () => workload.podMetaPath,
          () =>
            budgets.length > 0
              ? `${subject(context)} is covered by PodDisruptionBudget ${budgets.map((budget) => quote(budget.name)).join(', ')}`
              : `${subject(context)} has no PodDisruptionBudget, so a node drain may evict all its replicas at once`,
        ),
      ];
    },
  }),
  objectField<Workload>('Workload', {
    name: 'Runtime Class',
    type: 'string',
    description: 'spec.runtimeClassName; no value when unset.',
    path: (workload) => podField(workload, 'runtimeClassName'),
    extract: (workload, context) =>
      workload.pod.runtimeClassName === undefined
        ? []
        : [
            candidate(
              workload.pod.runtimeClassName,
              () => podField(workload, 'runtimeClassName'),
              () => `${subject(context)} uses runtime class ${workload.pod.runtimeClassName}`,
            ),
          ],
  }),
  objectField<Workload>('Workload', {
    name: 'Priority Class Name',
    type: 'string',
    label: 'priority class',
    description: 'spec.priorityClassName; no value when unset.',
    path: (workload) => podField(workload, 'priorityClassName'),
    extract: (workload, context) =>
      workload.pod.priorityClassName === undefined
        ? []
        : [
            candidate(
              workload.pod.priorityClassName,
              () => podField(workload, 'priorityClassName'),
              () => `${subject(context)} uses priority class ${workload.pod.priorityClassName}`,
            ),
          ],
    absent: (workload) => `${workload.kind} ${quote(workload.name)} sets no priorityClassName`,
  }),
  objectField<Workload>('Workload', {
    name: 'Restart Policy',
    type: 'string',
    description: 'The pod restartPolicy as Kubernetes defaults it (Always; Jobs must set Never or OnFailure).',
    path: (workload) => podField(workload, 'restartPolicy'),
    extract: (workload, context) => {
      const policy = workload.pod.restartPolicy ?? 'Always';
      return [
        candidate(
          policy,
          () => podField(workload, 'restartPolicy'),
          () => `${subject(context)} has restartPolicy ${policy}${workload.pod.restartPolicy ? '' : ' (default)'}`,
        ),
      ];
    },
  }),
  objectField<Workload>('Workload', {
    name: 'Update Strategy',
    type: 'string',
    description: 'Deployment strategy / StatefulSet and DaemonSet updateStrategy type, defaulted; no value for other kinds.',
    path: (workload) => (workload.kind === 'Deployment' || workload.kind === 'DeploymentConfig' ? 'spec.strategy' : 'spec.updateStrategy'),
    extract: (workload, context) =>
      workload.updateStrategy === undefined
        ? []
        : [
            candidate(
              workload.updateStrategy,
              () => (workload.kind === 'Deployment' || workload.kind === 'DeploymentConfig' ? 'spec.strategy' : 'spec.updateStrategy'),
              () => `${subject(context)} uses update strategy ${workload.updateStrategy}`,
            ),
          ],
  }),
  objectField<Workload>('Workload', {
    name: 'TTL Seconds After Finished',
    type: 'number',
    description: 'Job (or CronJob job template) ttlSecondsAfterFinished; no value when unset.',
    path: (workload) => (workload.kind === 'CronJob' ? 'spec.jobTemplate.spec.ttlSecondsAfterFinished' : 'spec.ttlSecondsAfterFinished'),
    extract: (workload, context) =>
      workload.ttlSecondsAfterFinished === undefined
        ? []
        : [
            candidate(
              workload.ttlSecondsAfterFinished,
              () => (workload.kind === 'CronJob' ? 'spec.jobTemplate.spec.ttlSecondsAfterFinished' : 'spec.ttlSecondsAfterFinished'),
              () => `${subject(context)} sets ttlSecondsAfterFinished: ${workload.ttlSecondsAfterFinished}`,
            ),
          ],
    absent: (workload) => `${workload.kind} ${quote(workload.name)} sets no ttlSecondsAfterFinished, so finished pods stay until deleted by hand`,
  }),
  filterField(
    boolField(
      'Managed By Controller',
      'Whether metadata.ownerReferences names a controller (e.g. a Job created by a CronJob).',
      (workload) => workload.ownedByController,
      '',
      (value) => (value ? 'is managed by a controller' : 'is not managed by a controller'),
    ),
  ),
  objectField<Workload>('Workload', {
    name: 'Selector Matches Pod Labels',
    type: 'boolean',
    description: 'Whether spec.selector matches the pod template labels (no value for Pods and CronJobs, or without a selector).',
    path: () => 'spec.selector',
    extract: (workload, context) => {
      const selector = workload.selector;
      if (!selector || workload.kind === 'Pod' || workload.kind === 'CronJob') return [];
      const matches = selectorMatches(selector, workload.podLabels);
      return [
        candidate(matches, 'spec.selector', () =>
          matches
            ? `${subject(context)} selector matches its pod labels`
            : `${subject(context)} selector (${selectorText(selector)}) does not match its pod template labels`,
        ),
      ];
    },
  }),
  objectField<Workload>('Workload', {
    name: 'Sysctl',
    type: 'keyValue',
    description: 'Each pod securityContext.sysctls entry as NAME=VALUE.',
    path: (workload) => podField(workload, 'securityContext.sysctls'),
    extract: (workload, context) =>
      workload.pod.securityContext.sysctls.map((sysctl, index) =>
        candidate(
          { key: sysctl.name, value: sysctl.value },
          () => joinPath(workload.podSpecPath, 'securityContext', 'sysctls', index),
          () => `${subject(context)} sets sysctl ${sysctl.name}=${sysctl.value}`,
        ),
      ),
  }),
  objectField<Workload>('Workload', {
    name: 'Pod Volume Type',
    type: 'string',
    description: 'Type of each volume declared by the pod, mounted or not (hostPath, secret, nfs, ...).',
    path: (workload) => podField(workload, 'volumes'),
    extract: (workload, context) =>
      workload.pod.volumes.map((volume) =>
        candidate(
          volume.type,
          volume.path,
          () => `${subject(context)} declares ${volume.type} volume ${quote(volume.name)}${volume.source ? ` (${volume.source})` : ''}`,
        ),
      ),
  }),
  objectField<Workload>('Workload', {
    name: 'Pod Volume Source',
    type: 'string',
    description: 'What each pod volume points at (host path, Secret, claim, ...).',
    path: (workload) => podField(workload, 'volumes'),
    extract: (workload, context) =>
      workload.pod.volumes.map((volume) =>
        candidate(
          volume.source,
          volume.path,
          () => `${subject(context)} declares ${volume.type} volume ${quote(volume.name)}${volume.source ? ` (${volume.source})` : ''}`,
        ),
      ),
  }),
  objectField<Workload>('Workload', {
    name: 'DNS Config Option',
    type: 'keyValue',
    label: 'dnsConfig option',
    description: 'Each dnsConfig option as NAME=VALUE.',
    path: (workload) => podField(workload, 'dnsConfig'),
    extract: (workload, context) =>
      workload.pod.dnsConfigOptions.map((option, index) =>
        candidate(
          { key: option.name, value: option.value ?? '' },
          () => joinPath(workload.podSpecPath, 'dnsConfig', 'options', index),
          () => `${subject(context)} sets DNS option ${option.name}${option.value === undefined ? '' : `=${option.value}`}`,
        ),
      ),
    absent: (workload, _context, values) => `${workload.kind} ${quote(workload.name)} sets no dnsConfig option matching ${values.map(quote).join(' or ')}`,
  }),
  objectField<Workload>('Workload', {
    name: 'Has Ingress Network Policy',
    type: 'boolean',
    crossObject: true,
    description: 'Whether a NetworkPolicy in the input selects the pods for ingress (or a Cilium or Calico policy puts them into default deny for ingress).',
    path: () => 'metadata',
    extract: (workload, context) => {
      const policies = [
        ...context.index
          .networkPoliciesSelecting(workload)
          .filter((policy) => policy.policyTypes.includes('Ingress'))
          .map((policy) => `NetworkPolicy ${quote(policy.name)}`),
        ...context.index
          .cniPoliciesSelecting(workload)
          .filter((entry) => entry.ingress)
          .map((entry) => `${entry.policy.kind} ${quote(entry.policy.name)}`),
      ];
      return [
        candidate(policies.length > 0, 'metadata', () =>
          policies.length > 0
            ? `${subject(context)} is isolated for ingress by ${policies.join(', ')}`
            : `${subject(context)} is selected by no ingress NetworkPolicy: every pod can connect to it`,
        ),
      ];
    },
  }),
  objectField<Workload>('Workload', {
    name: 'Has Egress Network Policy',
    type: 'boolean',
    crossObject: true,
    description: 'Whether a NetworkPolicy in the input selects the pods for egress (or a Cilium or Calico policy puts them into default deny for egress).',
    path: () => 'metadata',
    extract: (workload, context) => {
      const policies = [
        ...context.index
          .networkPoliciesSelecting(workload)
          .filter((policy) => policy.policyTypes.includes('Egress'))
          .map((policy) => `NetworkPolicy ${quote(policy.name)}`),
        ...context.index
          .cniPoliciesSelecting(workload)
          .filter((entry) => entry.egress)
          .map((entry) => `${entry.policy.kind} ${quote(entry.policy.name)}`),
      ];
      return [
        candidate(policies.length > 0, 'metadata', () =>
          policies.length > 0
            ? `${subject(context)} is isolated for egress by ${policies.join(', ')}`
            : `${subject(context)} is selected by no egress NetworkPolicy: it can connect anywhere`,
        ),
      ];
    },
  }),
  objectField<Workload>('Workload', {
    name: 'Port Exposure Method',
    type: 'string',
    crossObject: true,
    description:
      'How the pods are reachable: EXTERNAL (LoadBalancer, external IPs), NODE (NodePort), HOST (hostPort, hostNetwork), ROUTE (Ingress, Route), INTERNAL (ClusterIP).',
    path: () => 'metadata',
    extract: (workload, context) =>
      context.index
        .exposures(workload)
        .map((exposure) => candidate(exposure.method, 'metadata', () => `${subject(context)} is reachable (${exposure.method}) through ${exposure.via}`)),
  }),
  objectField<Workload>('Workload', {
    name: 'Exposed Node Port',
    type: 'number',
    crossObject: true,
    description: 'Node ports of Services selecting the pods, and host ports of their containers.',
    path: () => 'metadata',
    extract: (workload, context) =>
      context.index
        .exposures(workload)
        .flatMap((exposure) =>
          exposure.nodePort === undefined || (exposure.method !== 'NODE' && exposure.method !== 'HOST')
            ? []
            : [candidate(exposure.nodePort, 'metadata', () => `${subject(context)} is exposed on node port ${exposure.nodePort} through ${exposure.via}`)],
        ),
  }),
];

const serviceFields: readonly FieldDefinition[] = [
  objectField<Service>('Service', {
    name: 'Service Type',
    type: 'string',
    description: 'spec.type (ClusterIP when unset).',
    path: () => 'spec.type',
    extract: (service) => [candidate(service.type, 'spec.type', () => `Service ${quote(service.name)} is of type ${service.type}`)],
  }),
  objectField<Service>('Service', {
    name: 'Service Selects Pods',
    type: 'boolean',
    crossObject: true,
    description: 'Whether the Service selector matches the pods of some workload in the input (no value without a selector).',
    path: () => 'spec.selector',
    extract: (service, context) => {
      if (!service.selector || Object.keys(service.selector).length === 0) return [];
      const matched = context.index.workloadsSelectedBy(service);
      const text = Object.entries(service.selector)
        .map(([key, value]) => `${key}=${value}`)
        .join(', ');
      return [
        candidate(matched.length > 0, 'spec.selector', () =>
          matched.length > 0
            ? `Service ${quote(service.name)} selects ${matched.map((workload) => `${workload.kind} ${quote(workload.name)}`).join(', ')}`
            : `Service ${quote(service.name)} selector (${text}) matches no pods in namespace ${service.namespace}`,
        ),
      ];
    },
  }),
  objectField<Service>('Service', {
    name: 'Service Unresolved Target Port',
    type: 'string',
    crossObject: true,
    description: 'Named targetPorts that no container port of the selected pods declares.',
    path: () => 'spec.ports',
    extract: (service, context) => {
      const workloads = context.index.workloadsSelectedBy(service);
      if (workloads.length === 0) return [];
      return service.ports.flatMap((port, index) => {
        const targetPort = port.targetPort;
        if (typeof targetPort !== 'string') return [];
        const declared = workloads.some((workload) =>
          workload.pod.containers.some((container) => container.ports.some((containerPort) => containerPort.name === port.targetPort)),
        );
        return declared
          ? []
          : [
              candidate(
                port.targetPort,
                () => joinPath('spec', 'ports', index, 'targetPort'),
                () => `Service ${quote(service.name)} port ${port.port} targets port name ${quote(targetPort)}, which no selected container declares`,
              ),
            ];
      });
    },
  }),
  objectField<Service>('Service', {
    name: 'Service Port',
    type: 'number',
    description: 'Each port the Service exposes.',
    path: () => 'spec.ports',
    extract: (service) =>
      service.ports.map((port, index) =>
        candidate(
          port.port,
          () => joinPath('spec', 'ports', index, 'port'),
          () => `Service ${quote(service.name)} exposes port ${port.port}/${port.protocol}`,
        ),
      ),
  }),
  objectField<Service>('Service', {
    name: 'Service External IP',
    type: 'string',
    description: 'Each spec.externalIPs entry.',
    path: () => 'spec.externalIPs',
    extract: (service) =>
      service.externalIPs.map((ip, index) =>
        candidate(
          ip,
          () => joinPath('spec', 'externalIPs', index),
          () => `Service ${quote(service.name)} claims external IP ${ip}`,
        ),
      ),
  }),
];

const ingressFields: readonly FieldDefinition[] = [
  objectField<Ingress>('Ingress', {
    name: 'Ingress Missing Backend Service',
    type: 'string',
    crossObject: true,
    description: 'Backend Service names that no Service in the namespace has.',
    path: () => 'spec',
    extract: (ingress, context) =>
      ingress.backends.flatMap((backend) =>
        context.index.servicesIn(ingress.namespace).some((service) => service.name === backend.serviceName)
          ? []
          : [
              candidate(
                backend.serviceName,
                backend.path,
                () => `Ingress ${quote(ingress.name)} routes to Service ${quote(backend.serviceName)}, which is not defined in namespace ${ingress.namespace}`,
              ),
            ],
      ),
  }),
  objectField<Ingress>('Ingress', {
    name: 'Ingress TLS',
    type: 'boolean',
    description: 'Whether the Ingress terminates TLS (spec.tls).',
    path: () => 'spec.tls',
    extract: (ingress) => [
      candidate(
        ingress.tlsHosts.length > 0 || Array.isArray((ingress.raw.spec as Record<string, unknown> | undefined)?.tls),
        'spec',
        () => `Ingress ${quote(ingress.name)} ${ingress.tlsHosts.length > 0 ? 'terminates TLS' : 'serves plain HTTP (no spec.tls)'}`,
      ),
    ],
  }),
];

const networkPolicyFields: readonly FieldDefinition[] = [
  objectField<NetworkPolicy>('NetworkPolicy', {
    name: 'Network Policy Selects Pods',
    type: 'boolean',
    crossObject: true,
    description: 'Whether spec.podSelector matches the pods of some workload in the namespace.',
    path: () => 'spec.podSelector',
    extract: (policy, context) => {
      const matches = context.index.workloadsIn(policy.namespace).some((workload) => selectorMatches(policy.podSelector, workload.podLabels));
      return [
        candidate(matches, 'spec.podSelector', () =>
          matches
            ? `NetworkPolicy ${quote(policy.name)} selects pods`
            : `NetworkPolicy ${quote(policy.name)} podSelector (${selectorText(policy.podSelector)}) matches no pods in namespace ${policy.namespace}`,
        ),
      ];
    },
  }),
  objectField<NetworkPolicy>('NetworkPolicy', {
    name: 'Network Policy Dangling Peer',
    type: 'string',
    crossObject: true,
    description: "Peer podSelectors (without a namespaceSelector) that match no pods in the policy's namespace.",
    path: () => 'spec',
    extract: (policy, context) => {
      const out: Candidate[] = [];
      const pods = context.index.workloadsIn(policy.namespace);
      for (const [direction, rules, key] of [
        ['ingress', policy.ingress, 'from'],
        ['egress', policy.egress, 'to'],
      ] as const) {
        rules.forEach((rule, ruleIndex) =>
          rule.peers?.forEach((peer, peerIndex) => {
            if (!peer.podSelector || peer.namespaceSelector || isEmptySelector(peer.podSelector)) return;
            const selector = peer.podSelector;
            if (pods.some((workload) => selectorMatches(selector, workload.podLabels))) return;
            out.push(
              candidate(
                selectorText(selector),
                () => joinPath('spec', direction, ruleIndex, key, peerIndex, 'podSelector'),
                () =>
                  `NetworkPolicy ${quote(policy.name)} ${direction} peer podSelector (${selectorText(selector)}) matches no pods in namespace ${policy.namespace}`,
              ),
            );
          }),
        );
      }
      return out;
    },
  }),
];

const serviceAccountFields: readonly FieldDefinition[] = [
  objectField<ServiceAccount>('ServiceAccount', {
    name: 'Service Account Automount',
    type: 'boolean',
    description: "The ServiceAccount's automountServiceAccountToken (true when unset).",
    path: () => 'automountServiceAccountToken',
    extract: (account) => [
      candidate(
        account.automountServiceAccountToken ?? true,
        'automountServiceAccountToken',
        () =>
          `ServiceAccount ${quote(account.name)} ${account.automountServiceAccountToken === false ? 'does not mount tokens' : 'mounts its API token into every pod that uses it (automountServiceAccountToken is not false)'}`,
      ),
    ],
  }),
];

const ruleText = (rule: { verbs: readonly string[]; resources: readonly string[]; apiGroups: readonly string[] }): string =>
  `[${rule.verbs.join(', ')}] on [${rule.resources.join(', ')}]${rule.apiGroups.some((group) => group !== '') ? ` in groups [${rule.apiGroups.map((group) => group || 'core').join(', ')}]` : ''}`;

const subjectText = (binding: RoleBinding, entry: RoleBinding['subjects'][number]): string =>
  `${entry.kind} ${entry.kind === 'ServiceAccount' ? `${entry.namespace ?? binding.namespace ?? 'default'}/` : ''}${entry.name}`;

/** Who holds a role, and through which bindings: the binding is what a reviewer removes. */
const boundBy = (role: Role, context: FieldContext): string => {
  const bindings = context.index.bindingsOf(role);
  if (bindings.length === 0) return '; no binding in the input grants it';
  const shown = bindings
    .slice(0, 5)
    .map(
      (binding) =>
        `${binding.kind} ${binding.namespace ? `${binding.namespace}/` : ''}${binding.name} to ${binding.subjects.map((entry) => subjectText(binding, entry)).join(', ') || 'nobody'}`,
    );
  return `; granted by ${shown.join('; ')}${bindings.length > 5 ? ` and ${bindings.length - 5} more bindings` : ''}`;
};

const roleFields: readonly FieldDefinition[] = [
  objectField<Role>('Role', {
    name: 'Granted Permission',
    type: 'permission',
    crossObject: true,
    description:
      "The role's rules, matched against `VERB[|VERB] [GROUP/]RESOURCE[|RESOURCE]` (e.g. `get|list|watch secrets`, `create pods/exec`); wildcards grant everything, as in RBAC. Messages name the bindings that grant the role.",
    path: () => 'rules',
    extract: (role, context) =>
      role.rules.map((rule, index) =>
        candidate(
          rule,
          () => joinPath('rules', index),
          () => `${role.kind} ${quote(role.name)} grants ${ruleText(rule)}${boundBy(role, context)}`,
        ),
      ),
  }),
  objectField<Role>('Role', {
    name: 'Unrestricted Granted Permission',
    type: 'permission',
    crossObject: true,
    description:
      'Like Granted Permission, for the rules that name no `resourceNames`: those grant the verbs on every object of the resource, not on a few named ones.',
    path: () => 'rules',
    extract: (role, context) =>
      role.rules.flatMap((rule, index) =>
        rule.resourceNames.length > 0
          ? []
          : [
              candidate(
                rule,
                () => joinPath('rules', index),
                () => `${role.kind} ${quote(role.name)} grants ${ruleText(rule)}${boundBy(role, context)}`,
              ),
            ],
      ),
  }),
  objectField<Role>('Role', {
    name: 'Rule Wildcard',
    type: 'string',
    crossObject: true,
    description: 'Which parts of a rule use `*`: verbs, resources or apiGroups. Messages name the bindings that grant the role.',
    path: () => 'rules',
    extract: (role, context) =>
      role.rules.flatMap((rule, index) =>
        (['verbs', 'resources', 'apiGroups'] as const)
          .filter((part) => rule[part].includes('*'))
          .map((part) =>
            candidate(
              part,
              () => joinPath('rules', index, part),
              () => `${role.kind} ${quote(role.name)} rule ${index + 1} uses '*' in ${part}: ${ruleText(rule)}${boundBy(role, context)}`,
            ),
          ),
      ),
  }),
];

const boundRules = (
  binding: RoleBinding,
  context: { index: { role: (kind: 'Role' | 'ClusterRole', namespace: string | undefined, name: string) => Role | undefined } },
) => {
  const role = context.index.role(binding.roleRef.kind, binding.namespace, binding.roleRef.name);
  if (role) return role.rules;
  return binding.roleRef.kind === 'ClusterRole' ? (BUILT_IN_CLUSTER_ROLES[binding.roleRef.name] ?? []) : [];
};

const bindingFields: readonly FieldDefinition[] = [
  objectField<RoleBinding>('RoleBinding', {
    name: 'Role Reference',
    type: 'string',
    description: 'Name of the Role or ClusterRole the binding grants.',
    path: () => 'roleRef.name',
    extract: (binding) => [
      candidate(
        binding.roleRef.name,
        'roleRef.name',
        () =>
          `${binding.kind} ${quote(binding.name)} grants ${binding.roleRef.kind} ${quote(binding.roleRef.name)} to ${binding.subjects.map((entry) => `${entry.kind} ${entry.namespace ? `${entry.namespace}/` : ''}${entry.name}`).join(', ') || 'nobody'}`,
      ),
    ],
  }),
  objectField<RoleBinding>('RoleBinding', {
    name: 'Binding Subject',
    type: 'keyValue',
    description: 'Each subject as KIND=NAME (User=alice, Group=system:masters, ServiceAccount=ns/name).',
    path: () => 'subjects',
    extract: (binding) =>
      binding.subjects.map((entry, index) => {
        const name = entry.kind === 'ServiceAccount' ? `${entry.namespace ?? binding.namespace ?? ''}/${entry.name}` : entry.name;
        return candidate(
          { key: entry.kind, value: name },
          () => joinPath('subjects', index),
          () => `${binding.kind} ${quote(binding.name)} grants ${binding.roleRef.kind} ${quote(binding.roleRef.name)} to ${entry.kind} ${name}`,
        );
      }),
  }),
  objectField<RoleBinding>('RoleBinding', {
    name: 'Bound Permission',
    type: 'permission',
    crossObject: true,
    description: 'Rules of the bound role (from the input, or the built-in cluster-admin, admin, edit and view roles), matched like Granted Permission.',
    path: () => 'roleRef',
    extract: (binding, context) =>
      boundRules(binding, context).map((rule) =>
        candidate(
          rule,
          'roleRef',
          () =>
            `${binding.kind} ${quote(binding.name)} grants ${ruleText(rule)} (through ${binding.roleRef.kind} ${quote(binding.roleRef.name)}) to ${binding.subjects.map((entry) => `${entry.kind} ${entry.name}`).join(', ') || 'nobody'}`,
        ),
      ),
  }),
];

const namespaceFields: readonly FieldDefinition[] = [
  objectField<Namespace>('Namespace', {
    name: 'Namespace Declared',
    filter: true,
    type: 'boolean',
    description: 'Whether the input holds the Namespace object itself (namespaces are also checked when objects merely live in them).',
    path: () => 'metadata',
    extract: (namespace, context) => {
      const declared = context.index.snapshot.namespaces.includes(namespace);
      return [
        candidate(declared, 'metadata', () =>
          declared ? `namespace ${namespace.name} is declared` : `namespace ${namespace.name} is used but not declared in the input`,
        ),
      ];
    },
  }),
  objectField<Namespace>('Namespace', {
    name: 'Namespace Has Network Policy',
    type: 'boolean',
    crossObject: true,
    description:
      'Whether any NetworkPolicy in the input lives in the namespace (or a Cilium or Calico policy of the namespace, or a cluster-wide one selecting its pods).',
    path: () => 'metadata',
    extract: (namespace, context) => {
      const count = context.index.networkPoliciesIn(namespace.name).length;
      const cni = count > 0 ? [] : context.index.cniPoliciesIn(namespace.name);
      return [
        candidate(count + cni.length > 0, 'metadata', () =>
          count > 0
            ? `namespace ${namespace.name} has ${count} NetworkPolicies`
            : cni.length > 0
              ? `namespace ${namespace.name} is covered by ${cni.join(', ')}`
              : `namespace ${namespace.name} has no NetworkPolicy: all its pods accept and open any connection`,
        ),
      ];
    },
  }),
  objectField<Namespace>('Namespace', {
    name: 'Pod Security Enforce Level',
    type: 'string',
    description: 'The pod-security.kubernetes.io/enforce label (privileged, baseline, restricted); no value when unset.',
    path: () => 'metadata.labels',
    extract: (namespace) => {
      const level = namespace.labels['pod-security.kubernetes.io/enforce'];
      return level === undefined
        ? []
        : [
            candidate(
              level,
              () => joinPath('metadata', 'labels', 'pod-security.kubernetes.io/enforce'),
              () => `namespace ${namespace.name} enforces Pod Security level ${level}`,
            ),
          ];
    },
    absent: (namespace) =>
      namespace.labels['pod-security.kubernetes.io/enforce'] === undefined
        ? `namespace ${namespace.name} has no pod-security.kubernetes.io/enforce label: Pod Security Admission does not restrict its pods`
        : `namespace ${namespace.name} enforces only Pod Security level ${namespace.labels['pod-security.kubernetes.io/enforce']}`,
  }),
];

const budgetFields: readonly FieldDefinition[] = [
  objectField<PodDisruptionBudget>('PodDisruptionBudget', {
    name: 'PDB Max Unavailable',
    type: 'string',
    description: 'spec.maxUnavailable as written (a number or a percentage); no value when unset.',
    path: () => 'spec.maxUnavailable',
    extract: (budget) =>
      budget.maxUnavailable === undefined
        ? []
        : [
            candidate(
              String(budget.maxUnavailable),
              'spec.maxUnavailable',
              () => `PodDisruptionBudget ${quote(budget.name)} sets maxUnavailable: ${budget.maxUnavailable}`,
            ),
          ],
  }),
  objectField<PodDisruptionBudget>('PodDisruptionBudget', {
    name: 'PDB Unhealthy Pod Eviction Policy',
    type: 'string',
    description: 'spec.unhealthyPodEvictionPolicy; no value when unset.',
    path: () => 'spec.unhealthyPodEvictionPolicy',
    extract: (budget) =>
      budget.unhealthyPodEvictionPolicy === undefined
        ? []
        : [
            candidate(
              budget.unhealthyPodEvictionPolicy,
              'spec.unhealthyPodEvictionPolicy',
              () => `PodDisruptionBudget ${quote(budget.name)} sets unhealthyPodEvictionPolicy: ${budget.unhealthyPodEvictionPolicy}`,
            ),
          ],
    absent: (budget) =>
      `PodDisruptionBudget ${quote(budget.name)} does not set unhealthyPodEvictionPolicy: AlwaysAllow, so unhealthy pods can block node drains`,
  }),
  objectField<PodDisruptionBudget>('PodDisruptionBudget', {
    name: 'PDB Blocks Eviction',
    type: 'boolean',
    crossObject: true,
    description:
      "Whether minAvailable leaves no pod evictable: as the disruption controller counts, a percentage is of the selected workloads' replicas rounded up, and a workload an autoscaler scales is counted at its minReplicas (where eviction is tightest).",
    path: () => 'spec.minAvailable',
    extract: (budget, context) => {
      if (budget.minAvailable === undefined || !budget.selector) return [];
      const selector = budget.selector;
      const selected = context.index.workloadsIn(budget.namespace).flatMap((workload) => {
        const minimum = selectorMatches(selector, workload.podLabels) ? context.index.minimumReplicas(workload) : undefined;
        return minimum ? [{ workload, ...minimum }] : [];
      });
      const pods = selected.reduce((sum, entry) => sum + entry.count, 0);
      const percent = typeof budget.minAvailable === 'string' ? /^(\d+)%$/.exec(budget.minAvailable.trim()) : null;
      if (typeof budget.minAvailable === 'string' && !percent) return [];
      // intstr.GetScaledValueFromIntOrPercent(minAvailable, expected, roundUp = true), as the disruption controller calls it.
      const required = percent ? Math.ceil((Number(percent[1]) * pods) / 100) : (budget.minAvailable as number);
      const blocks = selected.length === 0 ? percent !== null && Number(percent[1]) >= 100 : pods > 0 && required >= pods;
      const counted = selected
        .map(
          ({ workload, count, autoscaler }) =>
            `${workload.kind} ${quote(workload.name)}: ${count} replica${count === 1 ? '' : 's'}${autoscaler ? `, the minimum of HorizontalPodAutoscaler ${quote(autoscaler.name)}` : ''}`,
        )
        .join('; ');
      return [
        candidate(blocks, 'spec.minAvailable', () =>
          blocks
            ? `PodDisruptionBudget ${quote(budget.name)} requires minAvailable ${budget.minAvailable}${selected.length > 0 ? `: ${required} of ${pods} pod${pods === 1 ? '' : 's'} (${counted})` : ''}, so no pod can be evicted`
            : `PodDisruptionBudget ${quote(budget.name)} allows ${Math.max(0, pods - required)} of ${pods} pods to be evicted`,
        ),
      ];
    },
  }),
];

const autoscalerFields: readonly FieldDefinition[] = [
  objectField<HorizontalPodAutoscaler>('HorizontalPodAutoscaler', {
    name: 'HPA Min Replicas',
    type: 'number',
    description: 'spec.minReplicas (1 when unset).',
    path: () => 'spec.minReplicas',
    extract: (hpa) => [
      candidate(
        hpa.minReplicas,
        'spec.minReplicas',
        () => `HorizontalPodAutoscaler ${quote(hpa.name)} scales down to ${hpa.minReplicas} replica${hpa.minReplicas === 1 ? '' : 's'}`,
      ),
    ],
  }),
  objectField<HorizontalPodAutoscaler>('HorizontalPodAutoscaler', {
    name: 'HPA Max Replicas',
    type: 'number',
    description: 'spec.maxReplicas.',
    path: () => 'spec.maxReplicas',
    extract: (hpa) => [
      candidate(
        hpa.maxReplicas,
        'spec.maxReplicas',
        () => `HorizontalPodAutoscaler ${quote(hpa.name)} scales up to ${hpa.maxReplicas} replica${hpa.maxReplicas === 1 ? '' : 's'}`,
      ),
    ],
  }),
  objectField<HorizontalPodAutoscaler>('HorizontalPodAutoscaler', {
    name: 'HPA Replica Range',
    type: 'string',
    description:
      '`scales` when maxReplicas is above minReplicas, `fixed` when they are equal (the autoscaler never scales), `inverted` when maxReplicas is below minReplicas (the API server refuses it).',
    path: () => 'spec.maxReplicas',
    extract: (hpa) => {
      const range = hpa.maxReplicas > hpa.minReplicas ? 'scales' : hpa.maxReplicas === hpa.minReplicas ? 'fixed' : 'inverted';
      return [
        candidate(range, 'spec.maxReplicas', () =>
          range === 'scales'
            ? `HorizontalPodAutoscaler ${quote(hpa.name)} scales between ${hpa.minReplicas} and ${hpa.maxReplicas} replicas`
            : range === 'fixed'
              ? `HorizontalPodAutoscaler ${quote(hpa.name)} has minReplicas = maxReplicas = ${hpa.minReplicas}, so it never scales`
              : `HorizontalPodAutoscaler ${quote(hpa.name)} has maxReplicas ${hpa.maxReplicas} below minReplicas ${hpa.minReplicas}, which the API server refuses`,
        ),
      ];
    },
  }),
  objectField<HorizontalPodAutoscaler>('HorizontalPodAutoscaler', {
    name: 'HPA Target Exists',
    type: 'boolean',
    crossObject: true,
    description: 'Whether spec.scaleTargetRef names a workload in the input.',
    path: () => 'spec.scaleTargetRef',
    extract: (hpa, context) => {
      const exists = context.index
        .workloadsIn(hpa.namespace)
        .some((workload) => workload.kind === hpa.scaleTargetRef.kind && workload.name === hpa.scaleTargetRef.name);
      return [
        candidate(exists, 'spec.scaleTargetRef', () =>
          exists
            ? `HorizontalPodAutoscaler ${quote(hpa.name)} scales ${hpa.scaleTargetRef.kind} ${quote(hpa.scaleTargetRef.name)}`
            : `HorizontalPodAutoscaler ${quote(hpa.name)} targets ${hpa.scaleTargetRef.kind} ${quote(hpa.scaleTargetRef.name)}, which is not in the input`,
        ),
      ];
    },
  }),
];

const serviceMonitorFields: readonly FieldDefinition[] = [
  objectField('Object', {
    name: 'Service Monitor Selects Services',
    type: 'boolean',
    crossObject: true,
    description: 'For a Prometheus ServiceMonitor: whether its selector matches a Service in the namespaces it watches.',
    path: () => 'spec.selector',
    extract: (monitor, context) => {
      if (monitor.kind !== 'ServiceMonitor') return [];
      const spec = (monitor.raw.spec ?? {}) as Record<string, unknown>;
      const selectorRaw = (spec.selector ?? {}) as Record<string, unknown>;
      const matchLabels = (selectorRaw.matchLabels ?? {}) as Record<string, string>;
      const namespaces = ((spec.namespaceSelector ?? {}) as Record<string, unknown>).matchNames;
      const any = ((spec.namespaceSelector ?? {}) as Record<string, unknown>).any === true;
      const inScope = (service: Service): boolean =>
        any || (Array.isArray(namespaces) ? namespaces.includes(service.namespace) : service.namespace === monitor.namespace);
      const matches = context.index.snapshot.services.some((service) => inScope(service) && mapSelectorMatches(matchLabels, service.labels));
      return [
        candidate(matches, 'spec.selector', () =>
          matches ? `ServiceMonitor ${quote(monitor.name)} selects Services` : `ServiceMonitor ${quote(monitor.name)} selector matches no Service`,
        ),
      ];
    },
  }),
];

export const objectFields: readonly FieldDefinition[] = [
  ...genericFields,
  ...workloadFields,
  ...serviceFields,
  ...ingressFields,
  ...networkPolicyFields,
  ...serviceAccountFields,
  ...roleFields,
  ...bindingFields,
  ...namespaceFields,
  ...budgetFields,
  ...autoscalerFields,
  ...serviceMonitorFields,
];
