import { joinPath, type Container, type Probe } from '../../model/index.js';
import { candidate, containerField, origin, quote, securityContextPath, subject } from './helpers.js';
import type { Candidate, FieldDefinition } from './types.js';

/** Every Linux capability, so that dropping `ALL` counts as dropping each of them. */
const LINUX_CAPABILITIES = [
  'AUDIT_CONTROL',
  'AUDIT_READ',
  'AUDIT_WRITE',
  'BLOCK_SUSPEND',
  'BPF',
  'CHECKPOINT_RESTORE',
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'IPC_LOCK',
  'IPC_OWNER',
  'KILL',
  'LEASE',
  'LINUX_IMMUTABLE',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'MKNOD',
  'NET_ADMIN',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_RAW',
  'PERFMON',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYSLOG',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_CHROOT',
  'SYS_MODULE',
  'SYS_NICE',
  'SYS_PACCT',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'WAKE_ALARM',
];

export const ALL_CAPABILITIES = ['ALL', ...LINUX_CAPABILITIES];

/** `CAP_SYS_ADMIN`, `sys_admin` and `SYS_ADMIN` are one capability to the runtime. */
export const normaliseCapability = (name: string): string => name.toUpperCase().replace(/^CAP_/, '');

const MIB = 1024 * 1024;

const securityContextMissing = (container: Container): boolean => container.securityContextMissing;

/** Whether the container can gain more privileges than its parent: Kubernetes allows it unless told not to. */
const privilegeEscalation = (container: Container): { allowed: boolean; why: string } => {
  const sc = container.securityContext;
  if (sc.privileged === true) return { allowed: true, why: 'is privileged, which always allows privilege escalation' };
  if (sc.capabilities.add.map(normaliseCapability).includes('SYS_ADMIN')) {
    return { allowed: true, why: 'adds CAP_SYS_ADMIN, which always allows privilege escalation' };
  }
  if (sc.allowPrivilegeEscalation === false) return { allowed: false, why: 'sets allowPrivilegeEscalation: false' };
  if (sc.allowPrivilegeEscalation === true) return { allowed: true, why: 'sets allowPrivilegeEscalation: true' };
  return { allowed: true, why: 'does not set allowPrivilegeEscalation: false (Kubernetes allows escalation by default)' };
};

const resourceField = (name: string, kind: 'requests' | 'limits', resource: 'cpu' | 'memory'): FieldDefinition =>
  containerField({
    name,
    type: 'number',
    description: `${resource === 'cpu' ? 'CPU' : 'Memory'} ${kind === 'requests' ? 'request (the limit when only a limit is set, as Kubernetes defaults it)' : 'limit'} of the container, in ${resource === 'cpu' ? 'cores' : 'MiB'}; 0 when unset.`,
    at: `resources.${kind}.${resource}`,
    extract: (container, _workload, context) => {
      const own = container.resources[kind][resource];
      // Kubernetes defaults a missing request to the limit.
      const quantity = own ?? (kind === 'requests' ? container.resources.limits[resource] : undefined);
      const value = quantity === undefined ? 0 : resource === 'cpu' ? quantity.value : quantity.value / MIB;
      const noun = `${resource === 'cpu' ? 'CPU' : 'memory'} ${kind === 'requests' ? 'request' : 'limit'}`;
      return [
        candidate(
          Number.isNaN(value) ? 0 : value,
          joinPath(container.path, 'resources', kind, resource),
          quantity === undefined ? `${subject(context)} has no ${noun}` : `${subject(context)} has ${noun} ${quantity.text}`,
        ),
      ];
    },
  });

const PROBES = [
  ['Liveness Probe Defined', 'livenessProbe', 'liveness'],
  ['Readiness Probe Defined', 'readinessProbe', 'readiness'],
  ['Startup Probe Defined', 'startupProbe', 'startup'],
] as const;

/** Probes apply to long-running containers: regular ones and restartable init containers (sidecars). */
const runsContinuously = (container: Container): boolean =>
  container.type === 'container' || (container.type === 'init' && container.restartPolicy === 'Always');

const probeFields = PROBES.map(([name, key, noun]) =>
  containerField({
    name,
    type: 'boolean',
    description: `Whether the container defines a ${noun} probe (regular and sidecar containers only).`,
    at: key,
    extract: (container, _workload, context) =>
      runsContinuously(container)
        ? [
            candidate(
              container[key] !== undefined,
              joinPath(container.path, key),
              container[key] ? `${subject(context)} has a ${noun} probe` : `${subject(context)} has no ${noun} probe`,
            ),
          ]
        : [],
  }),
);

const probePortExposed = (probe: Probe, container: Container): boolean => {
  if (probe.port === undefined) return true;
  return typeof probe.port === 'number'
    ? container.ports.length === 0 || container.ports.some((port) => port.containerPort === probe.port)
    : container.ports.some((port) => port.name === probe.port);
};

/** Container runtime sockets where runtimes and distributions put them (`/var/run` is a link to `/run` on every current distribution). */
const RUNTIME_SOCKETS: readonly (readonly [path: string, runtime: string])[] = [
  ['/run/docker.sock', 'Docker'],
  ['/run/containerd/containerd.sock', 'containerd'],
  ['/run/crio/crio.sock', 'CRI-O'],
  ['/run/cri-dockerd.sock', 'cri-dockerd'],
  ['/run/dockershim.sock', 'dockershim'],
  ['/run/docker/containerd/containerd.sock', "Docker's containerd"],
  ['/run/k3s/containerd/containerd.sock', 'k3s/RKE2 containerd'],
  ['/run/k0s/containerd.sock', 'k0s containerd'],
  ['/run/podman/podman.sock', 'Podman'],
  ['/var/snap/microk8s/common/run/containerd.sock', 'MicroK8s containerd'],
];

/** A host path as the node resolves it: `//` and `/./` collapsed, no trailing slash, `/var/run` as `/run`. */
const canonicalHostPath = (path: string): string => {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  const joined = `/${parts.join('/')}`;
  return joined === '/var/run' || joined.startsWith('/var/run/') ? joined.slice('/var'.length) : joined;
};

/**
 * The runtime sockets a host path reaches: the socket itself, or every socket below a directory
 * (mounting `/run/containerd` reaches the containerd socket as surely as mounting the socket).
 */
export const runtimeSocketsReached = (hostPath: string): (readonly [string, string])[] => {
  const path = canonicalHostPath(hostPath);
  return RUNTIME_SOCKETS.filter(([socket]) => socket === path || path === '/' || socket.startsWith(`${path}/`));
};

/** Whether any Linux confinement is asked for: a seccomp or AppArmor profile, SELinux options, or dropped capabilities. */
const linuxHardening = (container: Container): string[] => {
  const sc = container.securityContext;
  const confined = (type: string | undefined): boolean => type !== undefined && type !== 'Unconfined';
  const selinux = sc.seLinuxOptions;
  return [
    confined(sc.seccompProfile?.type) ? `seccomp profile ${sc.seccompProfile?.type}` : '',
    confined(sc.appArmorProfile?.type) ? `AppArmor profile ${sc.appArmorProfile?.type}` : '',
    selinux && (selinux.type ?? selinux.level ?? selinux.user ?? selinux.role) !== undefined ? 'SELinux options' : '',
    sc.capabilities.drop.length > 0 ? `dropped capabilities (${sc.capabilities.drop.join(', ')})` : '',
  ].filter(Boolean);
};

const imageTag = (container: Container): string | undefined => container.image.tag ?? (container.image.digest === undefined ? 'latest' : undefined);

export const containerFields: readonly FieldDefinition[] = [
  containerField({
    name: 'Container Name',
    filter: true,
    type: 'string',
    description: 'Name of the container.',
    at: 'name',
    extract: (container) => [
      candidate(
        container.name,
        () => joinPath(container.path, 'name'),
        () => `container ${quote(container.name)}`,
      ),
    ],
  }),
  containerField({
    name: 'Container Type',
    filter: true,
    type: 'string',
    description: 'container, init or ephemeral.',
    at: 'name',
    extract: (container, _workload, context) => [candidate(container.type, container.path, () => `${subject(context)} is of type ${container.type}`)],
  }),
  containerField({
    name: 'Privileged Container',
    aliases: ['Privileged'],
    type: 'boolean',
    description: 'securityContext.privileged; false when unset.',
    at: 'securityContext.privileged',
    extract: (container, _workload, context) => {
      const privileged = container.securityContext.privileged === true;
      return [
        candidate(
          privileged,
          joinPath(container.path, 'securityContext', 'privileged'),
          `${subject(context)} ${privileged ? 'is privileged' : 'is not privileged'}`,
        ),
      ];
    },
  }),
  containerField({
    name: 'Read-Only Root Filesystem',
    aliases: ['Read Only Root Filesystem'],
    type: 'boolean',
    description: 'securityContext.readOnlyRootFilesystem; false when unset.',
    at: 'securityContext.readOnlyRootFilesystem',
    extract: (container, _workload, context) => {
      const value = container.securityContext.readOnlyRootFilesystem;
      return [
        candidate(
          value === true,
          joinPath(container.path, 'securityContext', 'readOnlyRootFilesystem'),
          value === true
            ? `${subject(context)} has a read-only root filesystem`
            : value === false
              ? `${subject(context)} sets readOnlyRootFilesystem: false`
              : `${subject(context)} does not set readOnlyRootFilesystem: true (the root filesystem is writable)`,
        ),
      ];
    },
  }),
  containerField({
    name: 'Allow Privilege Escalation',
    type: 'boolean',
    description:
      'Whether the container may gain privileges (setuid binaries, file capabilities): true when allowPrivilegeEscalation is true or unset, or the container is privileged or adds CAP_SYS_ADMIN.',
    at: 'securityContext.allowPrivilegeEscalation',
    extract: (container, _workload, context) => {
      const { allowed, why } = privilegeEscalation(container);
      return [
        candidate(
          allowed,
          () => joinPath(container.path, 'securityContext', 'allowPrivilegeEscalation'),
          () => `${subject(context)} ${why}`,
        ),
      ];
    },
  }),
  containerField({
    name: 'Add Capabilities',
    type: 'string',
    label: 'added capability',
    description: 'Each capability in securityContext.capabilities.add, upper-case without the CAP_ prefix.',
    at: 'securityContext.capabilities.add',
    extract: (container, _workload, context) =>
      container.securityContext.capabilities.add.map((capability, index) =>
        candidate(
          normaliseCapability(capability),
          joinPath(container.path, 'securityContext', 'capabilities', 'add', index),
          `${subject(context)} adds capability ${normaliseCapability(capability)}`,
        ),
      ),
  }),
  containerField({
    name: 'Drop Capabilities',
    type: 'string',
    required: true,
    description:
      'Capabilities the container drops (ALL counts as every capability). As in StackRox, the condition holds when the listed capability is NOT dropped; list one capability per condition.',
    at: 'securityContext.capabilities.drop',
    extract: (container, _workload, context) => {
      const dropped = container.securityContext.capabilities.drop.map(normaliseCapability);
      const path = joinPath(container.path, 'securityContext', 'capabilities', 'drop');
      if (dropped.includes('ALL')) {
        // Dropping ALL drops each capability: one shared message, no string per capability.
        const text = `${subject(context)} drops ALL capabilities`;
        return ALL_CAPABILITIES.map((capability) => ({ value: capability, path, text }));
      }
      return [...new Set(dropped)].map((capability) => candidate(capability, path, () => `${subject(context)} drops ${capability}`));
    },
    absent: (container, _workload, values) =>
      `container ${quote(container.name)} does not drop ${values.map((value) => (value === 'ALL' ? 'ALL capabilities' : `capability ${value}`)).join(' and ')}`,
  }),
  containerField({
    name: 'Run As User',
    type: 'number',
    description: 'Effective runAsUser (container, else pod); no value when unset (the image decides).',
    at: 'securityContext.runAsUser',
    extract: (container, workload, context) => {
      const value = container.securityContext.runAsUser;
      return value === undefined
        ? []
        : [
            candidate(
              value,
              () => securityContextPath(container, workload, 'runAsUser'),
              () => `${subject(context)} runs as user ${value}${origin(container, 'runAsUser')}`,
            ),
          ];
    },
    absent: (container, _workload, values) =>
      `container ${quote(container.name)} ${container.securityContext.runAsUser === undefined ? 'does not set runAsUser' : `runs as user ${container.securityContext.runAsUser}`}${values.length ? ` (expected ${values.join(' or ')})` : ''}`,
  }),
  containerField({
    name: 'Run As Non-Root',
    aliases: ['Run As Non Root'],
    type: 'boolean',
    description: 'Effective runAsNonRoot (container, else pod); no value when unset.',
    at: 'securityContext.runAsNonRoot',
    extract: (container, workload, context) => {
      const value = container.securityContext.runAsNonRoot;
      return value === undefined
        ? []
        : [
            candidate(
              value,
              () => securityContextPath(container, workload, 'runAsNonRoot'),
              () => `${subject(context)} sets runAsNonRoot: ${value}${origin(container, 'runAsNonRoot')}`,
            ),
          ];
    },
    absent: (container) =>
      `container ${quote(container.name)} ${container.securityContext.runAsNonRoot === false ? 'sets runAsNonRoot: false' : 'does not set runAsNonRoot: true'} (neither does its pod)`,
  }),
  containerField({
    name: 'Run As Group',
    type: 'number',
    description: 'Effective runAsGroup (container, else pod); no value when unset.',
    at: 'securityContext.runAsGroup',
    extract: (container, workload, context) => {
      const value = container.securityContext.runAsGroup;
      return value === undefined
        ? []
        : [
            candidate(
              value,
              () => securityContextPath(container, workload, 'runAsGroup'),
              () => `${subject(context)} runs as group ${value}${origin(container, 'runAsGroup')}`,
            ),
          ];
    },
  }),
  containerField({
    name: 'Seccomp Profile Type',
    type: 'string',
    description:
      'Effective seccomp profile type: RuntimeDefault, Localhost or Unconfined (field or legacy annotation, container else pod); no value when unset.',
    at: 'securityContext.seccompProfile',
    extract: (container, workload, context) => {
      const profile = container.securityContext.seccompProfile;
      if (!profile) return [];
      const path = profile.from === 'annotation' ? joinPath(workload.podMetaPath, 'annotations') : securityContextPath(container, workload, 'seccompProfile');
      return [
        candidate(
          profile.type,
          path,
          () => `${subject(context)} uses seccomp profile ${profile.type}${profile.from === 'container' ? '' : ` (set on the ${profile.from})`}`,
        ),
      ];
    },
    absent: (container) =>
      `container ${quote(container.name)} ${container.securityContext.seccompProfile ? `uses seccomp profile ${container.securityContext.seccompProfile.type}` : 'sets no seccomp profile (neither does its pod)'}`,
  }),
  containerField({
    name: 'AppArmor Profile',
    type: 'string',
    description: 'Effective AppArmor profile type (field or annotation): RuntimeDefault, Localhost or Unconfined; no value when unset.',
    at: 'securityContext.appArmorProfile',
    extract: (container, workload, context) => {
      const profile = container.securityContext.appArmorProfile;
      if (!profile) return [];
      const path = profile.from === 'annotation' ? joinPath(workload.podMetaPath, 'annotations') : securityContextPath(container, workload, 'appArmorProfile');
      return [candidate(profile.type, path, () => `${subject(context)} uses AppArmor profile ${profile.type}`)];
    },
  }),
  ...(['type', 'user', 'role'] as const).map((part) =>
    containerField({
      name: `SELinux ${part[0]?.toUpperCase()}${part.slice(1)}`,
      type: 'string',
      description: `Effective seLinuxOptions.${part}; no value when unset.`,
      at: `securityContext.seLinuxOptions.${part}`,
      extract: (container, workload, context) => {
        const value = container.securityContext.seLinuxOptions?.[part];
        return value === undefined
          ? []
          : [
              candidate(
                value,
                () => joinPath(securityContextPath(container, workload, 'seLinuxOptions'), part),
                () => `${subject(context)} sets SELinux ${part} ${quote(value)}`,
              ),
            ];
      },
    }),
  ),
  containerField({
    name: 'Proc Mount',
    type: 'string',
    description: 'securityContext.procMount (Default or Unmasked); no value when unset.',
    at: 'securityContext.procMount',
    extract: (container, _workload, context) => {
      const value = container.securityContext.procMount;
      return value === undefined
        ? []
        : [
            candidate(
              value,
              () => joinPath(container.path, 'securityContext', 'procMount'),
              () => `${subject(context)} sets procMount: ${value}`,
            ),
          ];
    },
  }),
  containerField({
    name: 'Windows Host Process',
    type: 'boolean',
    description: 'Effective windowsOptions.hostProcess; no value when unset.',
    at: 'securityContext.windowsOptions.hostProcess',
    extract: (container, workload, context) => {
      const value = container.securityContext.windowsHostProcess;
      return value === undefined
        ? []
        : [
            candidate(
              value,
              () => joinPath(securityContextPath(container, workload, 'windowsOptions'), 'hostProcess'),
              () => `${subject(context)} sets windowsOptions.hostProcess: ${value}`,
            ),
          ];
    },
  }),
  containerField({
    name: 'Security Context Missing',
    type: 'boolean',
    description: 'True when neither the container nor its pod sets any security context field.',
    at: 'securityContext',
    extract: (container, _workload, context) => [
      candidate(
        securityContextMissing(container),
        joinPath(container.path, 'securityContext'),
        securityContextMissing(container) ? `${subject(context)} has no security context (nor does its pod)` : `${subject(context)} has a security context`,
      ),
    ],
  }),
  resourceField('Container CPU Request', 'requests', 'cpu'),
  resourceField('Container CPU Limit', 'limits', 'cpu'),
  resourceField('Container Memory Request', 'requests', 'memory'),
  resourceField('Container Memory Limit', 'limits', 'memory'),
  ...probeFields,
  containerField({
    name: 'Probe Port Not Exposed',
    type: 'string',
    description: 'Probes (liveness, readiness, startup) whose port is a name the container does not declare, or a number missing from its declared ports.',
    at: 'livenessProbe',
    extract: (container, _workload, context) =>
      PROBES.flatMap(([, key, noun]) => {
        const probe = container[key];
        return probe && !probePortExposed(probe, container)
          ? [
              candidate(
                noun,
                () => joinPath(container.path, key),
                () => `${subject(context)} has a ${noun} probe on port ${quote(String(probe.port))}, which the container does not expose`,
              ),
            ]
          : [];
      }),
  }),
  containerField({
    name: 'Exposed Port',
    type: 'number',
    label: 'container port',
    description: 'Each containerPort the container declares.',
    at: 'ports',
    extract: (container, _workload, context) =>
      container.ports.map((port, index) =>
        candidate(
          port.containerPort,
          () => joinPath(container.path, 'ports', index, 'containerPort'),
          () => `${subject(context)} exposes port ${port.containerPort}/${port.protocol}`,
        ),
      ),
  }),
  containerField({
    name: 'Container Port',
    type: 'string',
    label: 'container port',
    description: 'Each declared container port as PORT/PROTOCOL (22/TCP, 53/UDP), to match number and protocol together.',
    at: 'ports',
    extract: (container, _workload, context) =>
      container.ports.map((port, index) =>
        candidate(
          `${port.containerPort}/${port.protocol}`,
          () => joinPath(container.path, 'ports', index),
          () => `${subject(context)} exposes port ${port.containerPort}/${port.protocol}${port.name ? ` (${port.name})` : ''}`,
        ),
      ),
  }),
  containerField({
    name: 'Exposed Port Protocol',
    type: 'string',
    description: 'Protocol of each declared container port (TCP, UDP, SCTP).',
    at: 'ports',
    extract: (container, _workload, context) =>
      container.ports.map((port, index) =>
        candidate(
          port.protocol,
          () => joinPath(container.path, 'ports', index, 'protocol'),
          () => `${subject(context)} exposes port ${port.containerPort}/${port.protocol}`,
        ),
      ),
  }),
  containerField({
    name: 'Host Port',
    type: 'number',
    description: 'Each hostPort the container maps (0 and unset are not listed).',
    at: 'ports',
    extract: (container, _workload, context) =>
      container.ports.flatMap((port, index) =>
        port.hostPort
          ? [
              candidate(
                port.hostPort,
                () => joinPath(container.path, 'ports', index, 'hostPort'),
                () => `${subject(context)} maps host port ${port.hostPort} to ${port.containerPort}/${port.protocol}`,
              ),
            ]
          : [],
      ),
  }),
  containerField({
    name: 'Image',
    type: 'string',
    description: 'The image reference as written.',
    at: 'image',
    extract: (container, _workload, context) => [
      candidate(
        container.image.full,
        () => joinPath(container.path, 'image'),
        () => `${subject(context)} runs image ${quote(container.image.full)}`,
      ),
    ],
  }),
  containerField({
    name: 'Image Registry',
    type: 'string',
    description: 'Registry host of the image (docker.io when none is named).',
    at: 'image',
    extract: (container, _workload, context) => [
      candidate(
        container.image.registry,
        () => joinPath(container.path, 'image'),
        () => `${subject(context)} pulls ${quote(container.image.full)} from registry ${container.image.registry}`,
      ),
    ],
  }),
  containerField({
    name: 'Image Remote',
    type: 'string',
    description: 'Repository path of the image without the registry (library/nginx).',
    at: 'image',
    extract: (container, _workload, context) => [
      candidate(
        container.image.remote,
        () => joinPath(container.path, 'image'),
        () => `${subject(context)} runs image ${quote(container.image.full)}`,
      ),
    ],
  }),
  containerField({
    name: 'Image Tag',
    type: 'string',
    description: 'Tag of the image; `latest` when the reference has neither tag nor digest (Kubernetes pulls latest).',
    at: 'image',
    extract: (container, _workload, context) => {
      const tag = imageTag(container);
      if (tag === undefined) return [];
      const implicit = container.image.tag === undefined;
      return [
        candidate(
          tag,
          joinPath(container.path, 'image'),
          implicit
            ? `${subject(context)} runs image ${quote(container.image.full)} without a tag (Kubernetes pulls latest)`
            : `${subject(context)} runs image ${quote(container.image.full)} (tag ${tag})`,
        ),
      ];
    },
  }),
  containerField({
    name: 'Image Pinned By Digest',
    type: 'boolean',
    description: 'Whether the image reference carries a @sha256 digest.',
    at: 'image',
    extract: (container, _workload, context) => [
      candidate(
        container.image.digest !== undefined,
        joinPath(container.path, 'image'),
        container.image.digest === undefined
          ? `${subject(context)} runs image ${quote(container.image.full)}, not pinned by digest`
          : `${subject(context)} runs image pinned by digest`,
      ),
    ],
  }),
  containerField({
    name: 'Image Pull Policy',
    type: 'string',
    description: 'imagePullPolicy, defaulted as Kubernetes does: Always for latest or untagged images, IfNotPresent otherwise.',
    at: 'imagePullPolicy',
    extract: (container, _workload, context) => {
      const policy = container.imagePullPolicy ?? (imageTag(container) === 'latest' ? 'Always' : 'IfNotPresent');
      return [
        candidate(
          policy,
          () => joinPath(container.path, 'imagePullPolicy'),
          () => `${subject(context)} has imagePullPolicy ${policy}`,
        ),
      ];
    },
  }),
  containerField({
    name: 'Environment Variable',
    type: 'envVar',
    label: 'environment variable',
    description:
      'Each env entry as SOURCE=NAME=VALUE, SOURCE one of RAW, SECRET_KEY, CONFIG_MAP_KEY, FIELD, RESOURCE_FIELD, UNSET; NAME and VALUE are regular expressions (empty matches anything). Values are matched, never printed.',
    at: 'env',
    extract: (container, _workload, context) =>
      container.env.map((env) =>
        candidate(
          { source: env.source, name: env.name, value: env.value ?? '' },
          env.path,
          env.source === 'RAW'
            ? `${subject(context)} sets environment variable ${env.name} to a literal value`
            : env.source === 'SECRET_KEY'
              ? `${subject(context)} reads environment variable ${env.name} from Secret ${quote(env.ref?.name ?? '')} key ${quote(env.ref?.key ?? '')}`
              : env.source === 'CONFIG_MAP_KEY'
                ? `${subject(context)} reads environment variable ${env.name} from ConfigMap ${quote(env.ref?.name ?? '')}`
                : `${subject(context)} sets environment variable ${env.name} from ${env.source.toLowerCase().replace('_', ' ')}`,
        ),
      ),
  }),
  containerField({
    name: 'Duplicate Environment Variable',
    type: 'string',
    description: 'Names of environment variables defined more than once in the container (the last one silently wins).',
    at: 'env',
    extract: (container, _workload, context) => {
      const seen = new Set<string>();
      const out: Candidate[] = [];
      for (const env of container.env) {
        if (seen.has(env.name)) out.push(candidate(env.name, env.path, () => `${subject(context)} defines environment variable ${env.name} more than once`));
        seen.add(env.name);
      }
      return out;
    },
  }),
  containerField({
    name: 'Missing Environment Source',
    type: 'keyValue',
    description:
      'Secrets and ConfigMaps that env (secretKeyRef, configMapKeyRef) or envFrom read but the input does not define, as KIND=NAME; optional references are not listed.',
    at: 'env',
    extract: (container, workload, context) => {
      const defined = (kind: 'Secret' | 'ConfigMap', name: string): boolean =>
        (kind === 'Secret' ? context.index.snapshot.secrets : context.index.snapshot.configMaps).some(
          (object) => object.namespace === workload.namespace && object.name === name,
        );
      const out: Candidate[] = [];
      for (const env of container.env) {
        if ((env.source !== 'SECRET_KEY' && env.source !== 'CONFIG_MAP_KEY') || !env.ref || env.ref.optional) continue;
        const kind = env.source === 'SECRET_KEY' ? 'Secret' : 'ConfigMap';
        if (!defined(kind, env.ref.name))
          out.push(
            candidate(
              { key: kind, value: env.ref.name },
              env.path,
              () => `${subject(context)} reads ${env.name} from ${kind} ${quote(env.ref?.name ?? '')}, which is not in namespace ${workload.namespace}`,
            ),
          );
      }
      for (const source of container.envFrom) {
        if (!defined(source.kind, source.name))
          out.push(
            candidate(
              { key: source.kind, value: source.name },
              source.path,
              () => `${subject(context)} imports ${source.kind} ${quote(source.name)}, which is not in namespace ${workload.namespace}`,
            ),
          );
      }
      return out;
    },
  }),
  containerField({
    name: 'Environment From',
    type: 'keyValue',
    description: 'Each envFrom source as KIND=NAME (Secret=db-credentials, ConfigMap=app-config).',
    at: 'envFrom',
    extract: (container, _workload, context) =>
      container.envFrom.map((source) =>
        candidate(
          { key: source.kind, value: source.name },
          source.path,
          () => `${subject(context)} imports every key of ${source.kind} ${quote(source.name)} as environment variables`,
        ),
      ),
  }),
  containerField({
    name: 'Volume Name',
    type: 'string',
    description: 'Name of each volume the container mounts.',
    at: 'volumeMounts',
    extract: (container, _workload, context) =>
      container.volumeMounts.map((mount) => candidate(mount.name, mount.path, () => `${subject(context)} mounts volume ${quote(mount.name)}`)),
  }),
  containerField({
    name: 'Volume Source',
    type: 'string',
    description: 'What each mounted volume points at: the host path, Secret, ConfigMap or claim name.',
    at: 'volumeMounts',
    extract: (container, _workload, context) =>
      container.volumeMounts.flatMap((mount) =>
        mount.volume
          ? [
              candidate(
                mount.volume.source,
                mount.volume.path,
                () =>
                  `${subject(context)} mounts ${mount.volume?.type} volume ${quote(mount.volume?.source || mount.name)} at ${mount.mountPath}${mount.readOnly ? ' (read-only)' : ''}`,
              ),
            ]
          : [],
      ),
  }),
  containerField({
    name: 'Volume Type',
    filter: true,
    type: 'string',
    description: 'Type of each mounted volume (hostPath, secret, configMap, emptyDir, persistentVolumeClaim, ...).',
    at: 'volumeMounts',
    extract: (container, _workload, context) =>
      container.volumeMounts.flatMap((mount) =>
        mount.volume
          ? [candidate(mount.volume.type, mount.volume.path, () => `${subject(context)} mounts ${mount.volume?.type} volume ${quote(mount.name)}`)]
          : [],
      ),
  }),
  containerField({
    name: 'Volume Destination',
    type: 'string',
    description: 'mountPath of each volume mount.',
    at: 'volumeMounts',
    extract: (container, _workload, context) =>
      container.volumeMounts.map((mount) =>
        candidate(
          mount.mountPath,
          () => joinPath(mount.path, 'mountPath'),
          () => `${subject(context)} mounts ${quote(mount.name)} at ${mount.mountPath}`,
        ),
      ),
  }),
  containerField({
    name: 'Writable Mounted Volume',
    type: 'boolean',
    description: 'For each volume mount: true when it is not read-only.',
    at: 'volumeMounts',
    extract: (container, _workload, context) =>
      container.volumeMounts.map((mount) =>
        candidate(
          !mount.readOnly,
          mount.path,
          () => `${subject(context)} mounts ${quote(mount.name)} at ${mount.mountPath} ${mount.readOnly ? 'read-only' : 'read-write'}`,
        ),
      ),
  }),
  containerField({
    name: 'Writable Host Mount',
    type: 'boolean',
    description: 'For each hostPath volume mount: true when it is not read-only.',
    at: 'volumeMounts',
    extract: (container, _workload, context) =>
      container.volumeMounts.flatMap((mount) =>
        mount.volume?.type === 'hostPath'
          ? [
              candidate(
                !mount.readOnly,
                mount.path,
                () => `${subject(context)} mounts host path ${mount.volume?.source} at ${mount.mountPath} ${mount.readOnly ? 'read-only' : 'read-write'}`,
              ),
            ]
          : [],
      ),
  }),
  containerField({
    name: 'Container Runtime Socket',
    type: 'string',
    description:
      "For each hostPath mount that reaches a container runtime socket (Docker, containerd, CRI-O, cri-dockerd, k3s, k0s, Podman, MicroK8s): the socket's path on the node. A directory that holds a socket (`/run/containerd`, `/var/run`, `/`) reaches it as surely as the socket file.",
    at: 'volumeMounts',
    extract: (container, _workload, context) =>
      container.volumeMounts.flatMap((mount) => {
        const volume = mount.volume;
        if (volume?.type !== 'hostPath') return [];
        return runtimeSocketsReached(volume.source).map(([socket, runtime]) =>
          candidate(socket, volume.path, () =>
            canonicalHostPath(volume.source) === socket
              ? `${subject(context)} mounts the ${runtime} socket ${volume.source} at ${mount.mountPath}`
              : `${subject(context)} mounts host path ${volume.source} at ${mount.mountPath}, which holds the ${runtime} socket ${socket}`,
          ),
        );
      }),
  }),
  containerField({
    name: 'Linux Hardening',
    type: 'boolean',
    description:
      'Whether the container asks for any Linux confinement: a seccomp or AppArmor profile other than Unconfined, SELinux options, or dropped capabilities (container or pod settings).',
    at: 'securityContext',
    extract: (container, _workload, context) => {
      const measures = linuxHardening(container);
      return [
        candidate(measures.length > 0, joinPath(container.path, 'securityContext'), () =>
          measures.length > 0
            ? `${subject(context)} is confined by ${measures.join(', ')}`
            : `${subject(context)} has no Linux hardening at all: no seccomp or AppArmor profile, no SELinux options, no dropped capabilities`,
        ),
      ];
    },
  }),
  containerField({
    name: 'Mount Propagation',
    type: 'string',
    description: 'mountPropagation of each volume mount (None, HostToContainer, Bidirectional); None when unset.',
    at: 'volumeMounts',
    extract: (container, _workload, context) =>
      container.volumeMounts.map((mount) =>
        candidate(
          mount.mountPropagation ?? 'None',
          () => joinPath(mount.path, 'mountPropagation'),
          () => `${subject(context)} mounts ${quote(mount.name)} with mount propagation ${mount.mountPropagation ?? 'None'}`,
        ),
      ),
  }),
];
