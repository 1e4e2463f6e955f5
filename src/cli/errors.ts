// The error classes alone, not the use-case layer's face: every command loads this module, and
// `kubeward --version` must not load the pipelines.
import { KnownError } from '../app/errors.js';

export { ConfigurationError, KnownError } from '../app/errors.js';

/** Bad flags or arguments. */
export class UsageError extends KnownError {}

export const EXIT = { clean: 0, findings: 1, error: 2 } as const;
