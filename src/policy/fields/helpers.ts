import { joinPath, parsePath, type Container, type KubeObject, type Workload } from '../../model/index.js';
import type { Target } from '../types.js';
import type { Candidate, CandidateValue, FieldContext, FieldDefinition, Lazy, ValueType } from './types.js';

export const quote = (text: string): string => `'${text}'`;

const EXCERPT_LIMIT = 60;
/** Annotations that hold whole objects: their values are never echoed (they can carry env values and the like). */
const OBJECT_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

/**
 * A label or annotation value as messages show it: one line, at most 60 characters. Values can
 * be whole documents (last-applied-configuration), and a finding's message is no place for them.
 */
export const valueExcerpt = (key: string, value: string): string => {
  if (OBJECT_ANNOTATIONS.has(key)) return `(${value.length} characters)`;
  const line = value.replace(/\s+/g, ' ').trim();
  return line.length <= EXCERPT_LIMIT && line === value ? value : `${line.slice(0, EXCERPT_LIMIT)}… (${value.length} characters)`;
};

const subjects = new WeakMap<object, string>();

/** The subject of a message: `container 'app'` for container fields, `Deployment 'web'` otherwise. */
export const subject = (context: FieldContext): string => {
  const owner = context.container ?? context.object;
  let text = subjects.get(owner);
  if (text === undefined) {
    text = context.container
      ? `${context.container.type === 'init' ? 'init container' : context.container.type === 'ephemeral' ? 'ephemeral container' : 'container'} ${quote(context.container.name)}`
      : `${context.object.kind} ${quote(context.object.name)}`;
    subjects.set(owner, text);
  }
  return text;
};

export const candidate = (value: CandidateValue, path: Lazy, text: Lazy): Candidate => ({ value, path, text });

const defaultAbsent =
  (label: string) =>
  (context: FieldContext, values: readonly string[]): string =>
    values.length === 0
      ? `${subject(context)} has no ${label}`
      : `${subject(context)}: no ${label} matches ${values.map(quote).join(values.length > 1 ? ' or ' : '')}`;

interface FieldSpec<T extends KubeObject> {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly type: ValueType;
  readonly description: string;
  readonly required?: boolean;
  readonly crossObject?: boolean;
  readonly filter?: boolean;
  /** Short noun for default messages ("capability added", "label"). */
  readonly label?: string;
  readonly path: (object: T, context: FieldContext) => string;
  readonly extract: (object: T, context: FieldContext) => readonly Candidate[];
  readonly absent?: (object: T, context: FieldContext, values: readonly string[]) => string;
}

/** Declares a field read once per object of a target kind. */
export const objectField = <T extends KubeObject>(target: Target, spec: FieldSpec<T>): FieldDefinition => ({
  id: -1,
  name: spec.name,
  ...(spec.aliases ? { aliases: spec.aliases } : {}),
  target,
  level: 'object',
  type: spec.type,
  description: spec.description,
  ...(spec.required ? { required: true } : {}),
  ...(spec.crossObject ? { crossObject: true } : {}),
  ...(spec.filter ? { filter: true } : {}),
  extract: (context) => spec.extract(context.object as T, context),
  path: (context) => spec.path(context.object as T, context),
  absent: spec.absent
    ? (context, values) => (spec.absent as NonNullable<typeof spec.absent>)(context.object as T, context, values)
    : defaultAbsent(spec.label ?? spec.name.toLowerCase()),
});

interface ContainerFieldSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly type: ValueType;
  readonly description: string;
  readonly required?: boolean;
  readonly filter?: boolean;
  readonly label?: string;
  /** Path of the field relative to the container, e.g. `securityContext.privileged`. */
  readonly at: string;
  readonly extract: (container: Container, workload: Workload, context: FieldContext) => readonly Candidate[];
  readonly absent?: (container: Container, workload: Workload, values: readonly string[]) => string;
}

/** Declares a field read once per container of a workload. */
export const containerField = (spec: ContainerFieldSpec): FieldDefinition => ({
  id: -1,
  name: spec.name,
  ...(spec.aliases ? { aliases: spec.aliases } : {}),
  target: 'Workload',
  level: 'container',
  type: spec.type,
  description: spec.description,
  ...(spec.required ? { required: true } : {}),
  ...(spec.filter ? { filter: true } : {}),
  extract: (context) => (context.container ? spec.extract(context.container, context.object as Workload, context) : []),
  path: (context) => (context.container ? joinPath(context.container.path, ...parsePath(spec.at)) : ''),
  absent: spec.absent
    ? (context, values) => (context.container ? (spec.absent as NonNullable<typeof spec.absent>)(context.container, context.object as Workload, values) : '')
    : defaultAbsent(spec.label ?? spec.name.toLowerCase()),
});

/** Path of a pod-level security context field, or the container's when the container set it. */
export const securityContextPath = (container: Container, workload: Workload, field: string): string =>
  container.securityContext.origin[field] === 'pod'
    ? joinPath(workload.podSpecPath, 'securityContext', field)
    : joinPath(container.path, 'securityContext', field);

export const origin = (container: Container, field: string): string => (container.securityContext.origin[field] === 'pod' ? ' (set on the pod)' : '');

export const asWorkload = (object: KubeObject): Workload => object as Workload;
