import { TARGETS, type Target } from '../types.js';
import { containerFields } from './container.js';
import { imageFields } from './image.js';
import { objectFields } from './objects.js';
import type { FieldDefinition } from './types.js';

export type { Candidate, CandidateValue, EnvCandidate, FieldContext, FieldDefinition, KeyValue, Lazy, ValueType } from './types.js';
export { resolve } from './types.js';
export { normaliseCapability } from './container.js';
export { dockerfileInstruction } from './image.js';

/** Every criteria field, StackRox names first, each numbered by its position. */
export const FIELDS: readonly FieldDefinition[] = [...objectFields, ...containerFields, ...imageFields].map((field, id) => ({ ...field, id }));

/** Field names compare without case, spaces or punctuation: `Read-Only Root Filesystem` = `read only root filesystem`. */
const key = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

const byTarget = new Map<Target, Map<string, FieldDefinition>>();
const register = (target: Target, field: FieldDefinition): void => {
  let fields = byTarget.get(target);
  if (!fields) byTarget.set(target, (fields = new Map()));
  for (const name of [field.name, ...(field.aliases ?? [])]) if (!fields.has(key(name))) fields.set(key(name), field);
};
for (const field of FIELDS) if (field.target !== 'Object') register(field.target, field);
// Object-level fields (namespace, labels, kind, ...) answer for every target.
for (const field of FIELDS) if (field.target === 'Object') for (const target of TARGETS) register(target, field);

export const findField = (target: Target, name: string): FieldDefinition | undefined => byTarget.get(target)?.get(key(name));

/** Fields usable with a target, for `policy fields` and error hints. */
export const fieldsFor = (target: Target): FieldDefinition[] => [...new Set(byTarget.get(target)?.values() ?? [])];

/** Fields an image alone answers: its name, and what a scan of it found. */
export const IMAGE_FIELD_NAMES: ReadonlySet<string> = new Set([
  ...imageFields.map((field) => field.name),
  'Image',
  'Image Registry',
  'Image Remote',
  'Image Tag',
  'Image Pinned By Digest',
]);
