/**
 * Errors a front end expects and explains in one line plus a hint (the CLI prints them, a server
 * answers them with a 4xx); anything else is a bug and shows its stack.
 */
export class KnownError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** A configuration or policy file that cannot be used. */
export class ConfigurationError extends KnownError {}
