// No imports: the web console (ui/) uses this class too, in the browser.

/** An answer other than 2xx from central, as the data its API sends: `{code, message, field?}`. */
export class CentralError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CentralError';
  }
}
