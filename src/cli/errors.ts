/** Errors the CLI expects and explains in one line plus a hint; anything else is a bug and shows its stack. */
export class KnownError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** Bad flags or arguments. */
export class UsageError extends KnownError {}

/** A configuration or policy file that cannot be used. */
export class ConfigurationError extends KnownError {}

export const EXIT = { clean: 0, findings: 1, error: 2 } as const;
