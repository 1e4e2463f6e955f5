import { joinPath, type Container, type ImageScan, type VulnerabilityMatch } from '../../model/index.js';
import { candidate, containerField, quote } from './helpers.js';
import type { Candidate, FieldContext, FieldDefinition, ValueType } from './types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const INSTRUCTIONS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

/**
 * The Dockerfile instruction behind an image history step, as the classic builder
 * (`/bin/sh -c #(nop)  EXPOSE 22/tcp`, `/bin/sh -c apt-get update`, `|1 V=2 /bin/sh -c make`) and
 * BuildKit (`RUN /bin/sh -c apt-get update # buildkit`, `EXPOSE map[22/tcp:{}]`) record it.
 * Steps made by other tools (`umoci repack`) have no instruction.
 */
/** `/bin/sh -c `, `/bin/bash -o pipefail -c ` (a Dockerfile SHELL), `sh -c `: how the builder ran a step. */
const SHELL_PREFIX = /^(?:\/\S*\/)?(?:ba|da|z|k|a)?sh(?:\s+-[^c\s]\S*(?:\s+[^-\s]\S*)?)*\s+-c\s+/;

/** Steps are matched up to this length: a crafted 16 MiB history line must not stall policy regexes. */
const MAX_STEP = 8192;

/** `|2 A=1 B=2 rest` → `rest`: build arguments in scope, as both builders record them. */
const withoutBuildArgs = (text: string): string => {
  const args = /^\|(\d+)\s+/.exec(text);
  if (!args) return text;
  let rest = text.slice(args[0].length);
  for (let count = Number(args[1]); count > 0; count--) rest = rest.replace(/^\S+=\S*\s+/, '');
  return rest;
};

/**
 * The Dockerfile instruction behind an image history step, as the classic builder
 * (`/bin/sh -c #(nop)  EXPOSE 22/tcp`, `/bin/sh -c apt-get update`, `|1 V=2 /bin/sh -c make`,
 * `/bin/bash -o pipefail -c ...` under a SHELL instruction) and BuildKit
 * (`RUN /bin/sh -c apt-get update # buildkit`, `EXPOSE map[22/tcp:{}]`) record it.
 * Steps made by other tools (`umoci repack`) have no instruction.
 */
export const dockerfileInstruction = (createdBy: string): { readonly instruction: string; readonly value: string } => {
  let text = withoutBuildArgs(
    createdBy
      .slice(0, MAX_STEP)
      .trim()
      .replace(/\s*# buildkit$/, ''),
  );
  const shell = SHELL_PREFIX.exec(text);
  if (shell) {
    const rest = text.slice(shell[0].length);
    const nop = /^#\(nop\)\s+(.*)$/s.exec(rest);
    if (!nop) return { instruction: 'RUN', value: text };
    text = nop[1] as string;
  }
  const match = /^([A-Za-z]+)\s+(.*)$/s.exec(text);
  const instruction = match?.[1]?.toUpperCase();
  if (match && instruction && INSTRUCTIONS.has(instruction)) {
    const value = (match[2] as string).trim();
    return { instruction, value: instruction === 'RUN' ? withoutBuildArgs(value) : value };
  }
  return { instruction: '', value: text };
};

/** The image as messages name it: a digest shortened to 12 hex digits. */
const imageOf = (container: Container): string => quote(container.image.full.replace(/@sha256:([a-f0-9]{12})[a-f0-9]{52}/, '@sha256:$1…'));

const scanOf = (container: Container, context: FieldContext): ImageScan | undefined => context.index.imageScan(container.image);

/** Per scan and `now`: each field's candidates, by the container's path and image name. */
const sharedCandidates = new WeakMap<ImageScan, { now: number; fields: Map<string, Map<string, readonly Candidate[]>> }>();
const containerKeys = new WeakMap<Container, string>();
const containerKey = (container: Container): string => {
  let key = containerKeys.get(container);
  if (key === undefined) containerKeys.set(container, (key = `${container.path}\u0000${container.image.full}`));
  return key;
};

/** An image field: read from the scan of the container's image; no values without one. */
const imageField = (spec: {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly type: ValueType;
  readonly description: string;
  readonly required?: boolean;
  readonly label?: string;
  readonly extract: (scan: ImageScan, container: Container, at: () => string, context: FieldContext) => readonly Candidate[];
}): FieldDefinition =>
  containerField({
    name: spec.name,
    ...(spec.aliases ? { aliases: spec.aliases } : {}),
    type: spec.type,
    description: spec.description,
    ...(spec.required ? { required: true } : {}),
    ...(spec.label ? { label: spec.label } : {}),
    at: 'image',
    extract: (container, _workload, context) => {
      const scan = scanOf(container, context);
      if (!scan) return [];
      // Thousands of workloads run the same few images: their candidates depend on the scan, the
      // container's path and image name only (and `now`, for the age), so they are built once.
      const now = context.index.now.getTime();
      let shared = sharedCandidates.get(scan);
      if (shared?.now !== now) sharedCandidates.set(scan, (shared = { now, fields: new Map() }));
      let byContainer = shared.fields.get(spec.name);
      if (!byContainer) shared.fields.set(spec.name, (byContainer = new Map()));
      const key = containerKey(container);
      let candidates = byContainer.get(key);
      if (!candidates) byContainer.set(key, (candidates = spec.extract(scan, container, () => joinPath(container.path, 'image'), context)));
      return candidates;
    },
  });

const vulnerabilityText = (match: VulnerabilityMatch): string =>
  `${match.id} (${match.severity}${match.score === undefined ? '' : ` ${match.score}`}) in ${match.package.name} ${match.package.version}${match.fixedVersions.length ? `, fixed in ${match.fixedVersions.join(', ')}` : ', no fix yet'}`;

const vulnerabilityField = (
  name: string,
  aliases: readonly string[],
  type: ValueType,
  description: string,
  values: (match: VulnerabilityMatch) => readonly (string | number | boolean)[],
): FieldDefinition =>
  imageField({
    name,
    aliases,
    type,
    description,
    extract: (scan, container, at) =>
      scan.vulnerabilities.flatMap((match) =>
        values(match).map((value) => candidate(value, at, () => `image ${imageOf(container)} has ${vulnerabilityText(match)}`)),
      ),
  });

/** Fields answered by image scans: the image config (user, ports, labels, history), its packages and their vulnerabilities. */
export const imageFields: readonly FieldDefinition[] = [
  containerField({
    name: 'Unscanned Image',
    type: 'boolean',
    description: 'Whether no scan of the image is available (image fields then have no values).',
    at: 'image',
    extract: (container, _workload, context) => {
      const unscanned = scanOf(container, context) === undefined;
      return [
        candidate(
          unscanned,
          () => joinPath(container.path, 'image'),
          () => `image ${imageOf(container)} ${unscanned ? 'has no scan' : 'was scanned'}`,
        ),
      ];
    },
  }),
  imageField({
    name: 'Image Age',
    type: 'number',
    description: "Days since the image was built (the config's `created`), e.g. `>= 90`.",
    extract: (scan, container, at, context) => {
      const created = scan.image.created === undefined ? Number.NaN : Date.parse(scan.image.created);
      // Reproducible builds (distroless, ko, Bazel, Nix) stamp the epoch or year 1: no build date at all.
      if (Number.isNaN(created) || created <= Date.UTC(1970, 0, 2)) return [];
      const days = Math.floor((context.index.now.getTime() - created) / DAY_MS);
      return [candidate(days, at, () => `image ${imageOf(container)} was built ${days} days ago (${scan.image.created})`)];
    },
  }),
  imageField({
    name: 'Image User',
    type: 'string',
    description: 'The user the image runs as (`USER`, without the group); `root` when the image sets none, as the runtime then uses root.',
    extract: (scan, container, at) => {
      const user = (scan.image.user ?? '').split(':')[0] ?? '';
      return [
        candidate(user === '' ? 'root' : user, at, () =>
          user === '' ? `image ${imageOf(container)} sets no USER, so it runs as root` : `image ${imageOf(container)} runs as user ${quote(user)}`,
        ),
      ];
    },
  }),
  imageField({
    name: 'Image Exposed Port',
    type: 'number',
    description: 'Ports the image declares (`EXPOSE`), from its config.',
    extract: (scan, container, at) =>
      scan.image.exposedPorts.flatMap((port) => {
        const number = Number.parseInt(port, 10);
        return Number.isNaN(number) ? [] : [candidate(number, at, () => `image ${imageOf(container)} exposes port ${port}`)];
      }),
  }),
  imageField({
    name: 'Dockerfile Line',
    aliases: ['Dockerfile'],
    type: 'keyValue',
    description: 'The Dockerfile instructions of the image history as `INSTRUCTION=arguments` (`RUN=/bin/sh -c apt-get update`, `ADD=file:... in /`).',
    extract: (scan, container, at) =>
      scan.image.history.flatMap((step) => {
        const { instruction, value } = dockerfileInstruction(step.createdBy);
        if (instruction === '') return [];
        const shown = value.length > 100 ? `${value.slice(0, 100)}…` : value;
        return [candidate({ key: instruction, value }, at, () => `image ${imageOf(container)} was built with ${instruction} ${shown}`)];
      }),
  }),
  imageField({
    name: 'Image Component',
    aliases: ['Component'],
    type: 'keyValue',
    description: 'Packages installed in the image as `name=version` (`curl=7.88.1-10`, `apk-tools=`).',
    extract: (scan, container, at) =>
      scan.packages.map((pkg) =>
        candidate(
          { key: pkg.name, value: pkg.version },
          at,
          () => `image ${imageOf(container)} contains ${pkg.name} ${pkg.version}${pkg.path ? ` (${pkg.path})` : ''}`,
        ),
      ),
  }),
  imageField({
    name: 'Image OS',
    type: 'string',
    description: "The image's operating system as `id:version` (`debian:12`, `alpine:3.19.1`).",
    extract: (scan, container, at) =>
      scan.os
        ? [candidate(`${scan.os.id}:${scan.os.versionId ?? ''}`, at, () => `image ${imageOf(container)} is based on ${scan.os?.prettyName ?? scan.os?.id}`)]
        : [],
  }),
  imageField({
    name: 'Image Label',
    type: 'keyValue',
    description: 'Labels of the image config as `key=value`.',
    extract: (scan, container, at) =>
      Object.entries(scan.image.labels).map(([key, value]) => candidate({ key, value }, at, () => `image ${imageOf(container)} has label ${key}=${value}`)),
  }),
  imageField({
    name: 'Required Image Label',
    type: 'keyValue',
    required: true,
    label: 'image label',
    description:
      'Labels the image must have (`key=value regexes`): the condition holds when no label matches. Pair it with `Unscanned Image: false`, as an image without a scan has no labels to show.',
    extract: (scan, container, at) =>
      Object.entries(scan.image.labels).map(([key, value]) => candidate({ key, value }, at, () => `image ${imageOf(container)} has label ${key}=${value}`)),
  }),
  imageField({
    name: 'Disallowed Image Label',
    type: 'keyValue',
    description: 'Labels the image must not have (`key=value` regexes).',
    extract: (scan, container, at) =>
      Object.entries(scan.image.labels).map(([key, value]) => candidate({ key, value }, at, () => `image ${imageOf(container)} has label ${key}=${value}`)),
  }),
  vulnerabilityField(
    'CVE',
    ['Vulnerability'],
    'string',
    'Ids of the vulnerabilities found in the image, aliases included (`CVE-2021-44228`, `GHSA-jfh8-c2jp-5v3q`).',
    (match) => match.ids,
  ),
  vulnerabilityField('CVSS', [], 'number', 'CVSS base scores of the vulnerabilities found in the image.', (match) =>
    match.score === undefined ? [] : [match.score],
  ),
  vulnerabilityField(
    'Vulnerability Severity',
    ['Severity'],
    'string',
    'Severities of the vulnerabilities found in the image (CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN).',
    (match) => [match.severity],
  ),
  vulnerabilityField('Fixable', [], 'boolean', 'Whether a vulnerability of the image has a fixed version.', (match) => [match.fixedVersions.length > 0]),
  vulnerabilityField('Fixed By', [], 'string', 'Versions that fix the vulnerabilities of the image.', (match) => match.fixedVersions),
  // StackRox combines `Fixed By` and `CVSS` on one vulnerability; these fields do it in one condition.
  vulnerabilityField('Fixable CVSS', [], 'number', 'CVSS base scores of the vulnerabilities that have a fix (`>= 7`: fixable and serious).', (match) =>
    match.fixedVersions.length > 0 && match.score !== undefined ? [match.score] : [],
  ),
  vulnerabilityField('Fixable Severity', [], 'string', 'Severities of the vulnerabilities that have a fix.', (match) =>
    match.fixedVersions.length > 0 ? [match.severity] : [],
  ),
  vulnerabilityField(
    'Known Exploited',
    [],
    'boolean',
    "Whether a vulnerability of the image is in CISA's Known Exploited Vulnerabilities catalog.",
    (match) => [match.kev !== undefined],
  ),
];
