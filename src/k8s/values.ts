/**
 * Readers for untyped manifest values. Kubernetes decodes YAML as YAML 1.1 (sigs.k8s.io/yaml),
 * where `yes`, `on` and `y` are booleans; a YAML 1.2 parser keeps them as strings, so they are
 * accepted here to judge a manifest the way the API server would.
 */
export type Dict = Readonly<Record<string, unknown>>;

const YAML11_TRUE = new Set(['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'y', 'Y', 'on', 'On', 'ON']);
const YAML11_FALSE = new Set(['false', 'False', 'FALSE', 'no', 'No', 'NO', 'n', 'N', 'off', 'Off', 'OFF']);

export const isDict = (value: unknown): value is Dict => typeof value === 'object' && value !== null && !Array.isArray(value);

export const dict = (value: unknown): Dict => (isDict(value) ? value : {});

export const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

export const dicts = (value: unknown): readonly Dict[] => list(value).filter(isDict);

export const bool = (value: unknown): boolean | undefined => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (YAML11_TRUE.has(value)) return true;
    if (YAML11_FALSE.has(value)) return false;
  }
  return undefined;
};

export const int = (value: unknown): number | undefined => {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^[-+]?\d+$/.test(value.trim())) return Number(value);
  return undefined;
};

export const str = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
};

/** A port that may be a number or a name (IntOrString). */
export const intOrString = (value: unknown): number | string | undefined => {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return /^\d+$/.test(value) ? Number(value) : value;
  return undefined;
};

export const strings = (value: unknown): string[] => {
  const out: string[] = [];
  for (const item of list(value)) {
    const text = str(item);
    if (text !== undefined) out.push(text);
  }
  return out;
};

export const stringMap = (value: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(dict(value))) {
    const text = str(item);
    if (text !== undefined) out[key] = text;
    else if (item === null) out[key] = '';
  }
  return out;
};

/** Copies only the properties whose value is defined, for exactOptionalPropertyTypes-friendly objects. */
export const defined = <T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } => {
  // for-in rather than Object.entries: this runs for every normalised node, and allocates nothing else.
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const item = value[key];
    if (item !== undefined) out[key] = item;
  }
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
};
