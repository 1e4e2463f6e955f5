import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseYamlStream } from '../k8s/index.js';
import { SEVERITIES, type Severity } from '../model/index.js';
import type { IgnoreRule } from '../policy/index.js';
import { toPath } from '../policy/index.js';
import { ConfigurationError } from './errors.js';

export const CONFIG_FILE_NAMES = ['.kubeward.yaml', '.kubeward.yml'];

const configSchema = z
  .object({
    policies: z
      .object({
        enable: z.array(z.string()).default([]),
        disable: z.array(z.string()).default([]),
        only: z.array(z.string()).default([]),
        directories: z.array(z.string()).default([]),
        builtIn: z.boolean().default(true),
      })
      .strict()
      .default({ enable: [], disable: [], only: [], directories: [], builtIn: true }),
    failOn: z.enum(SEVERITIES).optional(),
    severityThreshold: z.enum(SEVERITIES).optional(),
    exclude: z.array(z.string()).default([]),
    namespace: z.string().optional(),
    ignore: z
      .array(
        z
          .object({
            policy: z.string().min(1),
            namespace: z.string().optional(),
            kind: z.string().optional(),
            name: z.string().optional(),
            file: z.string().optional(),
            reason: z.string().optional(),
            expires: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export interface Config {
  /** The file it came from, or undefined when none was found. */
  readonly file: string | undefined;
  readonly enable: readonly string[];
  readonly disable: readonly string[];
  readonly only: readonly string[];
  /** Extra policy files and directories, resolved against the config file's directory. */
  readonly policyPaths: readonly string[];
  readonly builtIn: boolean;
  readonly failOn?: Severity;
  readonly severityThreshold?: Severity;
  readonly exclude: readonly string[];
  readonly namespace?: string;
  /** Suppressions by policy, object and file; see docs/configuration.md. */
  readonly ignore: readonly IgnoreRule[];
}

const EMPTY: Config = { file: undefined, enable: [], disable: [], only: [], policyPaths: [], builtIn: true, exclude: [], ignore: [] };

/**
 * Reads `.kubeward.yaml`: the file named by --config (which must exist), else the first
 * default name found in the working directory, else an empty configuration.
 */
export const loadConfig = async (explicit: string | undefined, cwd: string): Promise<Config> => {
  const candidates = explicit ? [resolve(cwd, explicit)] : CONFIG_FILE_NAMES.map((name) => resolve(cwd, name));
  for (const file of candidates) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (explicit) throw new ConfigurationError(`cannot read config ${explicit}: ${(error as Error).message}`);
      continue;
    }
    const [document, ...more] = parseYamlStream(text);
    if (more.length > 0) throw new ConfigurationError(`${file}: expected one YAML document, found ${more.length + 1}`);
    if (document?.error) {
      throw new ConfigurationError(`${file}:${document.error.line}:${document.error.column}: ${document.error.message}`);
    }
    const parsed = configSchema.safeParse(document?.value ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigurationError(
        `${file}: ${issue ? `${toPath(issue.path) || '(root)'}: ${issue.message}` : 'invalid configuration'}`,
        'see docs/configuration.md for the format',
      );
    }
    const { policies, failOn, severityThreshold, exclude, namespace, ignore } = parsed.data;
    const base = dirname(file);
    return {
      file,
      enable: policies.enable,
      disable: policies.disable,
      only: policies.only,
      policyPaths: policies.directories.map((path) => resolve(base, path)),
      builtIn: policies.builtIn,
      ...(failOn ? { failOn } : {}),
      ...(severityThreshold ? { severityThreshold } : {}),
      exclude,
      ...(namespace ? { namespace } : {}),
      // Spread so optional keys zod left undefined do not appear (exactOptionalPropertyTypes).
      ignore: ignore.map((rule) => Object.fromEntries(Object.entries(rule).filter(([, value]) => value !== undefined)) as unknown as IgnoreRule),
    };
  }
  return EMPTY;
};
